"""Exact Poisson limits for an observed count, and Student's t quantiles (no SciPy).

* **Exact Poisson interval** for ``O`` observed events (Garwood F 1936, Biometrika 28:437-442;
  the standard limits of a standardised ratio O/E, Breslow NE, Day NE 1987, Statistical Methods in
  Cancer Research II, IARC Sci Publ 82, §2.3; Ulm K 1990, Am J Epidemiol 131:373-375)::

      lower = G⁻¹(alpha/2;     O)       (0 when O = 0)
      upper = G⁻¹(1 - alpha/2; O + 1)

  ``G⁻¹(q; a)`` is the ``q`` quantile of the Gamma(a, 1) distribution, i.e. half the chi-square
  quantile with ``2a`` degrees of freedom. Dividing by the expected count E gives the limits of O/E.
* **Gamma(a, 1) distribution function** = the regularised lower incomplete gamma ``P(a, x)``: its
  series for ``x < a + 1`` and its continued fraction (modified Lentz) otherwise (Press WH et al.,
  Numerical Recipes, 3rd ed. 2007, §6.2); quantiles by bisection.
* **Student's t** distribution function from the regularised incomplete beta
  (``F(t) = 1 - I_{v/(v+t²)}(v/2, 1/2) / 2`` for ``t >= 0``; Abramowitz & Stegun 26.7.1), quantile
  by bisection.
"""

from __future__ import annotations

import math
from typing import Final

from cordtrack.clinical.numbers import whole_number

from .intervals import regularized_incomplete_beta

__all__ = ["gamma_cdf", "gamma_quantile", "poisson_limits", "t_quantile"]

_TOLERANCE: Final = 1e-12
_EPSILON: Final = 1e-15
_TINY: Final = 1e-300
_MAX_ITERATIONS: Final = 100_000


def _series(a: float, x: float) -> float:
    term = total = 1.0 / a
    ap = a
    for _ in range(_MAX_ITERATIONS):
        ap += 1.0
        term *= x / ap
        total += term
        if abs(term) < abs(total) * _EPSILON:
            return total * math.exp(-x + a * math.log(x) - math.lgamma(a))
    raise ArithmeticError(f"incomplete gamma series did not converge (a={a}, x={x})")


def _continued_fraction(a: float, x: float) -> float:
    """``Q(a, x) = 1 - P(a, x)`` by its continued fraction (Numerical Recipes §6.2, ``gcf``)."""
    b = x + 1.0 - a
    c = 1.0 / _TINY
    d = 1.0 / b
    h = d
    for i in range(1, _MAX_ITERATIONS):
        an = -i * (i - a)
        b += 2.0
        d = an * d + b
        d = _TINY if abs(d) < _TINY else d
        c = b + an / c
        c = _TINY if abs(c) < _TINY else c
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < _EPSILON:
            return math.exp(-x + a * math.log(x) - math.lgamma(a)) * h
    raise ArithmeticError(f"incomplete gamma fraction did not converge (a={a}, x={x})")


def gamma_cdf(a: float, x: float) -> float:
    """``P(a, x)``: the Gamma(a, 1) distribution function at ``x`` (``a > 0``)."""
    if a <= 0:
        raise ValueError("a must be positive")
    if x <= 0.0:
        return 0.0
    if x < a + 1.0:
        return _series(a, x)
    return 1.0 - _continued_fraction(a, x)


def gamma_quantile(q: float, a: float) -> float:
    """The ``q`` quantile of Gamma(a, 1), by bisection (``P`` increases with ``x``)."""
    if not 0.0 < q < 1.0:
        raise ValueError("q must be between 0 and 1")
    lo, hi = 0.0, max(1.0, a)
    while gamma_cdf(a, hi) < q:
        hi *= 2.0
    while hi - lo > _TOLERANCE * max(1.0, hi):
        mid = (lo + hi) / 2.0
        if gamma_cdf(a, mid) < q:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2.0


def poisson_limits(observed: int, confidence: float = 0.95) -> tuple[float, float]:
    """Exact (Garwood) limits of the Poisson mean for ``observed`` events.

    >>> [round(v, 4) for v in poisson_limits(0)]
    [0.0, 3.6889]
    """
    if (n := whole_number(observed)) is None or n < 0:
        raise ValueError(f"observed must be a non-negative integer, got {observed!r}")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence!r}")
    alpha = 1.0 - confidence
    lower = 0.0 if observed == 0 else gamma_quantile(alpha / 2.0, observed)
    return lower, gamma_quantile(1.0 - alpha / 2.0, observed + 1)


def _t_cdf(t: float, df: float) -> float:
    tail = regularized_incomplete_beta(df / 2.0, 0.5, df / (df + t * t)) / 2.0
    return 1.0 - tail if t >= 0 else tail


def t_quantile(q: float, df: float) -> float:
    """The ``q`` quantile of Student's t with ``df`` degrees of freedom.

    >>> round(t_quantile(0.975, 10), 4)
    2.2281
    """
    if not 0.0 < q < 1.0:
        raise ValueError("q must be between 0 and 1")
    if df <= 0:
        raise ValueError("df must be positive")
    if q < 0.5:
        return -t_quantile(1.0 - q, df)
    lo, hi = 0.0, 1.0
    while _t_cdf(hi, df) < q:
        hi *= 2.0
    while hi - lo > _TOLERANCE * max(1.0, hi):
        mid = (lo + hi) / 2.0
        if _t_cdf(mid, df) < q:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2.0
