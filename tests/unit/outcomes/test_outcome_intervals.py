"""Wilson and Clopper-Pearson intervals, checked against closed forms and hand arithmetic."""

from __future__ import annotations

import math

import pytest

from cordtrack.outcomes import (
    UndefinedRateError,
    clopper_pearson_interval,
    compatible_with,
    describe_rate,
    format_percent,
    wilson_interval,
)
from cordtrack.outcomes.intervals import regularized_incomplete_beta

Z = 1.959963984540054  # standard normal 0.975 quantile


def binomial_cdf(k: int, n: int, p: float) -> float:
    """P(X <= k) for X ~ Binomial(n, p): an independent route to the exact bounds."""
    return sum(math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(k + 1))


def test_zero_events_in_ten_patients_is_compatible_with_up_to_31_percent() -> None:
    # Closed form with x = 0: upper = 1 - (alpha/2)^(1/n) = 1 - 0.025^(1/10) = 0.308497...
    ci = clopper_pearson_interval(0, 10)
    assert ci.low == 0.0
    assert ci.high == pytest.approx(1 - 0.025 ** (1 / 10), abs=1e-9)
    assert ci.high == pytest.approx(0.30850, abs=1e-5)
    assert compatible_with(ci) == "compatible with up to 31%"
    assert describe_rate(ci) == (
        "0 of 10 (0%, 95% CI 0%–31%, Clopper-Pearson exact): compatible with up to 31%"
    )


def test_ten_events_in_ten_patients_mirrors_zero_in_ten() -> None:
    # Closed form with x = n: lower = (alpha/2)^(1/n) = 0.025^(1/10) = 0.691503
    ci = clopper_pearson_interval(10, 10)
    assert ci.low == pytest.approx(0.025 ** (1 / 10), abs=1e-9)
    assert ci.high == 1.0
    assert compatible_with(ci) == "compatible with anything from 69% up to 100%"


def test_five_in_ten_exact_interval_is_symmetric_and_matches_the_binomial_tails() -> None:
    # Published value (e.g. Newcombe 1998, Stat Med 17:857, method 5): 0.1871 to 0.8129.
    ci = clopper_pearson_interval(5, 10)
    assert ci.low == pytest.approx(0.187086, abs=1e-6)
    assert ci.high == pytest.approx(0.812914, abs=1e-6)
    assert ci.low + ci.high == pytest.approx(1.0, abs=1e-12)
    # Defining property: P(X >= 5 | p=low) = 0.025 and P(X <= 5 | p=high) = 0.025.
    assert 1 - binomial_cdf(4, 10, ci.low) == pytest.approx(0.025, abs=1e-9)
    assert binomial_cdf(5, 10, ci.high) == pytest.approx(0.025, abs=1e-9)


def test_one_in_twenty_exact_interval_matches_the_binomial_tails() -> None:
    ci = clopper_pearson_interval(1, 20)
    # Lower bound with x = 1 has a closed form: P(X >= 1) = 1 - (1-p)^20 = 0.025.
    assert ci.low == pytest.approx(1 - 0.975 ** (1 / 20), abs=1e-9)  # 0.001265
    assert binomial_cdf(1, 20, ci.high) == pytest.approx(0.025, abs=1e-9)
    assert ci.high == pytest.approx(0.248733, abs=1e-6)


def test_wilson_interval_matches_the_formula_worked_by_hand() -> None:
    # 5/10: p = .5, z² = 3.841459; denominator 1 + z²/n = 1.384146; centre 0.5;
    # half = z/1.384146 * sqrt(.025 + 3.841459/400) = 1.415999 * 0.186041 = 0.263434
    ci = wilson_interval(5, 10)
    assert (ci.low, ci.high) == pytest.approx((0.236593, 0.763407), abs=1e-6)
    # 0/10: centre = (z²/20)/1.384146 = 0.138766 and half the same: [0, 0.277533]
    ci = wilson_interval(0, 10)
    assert ci.low == 0.0
    assert ci.high == pytest.approx(Z**2 / 10 / (1 + Z**2 / 10), abs=1e-9)  # 0.277533
    # 10/10 mirrors it; 1/20: [0.008881, 0.236131]
    assert wilson_interval(10, 10).low == pytest.approx(1 - 0.277533, abs=1e-6)
    ci = wilson_interval(1, 20)
    assert (ci.low, ci.high) == pytest.approx((0.008881, 0.236131), abs=1e-6)


def test_seven_of_twenty_wilson_interval_is_18_to_57_percent() -> None:
    # p = .35; centre = (.35 + .096037)/1.192073 = .374170; half = 1.644162 * .117370 = .192979
    ci = wilson_interval(7, 20)
    assert ci.low == pytest.approx(0.181192, abs=1e-6)
    assert ci.high == pytest.approx(0.567146, abs=1e-6)


def test_zero_of_zero_has_no_rate() -> None:
    with pytest.raises(UndefinedRateError, match="0 of 0"):
        clopper_pearson_interval(0, 0)
    with pytest.raises(UndefinedRateError):
        wilson_interval(0, 0)


@pytest.mark.parametrize(("events", "total"), [(-1, 10), (11, 10), (True, 10)])
def test_impossible_counts_are_refused(events: int, total: int) -> None:
    with pytest.raises(ValueError, match="events"):
        clopper_pearson_interval(events, total)


def test_incomplete_beta_agrees_with_the_binomial_sum_for_large_samples() -> None:
    # I_p(k+1, n-k) = P(X >= k+1) for X ~ Binomial(n, p)
    for n, k, p in [(200, 30, 0.12), (1000, 480, 0.5), (50, 0, 0.01)]:
        expected = 1 - binomial_cdf(k, n, p)
        assert regularized_incomplete_beta(k + 1, n - k, p) == pytest.approx(expected, abs=1e-10)


def test_exact_interval_always_contains_the_wilson_centre_for_moderate_samples() -> None:
    for events in range(0, 31):
        cp, w = clopper_pearson_interval(events, 30), wilson_interval(events, 30)
        assert cp.low <= cp.estimate <= cp.high
        assert cp.low <= (w.low + w.high) / 2 <= cp.high


def test_percentages_near_zero_are_never_rounded_to_zero() -> None:
    assert format_percent(0.0) == "0%"
    assert format_percent(0.0013) == "0.1%"
    assert format_percent(0.3085) == "31%"
    assert format_percent(0.9996) == ">99.9%"
    assert format_percent(1.0) == "100%"
