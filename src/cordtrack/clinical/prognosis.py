"""Walking prediction rules after traumatic SCI: van Middendorp 2011 and the Hicks variants.

The coefficients, weights and score ranges are read from ``data/prediction_rules.csv`` (copied
from clinical-evidence.md §2.1, §2.2 and §9 T4, with their sources):

* van Middendorp JJ et al. 2011, Lancet 377:1004-10 (EM-SCI; exam within 15 days; outcome:
  independent indoor walking at 1 year, SCIM walking item). Points, best of left and right side:
  age >= 65 years -10 (else 0); L3 motor (quadriceps, 0-5) x2; S1 motor (gastrocsoleus, 0-5) x2;
  L3 light touch (0-2) x5; S1 light touch (0-2) x5. Score -10 to 40.
  P(walk) = 1 / (1 + exp(-(0.267 x score - 3.273))) (https://medicalalgorithms.com/
  traumatic-spinal-cord-injury).
* Hicks et al. (Canadian registry; outcome FIM locomotion 6-7 at >= 12 months; journal and year
  [UNCONFIRMED] in the sheet): full X = 0.125 x score - 1.763; abbreviated (age + L3 motor + L3
  light touch, maximum 20) Y = 0.211 x score - 1.425.

The original derivation requires an exam within 15 days of injury; the Spanish validation extended
it to 3-90 days (the sheet §2.2, §9 T4). Callers should pass the exam's days since injury to
:func:`exam_within_derivation_window` and show the caveat.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

from .evidence import source
from .evidence_files import read_table
from .numbers import real_number, whole_number

__all__ = [
    "AGE_CUTOFF_YEARS",
    "DERIVATION_EXAM_MAX_DAYS",
    "HICKS_ABBREVIATED",
    "HICKS_FULL",
    "VAN_MIDDENDORP",
    "LogisticRule",
    "best_side",
    "exam_within_derivation_window",
    "hicks_abbreviated_probability",
    "hicks_abbreviated_score",
    "hicks_probability",
    "van_middendorp_probability",
    "van_middendorp_score",
]


@dataclass(frozen=True, slots=True)
class LogisticRule:
    """``P = 1 / (1 + exp(-(slope x score + intercept)))`` with its score range and source."""

    name: str
    slope: float
    intercept: float
    score_min: int
    score_max: int
    source: str

    def probability(self, score: int) -> float:
        if not self.score_min <= score <= self.score_max:
            bounds = f"{self.score_min}..{self.score_max}"
            raise ValueError(f"{self.name} score {score} outside {bounds}")
        return 1.0 / (1.0 + math.exp(-(self.slope * score + self.intercept)))


_RULES: Final = {row["id"]: row for row in read_table("prediction_rules.csv")}


def _rule(key: str) -> LogisticRule:
    row = _RULES[key]
    cited = source(row["source"])
    return LogisticRule(
        row["name"], float(row["slope"]), float(row["intercept"]), int(row["score_min"]),
        int(row["score_max"]), f"{cited.citation}; {row['section']}",
    )  # fmt: skip


VAN_MIDDENDORP: Final = _rule("van_middendorp_2011")
HICKS_FULL: Final = _rule("hicks_full")
HICKS_ABBREVIATED: Final = _rule("hicks_abbreviated")
_VM: Final = _RULES["van_middendorp_2011"]
#: Age at or above which the rule subtracts points (van Middendorp 2011; the sheet §2.1).
AGE_CUTOFF_YEARS: Final = int(_VM["age_cutoff_years"])
AGE_POINTS: Final = int(_VM["age_points"])
MOTOR_WEIGHT: Final = int(_VM["motor_weight"])
LIGHT_TOUCH_WEIGHT: Final = int(_VM["light_touch_weight"])
#: Exam window of the derivation cohort, days after injury (the sheet §2.1, §9 T4).
DERIVATION_EXAM_MAX_DAYS: Final = int(_VM["exam_max_days"])


def best_side(right: int, left: int) -> int:
    """The better of the two sides' grades, as the rule uses (the sheet §2.1)."""
    return max(right, left)


def _check(name: str, value: int, top: int) -> int:
    grade = whole_number(value)
    if grade is None or not 0 <= grade <= top:
        raise ValueError(f"{name} must be an integer 0-{top}, got {value!r}")
    return grade


def _age_points(age_years: float) -> int:
    # A NaN age compared false with the cut-off and scored as young (0 points) without a word.
    age = real_number(age_years)
    if age is None or age < 0:
        raise ValueError(f"age_years must be a non-negative finite number, got {age_years!r}")
    return AGE_POINTS if age >= AGE_CUTOFF_YEARS else 0


def van_middendorp_score(
    age_years: float, l3_motor: int, s1_motor: int, l3_light_touch: int, s1_light_touch: int
) -> int:
    """The van Middendorp points score (-10 to 40) from best-side L3/S1 motor and light touch.

    Raises
    ------
    ValueError
        If a motor grade is not 0-5, a light-touch grade not 0-2, or the age is negative.
    """
    return (
        _age_points(age_years)
        + MOTOR_WEIGHT * (_check("l3_motor", l3_motor, 5) + _check("s1_motor", s1_motor, 5))
        + LIGHT_TOUCH_WEIGHT
        * (
            _check("l3_light_touch", l3_light_touch, 2)
            + _check("s1_light_touch", s1_light_touch, 2)
        )
    )


def van_middendorp_probability(
    age_years: float, l3_motor: int, s1_motor: int, l3_light_touch: int, s1_light_touch: int
) -> float:
    """Probability (0-1) of independent walking at 1 year (van Middendorp 2011).

    >>> round(van_middendorp_probability(40, 0, 0, 0, 0), 3)   # score 0 -> about 4%
    0.037
    """
    score = van_middendorp_score(age_years, l3_motor, s1_motor, l3_light_touch, s1_light_touch)
    return VAN_MIDDENDORP.probability(score)


def hicks_probability(
    age_years: float, l3_motor: int, s1_motor: int, l3_light_touch: int, s1_light_touch: int
) -> float:
    """Probability of walking (FIM locomotion 6-7) from the full Hicks rule, same five variables."""
    score = van_middendorp_score(age_years, l3_motor, s1_motor, l3_light_touch, s1_light_touch)
    return HICKS_FULL.probability(score)


def hicks_abbreviated_score(age_years: float, l3_motor: int, l3_light_touch: int) -> int:
    """Abbreviated Hicks points (-10 to 20): age, L3 motor x2, L3 light touch x5."""
    return (
        _age_points(age_years)
        + MOTOR_WEIGHT * _check("l3_motor", l3_motor, 5)
        + LIGHT_TOUCH_WEIGHT * _check("l3_light_touch", l3_light_touch, 2)
    )


def hicks_abbreviated_probability(age_years: float, l3_motor: int, l3_light_touch: int) -> float:
    """Probability of walking from the abbreviated Hicks rule."""
    score = hicks_abbreviated_score(age_years, l3_motor, l3_light_touch)
    return HICKS_ABBREVIATED.probability(score)


def exam_within_derivation_window(days_since_injury: int) -> bool:
    """True if the exam falls in the derivation cohort's window (within 15 days of injury)."""
    return 0 <= days_since_injury <= DERIVATION_EXAM_MAX_DAYS
