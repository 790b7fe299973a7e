"""Confidence intervals for a proportion, and their rendering in plain words.

Two intervals, for ``x`` events among ``n`` patients (``p = x / n``, ``z`` the standard normal
quantile ``1 - alpha/2``, 1.959964 for 95%):

* **Wilson score** (Wilson EB 1927, J Am Stat Assoc 22:209-212)::

      centre    = (p + z²/(2n)) / (1 + z²/n)
      half-width = z / (1 + z²/n) * sqrt(p(1 - p)/n + z²/(4n²))

  Used for cohort response rates (issue 5: "Rates carry Wilson 95% intervals").

* **Exact Clopper-Pearson** (Clopper CJ, Pearson ES 1934, Biometrika 26:404-413)::

      lower = B⁻¹(alpha/2;     x,     n - x + 1)   (0 when x = 0)
      upper = B⁻¹(1 - alpha/2; x + 1, n - x)       (1 when x = n)

  where ``B⁻¹(q; a, b)`` is the ``q`` quantile of the Beta(a, b) distribution. Used for safety
  rates (issue 5: "exact (Clopper-Pearson) 95% intervals"). With 0 events the upper bound has the
  closed form ``1 - (alpha/2)^(1/n)``: 0 of 10 gives 0.30850, "compatible with up to 31%" (the
  evidence sheet's rule of three, §8, gives the approximation 3/n = 30%).

The Beta quantile is found by bisection on the regularised incomplete beta function ``I_x(a, b)``,
which is evaluated by its continued fraction (modified Lentz algorithm; Press WH et al., Numerical
Recipes, 3rd ed. 2007, §6.4), using the symmetry ``I_x(a, b) = 1 - I_{1-x}(b, a)`` where the
fraction converges slowly. Bisection to 1e-13 makes the bounds accurate far beyond 1e-6.

A proportion of 0 of 0 is undefined: every function raises :class:`UndefinedRateError` for it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from statistics import NormalDist
from typing import Final

from cordtrack.clinical.numbers import whole_number

from .errors import UndefinedRateError

__all__ = [
    "DEFAULT_CONFIDENCE",
    "IntervalMethod",
    "RateInterval",
    "clopper_pearson_interval",
    "compatible_with",
    "describe_rate",
    "format_percent",
    "regularized_incomplete_beta",
    "wilson_interval",
]

DEFAULT_CONFIDENCE: Final = 0.95
_BISECTION_TOLERANCE: Final = 1e-13
_CF_EPSILON: Final = 1e-15
_CF_TINY: Final = 1e-300
_CF_MAX_ITERATIONS: Final = 10_000


class IntervalMethod(StrEnum):
    """How an interval was computed (shown beside every interval)."""

    WILSON = "Wilson score"
    CLOPPER_PEARSON = "Clopper-Pearson exact"


@dataclass(frozen=True, slots=True)
class RateInterval:
    """A proportion ``events / total`` with its confidence interval (all as fractions 0-1)."""

    events: int
    total: int
    low: float
    high: float
    method: IntervalMethod
    confidence: float = DEFAULT_CONFIDENCE

    @property
    def estimate(self) -> float:
        return self.events / self.total

    def contains(self, value: float) -> bool:
        """True if ``value`` (a fraction 0-1) lies inside the interval, bounds included."""
        return self.low <= value <= self.high


def _check_counts(events: int, total: int) -> None:
    for name, value in (("events", events), ("total", total)):
        if (n := whole_number(value)) is None or n < 0:
            raise ValueError(f"{name} must be a non-negative integer, got {value!r}")
    if events > total:
        raise ValueError(f"events ({events}) cannot exceed total ({total})")
    if total == 0:
        raise UndefinedRateError("0 of 0: a rate needs at least one patient in the denominator")


def _z(confidence: float) -> float:
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence!r}")
    return NormalDist().inv_cdf(1.0 - (1.0 - confidence) / 2.0)


def wilson_interval(
    events: int, total: int, confidence: float = DEFAULT_CONFIDENCE
) -> RateInterval:
    """The Wilson score interval of ``events / total`` (formula in the module docstring).

    Raises
    ------
    UndefinedRateError
        If ``total`` is 0.
    ValueError
        If the counts are negative, not integers, or ``events > total``.
    """
    _check_counts(events, total)
    z = _z(confidence)
    n = total
    p = events / n
    z2 = z * z
    denominator = 1.0 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z / denominator * math.sqrt(p * (1.0 - p) / n + z2 / (4 * n * n))
    # Exact 0 and 1 at the boundaries (the formula gives them up to rounding).
    low = 0.0 if events == 0 else max(0.0, centre - half)
    high = 1.0 if events == n else min(1.0, centre + half)
    return RateInterval(events, total, low, high, IntervalMethod.WILSON, confidence)


def _beta_continued_fraction(a: float, b: float, x: float) -> float:
    """Continued fraction for I_x(a, b), modified Lentz (Numerical Recipes §6.4, ``betacf``)."""
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c = 1.0
    d = 1.0 - qab * x / qap
    d = _CF_TINY if abs(d) < _CF_TINY else d
    d = 1.0 / d
    h = d
    for m in range(1, _CF_MAX_ITERATIONS + 1):
        m2 = 2 * m
        for aa in (
            m * (b - m) * x / ((qam + m2) * (a + m2)),
            -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)),
        ):
            d = 1.0 + aa * d
            d = _CF_TINY if abs(d) < _CF_TINY else d
            c = 1.0 + aa / c
            c = _CF_TINY if abs(c) < _CF_TINY else c
            d = 1.0 / d
            delta = d * c
            h *= delta
        if abs(delta - 1.0) < _CF_EPSILON:
            return h
    raise ArithmeticError(f"incomplete beta continued fraction did not converge (a={a}, b={b})")


def regularized_incomplete_beta(a: float, b: float, x: float) -> float:
    """``I_x(a, b)``, the Beta(a, b) cumulative distribution function at ``x`` (a, b > 0)."""
    if a <= 0 or b <= 0:
        raise ValueError("a and b must be positive")
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    front = math.exp(log_front)
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _beta_continued_fraction(a, b, x) / a
    return 1.0 - front * _beta_continued_fraction(b, a, 1.0 - x) / b


def _beta_quantile(q: float, a: float, b: float) -> float:
    """The ``q`` quantile of Beta(a, b), by bisection (``I_x`` increases with ``x``)."""
    lo, hi = 0.0, 1.0
    while hi - lo > _BISECTION_TOLERANCE:
        mid = (lo + hi) / 2.0
        if regularized_incomplete_beta(a, b, mid) < q:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2.0


def clopper_pearson_interval(
    events: int, total: int, confidence: float = DEFAULT_CONFIDENCE
) -> RateInterval:
    """The exact Clopper-Pearson interval of ``events / total`` (formula in the module docstring).

    >>> round(clopper_pearson_interval(0, 10).high, 5)
    0.3085

    Raises
    ------
    UndefinedRateError
        If ``total`` is 0.
    ValueError
        If the counts are negative, not integers, or ``events > total``.
    """
    _check_counts(events, total)
    alpha = 1.0 - confidence
    _z(confidence)  # validates the level
    x, n = events, total
    low = 0.0 if x == 0 else _beta_quantile(alpha / 2.0, x, n - x + 1)
    high = 1.0 if x == n else _beta_quantile(1.0 - alpha / 2.0, x + 1, n - x)
    return RateInterval(x, n, low, high, IntervalMethod.CLOPPER_PEARSON, confidence)


def format_percent(fraction: float) -> str:
    """A fraction as a percentage for people: whole percent, one decimal near 0% and 100%.

    A value that is not exactly 0 or 1 is never rendered as "0%" or "100%" (0.0013 -> "0.1%",
    0.9996 -> ">99.9%"), so a bound never looks more certain than it is.
    """
    pct = fraction * 100.0
    if fraction in (0.0, 1.0) or 0.5 <= pct < 99.5:
        return f"{round(pct):d}%"
    if pct < 0.05:
        return "<0.1%"
    if pct > 99.95:
        return ">99.9%"
    return f"{pct:.1f}%"


def compatible_with(interval: RateInterval) -> str:
    """The interval in plain words, e.g. ``"compatible with up to 31%"`` for 0 of 10.

    * no events: "compatible with up to {high}"
    * every patient: "compatible with anything from {low} up to 100%"
    * otherwise: "compatible with anything from {low} to {high}"
    """
    low, high = format_percent(interval.low), format_percent(interval.high)
    if interval.events == 0:
        return f"compatible with up to {high}"
    if interval.events == interval.total:
        return f"compatible with anything from {low} up to 100%"
    return f"compatible with anything from {low} to {high}"


def describe_rate(interval: RateInterval) -> str:
    """``"0 of 10 (0%, 95% CI 0%–31%, Clopper-Pearson exact): compatible with up to 31%"``."""
    level = f"{round(interval.confidence * 100):d}%"
    return (
        f"{interval.events} of {interval.total} ({format_percent(interval.estimate)}, "
        f"{level} CI {format_percent(interval.low)}–{format_percent(interval.high)}, "
        f"{interval.method.value}): {compatible_with(interval)}"
    )
