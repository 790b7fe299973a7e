"""van Middendorp 2011 and Hicks walking prediction rules, worked by hand."""

from __future__ import annotations

import math

import pytest

from cordtrack.clinical.prognosis import (
    best_side,
    exam_within_derivation_window,
    hicks_abbreviated_probability,
    hicks_abbreviated_score,
    hicks_probability,
    van_middendorp_probability,
    van_middendorp_score,
)


def logistic(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def test_van_middendorp_hand_worked_score_19() -> None:
    # age 70 -> -10; motor (4 + 3) x 2 = 14; light touch (2 + 1) x 5 = 15; total 19
    assert van_middendorp_score(70, 4, 3, 2, 1) == 19
    # X = 0.267 x 19 - 3.273 = 1.800
    assert van_middendorp_probability(70, 4, 3, 2, 1) == pytest.approx(logistic(1.8), abs=1e-12)
    assert van_middendorp_probability(70, 4, 3, 2, 1) == pytest.approx(0.858, abs=5e-4)


@pytest.mark.parametrize(
    ("args", "score", "probability"),
    [
        ((40, 0, 0, 0, 0), 0, 0.04),  # the sheet: score 0 -> about 4%
        ((40, 5, 0, 2, 0), 20, 0.89),  # score 20 -> about 89%
        ((40, 5, 5, 2, 2), 40, 0.999),  # score 40 -> about 99.9%
        ((80, 0, 0, 0, 0), -10, logistic(-0.267 * 10 - 3.273)),
    ],
)
def test_van_middendorp_matches_derived_values_in_evidence_sheet(
    args: tuple[int, int, int, int, int], score: int, probability: float
) -> None:
    assert van_middendorp_score(*args) == score
    assert van_middendorp_probability(*args) == pytest.approx(probability, abs=0.005)


def test_age_65_and_over_loses_10_points_and_64_does_not() -> None:
    assert van_middendorp_score(65, 0, 0, 0, 0) == -10
    assert van_middendorp_score(64.9, 0, 0, 0, 0) == 0


@pytest.mark.parametrize(
    "args", [(40, 6, 0, 0, 0), (40, 0, -1, 0, 0), (40, 0, 0, 3, 0), (-1, 0, 0, 0, 0)]
)
def test_van_middendorp_rejects_out_of_range_exam_values(args: tuple[int, ...]) -> None:
    with pytest.raises(ValueError, match="must be"):
        van_middendorp_score(*args)


def test_best_side_takes_the_better_grade() -> None:
    assert best_side(right=2, left=4) == 4


def test_hicks_full_rule_uses_its_own_coefficients() -> None:
    assert hicks_probability(70, 4, 3, 2, 1) == pytest.approx(logistic(0.125 * 19 - 1.763))


def test_hicks_abbreviated_rule_hand_worked() -> None:
    # age 30 -> 0; L3 motor 5 x 2 = 10; L3 light touch 2 x 5 = 10; total 20 (its maximum)
    assert hicks_abbreviated_score(30, 5, 2) == 20
    assert hicks_abbreviated_probability(30, 5, 2) == pytest.approx(logistic(0.211 * 20 - 1.425))


def test_derivation_window_is_15_days() -> None:
    assert exam_within_derivation_window(15)
    assert not exam_within_derivation_window(16)
