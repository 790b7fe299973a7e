"""Observed mean motor-score change against the change natural recovery predicts.

For UEMS, LEMS and total motor score (UEMS + LEMS) the guides give mean changes without treatment
for some groups (APMR 2022: cervical AIS A and B; Waters 1994: incomplete paraplegia after a
1-month exam; EMSCI 2023: AIS D recovers 0.59 of its available points). For each patient with a
baseline exam and a follow-up inside the window (``by_day ± window_days`` days after baseline, the
nearest one) the difference is ``d_i = observed change - expected change``, the expected change
coming from the figure chosen as in :mod:`.expected` (same population, window and follow-up rules;
a mean change reported as a range, e.g. "+9 to +11", counts as its midpoint [derived]).

* Mean difference ``D = mean(d_i)``; 95% interval ``D ± t(0.975; m-1) · SD(d) / √m`` (the usual
  one-sample t interval; m >= 2).
* **Widened for the references' sample size**: each figure's mean is an estimate with variance
  ``SD_r² / N_r``; patients sharing a figure share its error, so the mean expected change has
  variance ``Σ_r (m_r / m)² SD_r² / N_r``, added to the observed part's ``SD(d)² / m`` before the
  same t quantile. A figure without a reported SD or N makes the widened interval incomplete.

Patients without a figure, without a baseline score or without a follow-up in the window are
counted (and named) separately.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from statistics import fmean, stdev
from typing import Final

from cordtrack.clinical.evidence import Figure

from .change import Tri, grade_set
from .cohort import PatientCourse
from .groups import LevelGroup, level_group
from .intervals import DEFAULT_CONFIDENCE
from .poisson import t_quantile
from .references import ReferenceOutcome, candidates, in_population, specificity

__all__ = [
    "MOTOR_MEASURES",
    "ChangeVsExpected",
    "change_vs_expected",
    "change_vs_expected_of",
    "no_mean",
]

#: The motor measures with natural-history mean changes, and how to read them from an assessment.
MOTOR_MEASURES: Final = (
    ReferenceOutcome.UEMS_GAIN,
    ReferenceOutcome.LEMS_GAIN,
    ReferenceOutcome.TOTAL_MOTOR_GAIN,
)
_TOTAL_MAX: Final = 100


def _score(outcome: ReferenceOutcome, uems: int | None, lems: int | None) -> int | None:
    if outcome is ReferenceOutcome.UEMS_GAIN:
        return uems
    if outcome is ReferenceOutcome.LEMS_GAIN:
        return lems
    return None if uems is None or lems is None else uems + lems


@dataclass(frozen=True, slots=True)
class ChangeVsExpected:
    """Observed minus expected mean change of one motor score in one group of patients."""

    outcome: ReferenceOutcome
    by_day: int
    patients: int
    observed_mean: float | None
    expected_mean: float | None
    difference: float | None
    interval: tuple[float, float] | None
    widened: tuple[float, float] | None
    widened_complete: bool
    figures: tuple[tuple[Figure, int], ...]
    without_reference: tuple[tuple[str, str], ...]
    without_follow_up: tuple[str, ...]
    confidence: float = DEFAULT_CONFIDENCE


def _expected_change(figure: Figure, baseline_total: int | None) -> float | None:
    if figure.statistic == "share of available gain":
        return None if baseline_total is None else figure.value * (_TOTAL_MAX - baseline_total)
    if figure.value_high is not None:
        return (figure.value + figure.value_high) / 2.0
    return figure.value


def _figure_for(
    course: PatientCourse, outcome: ReferenceOutcome, by_day: int, window_days: int
) -> Figure | str:
    grades = grade_set(course.baseline.ais)
    day = course.days_since_injury_at_baseline
    if grades is None or len(grades) != 1 or day is None:
        return "baseline AIS undetermined or time since injury unknown"
    (grade,) = grades
    group = level_group(course.baseline.nli)
    total = _score(ReferenceOutcome.TOTAL_MOTOR_GAIN, course.baseline.uems, course.baseline.lems)
    usable = [
        f
        for f in candidates(outcome, grade, day, timed_only=True, baseline_total_motor=total)
        if f.follow_up_days is not None
        and abs(f.follow_up_days - by_day) <= window_days
        and in_population(f, course.baseline.nli, group) is Tri.YES
    ]
    if not usable:
        return no_mean(outcome, grade, group, day)
    return min(usable, key=specificity)


def no_mean(outcome: ReferenceOutcome, grade: str, group: LevelGroup | None, day: int) -> str:
    """Why a patient with a determined profile has no expected change: no figure matches."""
    where = group.value if group else "level unknown"
    return f"no natural-history mean for {outcome.value} (AIS {grade}, {where}, day {day})"


def _follow_up_score(
    course: PatientCourse, outcome: ReferenceOutcome, by_day: int, window_days: int
) -> int | None:
    usable = [
        (abs(f.day - by_day), -f.day, score)
        for f in course.follow_ups
        if abs(f.day - by_day) <= window_days
        and (score := _score(outcome, f.assessment.uems, f.assessment.lems)) is not None
    ]
    return min(usable)[2] if usable else None


def change_vs_expected(
    courses: Iterable[PatientCourse],
    outcome: ReferenceOutcome,
    by_day: int = 365,
    window_days: int = 45,
    confidence: float = DEFAULT_CONFIDENCE,
) -> ChangeVsExpected:
    """Observed minus expected mean ``outcome`` change at ``by_day`` (rules above)."""
    diffs: list[float] = []
    observed: list[float] = []
    expected: list[float] = []
    uses: dict[str, tuple[Figure, int]] = {}
    without: list[tuple[str, str]] = []
    no_follow_up: list[str] = []
    for course in courses:
        if course.observed_until is not None and course.observed_until < by_day + window_days:
            continue  # not yet due
        found = _figure_for(course, outcome, by_day, window_days)
        base = _score(outcome, course.baseline.uems, course.baseline.lems)
        total = _score(ReferenceOutcome.TOTAL_MOTOR_GAIN, course.baseline.uems,
                       course.baseline.lems)  # fmt: skip
        if isinstance(found, str):
            without.append((course.patient_id, found))
            continue
        expect = _expected_change(found, total)
        later = _follow_up_score(course, outcome, by_day, window_days)
        if base is None or later is None or expect is None:
            no_follow_up.append(course.patient_id)
            continue
        observed.append(later - base)
        expected.append(expect)
        diffs.append(later - base - expect)
        figure, count = uses.get(found.id, (found, 0))
        uses[found.id] = (figure, count + 1)
    return change_vs_expected_of(
        outcome, by_day, diffs, observed, expected, tuple(uses.values()), tuple(without),
        tuple(no_follow_up), confidence,
    )  # fmt: skip


def change_vs_expected_of(
    outcome: ReferenceOutcome,
    by_day: int,
    diffs: list[float],
    observed: list[float],
    expected: list[float],
    uses: tuple[tuple[Figure, int], ...],
    without: tuple[tuple[str, str], ...],
    no_follow_up: tuple[str, ...],
    confidence: float = DEFAULT_CONFIDENCE,
) -> ChangeVsExpected:
    """The means and intervals from the per-patient differences :func:`change_vs_expected`
    gathers, in patient order (shared with the column engine, :mod:`.batch`)."""
    m = len(diffs)
    interval = widened = None
    complete = True
    if m >= 2:
        t = t_quantile(1.0 - (1.0 - confidence) / 2.0, m - 1)
        mean = fmean(diffs)
        se2 = stdev(diffs) ** 2 / m
        interval = (mean - t * math.sqrt(se2), mean + t * math.sqrt(se2))
        reference = 0.0
        for figure, count in uses:
            if figure.sd is None or not figure.n:
                complete = False
                continue
            reference += (count / m) ** 2 * figure.sd**2 / figure.n
        widened = (mean - t * math.sqrt(se2 + reference), mean + t * math.sqrt(se2 + reference))
    return ChangeVsExpected(
        outcome, by_day, m, fmean(observed) if m else None, fmean(expected) if m else None,
        fmean(diffs) if m else None, interval, widened, complete, uses, without, no_follow_up,
        confidence,
    )  # fmt: skip
