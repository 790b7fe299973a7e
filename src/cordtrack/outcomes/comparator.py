"""The natural-recovery comparator: what comparable patients show without experimental treatment.

Every figure comes from ``cordtrack.clinical.evidence`` (copied there from clinical-evidence.md,
"the sheet", with its source) and is returned with that source, the population it describes and
its baseline-exam window. Several studies usually match; all are returned, never one number as
"the" rate (the sheet, §9 T1). When no table covers a patient the result is *not comparable*,
with the reason.

Matching rules
--------------
* **Baseline AIS** must be determined (one grade); a set such as ``C,D`` is not comparable.
* **Time since injury at the baseline exam.** A 1-year table applies when the baseline exam falls
  inside the table's own window (``<=48 h``, ``<=7 d``, ``<=15 d``, ``<=30 d``): the earlier the
  baseline exam, the more spontaneous recovery follows it (the sheet §1.1). Sources whose exam
  window the sheet gives only approximately (APMR 2022, "about 16 d"; Aimetti 2019 and Steeves 2011,
  not stated; EMSCI 2023, from 4 weeks) are used for baseline exams within 30 days, with that
  caveat. Baseline exams more than 12 months after injury use the chronic figures of APMR 2004
  (years 1 to 5; the sheet §1.6, T2). Between 31 days and 12 months no table in the sheet applies.
* **Level.** Groups as the sheet §9 T10 recommends: cervical (C1-C8), T1-T9, T10 and below.
  "Tetraplegia" in a source is taken as a cervical NLI. Rows for narrower populations ("above T11",
  "T2-T12", "C4-C7") are used only when the NLI shows the patient is inside them.
* **Age.** No encoded table is stratified by age; when an age is given the result says so (age has
  a negative effect on recovery, cut-off unclear: Kirshblum 2021 abstract, the sheet §2.3).

The phases used to stratify cohorts (:mod:`.groups`) are configurable; the comparator ignores them
and always matches on each table's own window. The rows themselves come from :mod:`.references`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

from cordtrack.clinical.prognosis import (
    DERIVATION_EXAM_MAX_DAYS,
    VAN_MIDDENDORP,
    best_side,
    exam_within_derivation_window,
    van_middendorp_score,
)
from cordtrack.isncsci.types import AIS_GRADES

from .change import SetValue, Tri, grade_set, possible_names
from .groups import ACUTE_MAX_DAYS, CHRONIC_MIN_DAYS, LEVEL_RANK, LevelGroup, level_group
from .references import (
    Reference,
    ReferenceOutcome,
    acute_ais,
    acute_motor,
    chronic_ais,
    chronic_other,
)

__all__ = [
    "ComparatorProfile",
    "NaturalHistory",
    "WalkingPrognosis",
    "natural_history",
    "walking_prognosis",
]

_CHRONIC_SOURCE_MAX_DAYS: Final = 5 * 365


@dataclass(frozen=True, slots=True)
class ComparatorProfile:
    """What the comparator matches on. ``level_group`` is derived from ``nli`` when not given."""

    baseline_ais: SetValue
    days_since_injury_at_baseline: int | None
    nli: SetValue = None
    level_group: LevelGroup | None = None
    age_years: float | None = None
    baseline_total_motor: int | None = None  # UEMS + LEMS, for the AIS D proportional rule

    @property
    def group(self) -> LevelGroup | None:
        return self.level_group or level_group(self.nli)


@dataclass(frozen=True, slots=True)
class NaturalHistory:
    """The references that apply, or ``comparable=False`` with ``reason``."""

    outcome: ReferenceOutcome
    comparable: bool
    references: tuple[Reference, ...] = ()
    reason: str = ""
    caveats: tuple[str, ...] = field(default=())

    @property
    def value_range(self) -> tuple[float, float] | None:
        values = [r.value for r in self.references]
        return (min(values), max(values)) if values else None


# Population predicates on one NLI, and their answer when only the level group is known.
_POPULATIONS: Final[dict[str, tuple[Callable[[int], bool], dict[LevelGroup, Tri]]]] = {
    "all levels": (lambda r: True, dict.fromkeys(LevelGroup, Tri.YES)),
    "cervical": (
        lambda r: r <= LEVEL_RANK["C8"],
        {LevelGroup.CERVICAL: Tri.YES, LevelGroup.T1_T9: Tri.NO, LevelGroup.T10_AND_BELOW: Tri.NO},
    ),
    "above T10": (
        lambda r: r < LEVEL_RANK["T10"],
        {LevelGroup.CERVICAL: Tri.YES, LevelGroup.T1_T9: Tri.YES, LevelGroup.T10_AND_BELOW: Tri.NO},
    ),
    "above T11": (
        lambda r: r < LEVEL_RANK["T11"],
        {
            LevelGroup.CERVICAL: Tri.YES,
            LevelGroup.T1_T9: Tri.YES,
            LevelGroup.T10_AND_BELOW: Tri.UNDETERMINED,
        },
    ),
    "T2-T12": (
        lambda r: LEVEL_RANK["T2"] <= r <= LEVEL_RANK["T12"],
        {
            LevelGroup.CERVICAL: Tri.NO,
            LevelGroup.T1_T9: Tri.UNDETERMINED,
            LevelGroup.T10_AND_BELOW: Tri.UNDETERMINED,
        },
    ),
    "C4-C7": (
        lambda r: LEVEL_RANK["C4"] <= r <= LEVEL_RANK["C7"],
        {
            LevelGroup.CERVICAL: Tri.UNDETERMINED,
            LevelGroup.T1_T9: Tri.NO,
            LevelGroup.T10_AND_BELOW: Tri.NO,
        },
    ),
}


def _in_population(population: str, profile: ComparatorProfile) -> Tri:
    if population == "all levels":
        return Tri.YES
    predicate, by_group = _POPULATIONS[population]
    ranks = [LEVEL_RANK[n] for n in possible_names(profile.nli) if n in LEVEL_RANK]
    if ranks and len(ranks) == len(possible_names(profile.nli)):
        answers = {predicate(r) for r in ranks}
        return Tri.YES if answers == {True} else Tri.NO if answers == {False} else Tri.UNDETERMINED
    group = profile.group
    return by_group[group] if group is not None else Tri.UNDETERMINED


def natural_history(
    profile: ComparatorProfile,
    outcome: ReferenceOutcome = ReferenceOutcome.AIS_IMPROVEMENT,
    grades: int = 1,
) -> NaturalHistory:
    """The natural-history references for ``profile`` (see the module docstring for the rules).

    ``grades`` is the AIS improvement asked about (``outcome=AIS_IMPROVEMENT``): 1 = at least one
    grade. Percentages are 0-100; motor gains are mean points.
    """

    def no(reason: str) -> NaturalHistory:
        return NaturalHistory(outcome, False, reason=reason, caveats=tuple(caveats))

    caveats: list[str] = []
    if profile.age_years is not None:
        caveats.append(
            "the encoded natural-history tables are not stratified by age; age has a "
            "negative effect on recovery, cut-off (>50 or >65) unclear (Kirshblum 2021)"
        )
    grade_values = grade_set(profile.baseline_ais)
    if grade_values is None or len(grade_values) != 1:
        shown = "not recorded" if grade_values is None else ",".join(sorted(grade_values))
        return no(f"baseline AIS undetermined ({shown}): no table can be chosen")
    (grade,) = grade_values
    if grades < 1:
        raise ValueError("grades must be at least 1")
    if outcome is ReferenceOutcome.AIS_IMPROVEMENT and AIS_GRADES.index(grade) + grades >= len(
        AIS_GRADES
    ):
        return no(f"AIS {grade} cannot improve by {grades} grade(s)")
    day = profile.days_since_injury_at_baseline
    if day is None:
        return no("time from injury to the baseline exam unknown: every table depends on it")
    if day <= ACUTE_MAX_DAYS:
        found = list(
            acute_ais(grade, grades, day)
            if outcome is ReferenceOutcome.AIS_IMPROVEMENT
            else acute_motor(outcome, grade, profile.baseline_total_motor)
        )
        caveats.append(
            "acute and subacute recovery is large and mostly spontaneous: an uncontrolled "
            "improvement cannot be attributed to a treatment (the sheet §1.6)"
        )
    elif day >= CHRONIC_MIN_DAYS:
        found = list(
            chronic_ais(grade, grades)
            if outcome is ReferenceOutcome.AIS_IMPROVEMENT
            else chronic_other(outcome)
        )
        if day > _CHRONIC_SOURCE_MAX_DAYS:
            caveats.append(
                "the chronic source (APMR 2004) measured change from year 1 to year 5; "
                "this baseline exam is later than 5 years after injury"
            )
    else:
        return no(
            f"baseline exam {day} days after injury: the sheet's 1-year tables start from "
            "exams within 48 h to 30 days and its chronic figures from 1 year, so no table "
            "covers 31-365 days"
        )
    kept: list[Reference] = []
    for population, reference in found:
        match = _in_population(population, profile)
        if match is Tri.YES:
            kept.append(reference)
        elif match is Tri.UNDETERMINED:
            caveats.append(f"not used, level not known to be {population}: {reference.source}")
    if grade == "B" and outcome is ReferenceOutcome.AIS_IMPROVEMENT and day <= ACUTE_MAX_DAYS:
        caveats.append(
            "a pooled all-levels AIS B conversion table was not retrieved "
            "(the sheet §1.3, [UNCONFIRMED])"
        )
    if not kept:
        return no(
            f"no table in the evidence sheet gives {outcome.value} for baseline AIS {grade}, "
            f"{profile.group.value if profile.group else 'level unknown'}, baseline exam "
            f"{day} days after injury"
        )
    return NaturalHistory(outcome, True, tuple(kept), caveats=tuple(caveats))


@dataclass(frozen=True, slots=True)
class WalkingPrognosis:
    """van Middendorp 2011 probability of independent walking at 1 year, when applicable.

    ``probability_low``/``probability_high`` differ when an L3/S1 value was not testable (the score
    is then a range); both are None when the rule does not apply.
    """

    applicable: bool
    reason: str
    score_low: int | None = None
    score_high: int | None = None
    probability_low: float | None = None
    probability_high: float | None = None
    source: str = VAN_MIDDENDORP.source


def walking_prognosis(
    days_since_injury_at_exam: int,
    age_years: float,
    *,
    l3_motor: tuple[int | None, int | None],
    s1_motor: tuple[int | None, int | None],
    l3_light_touch: tuple[int | None, int | None],
    s1_light_touch: tuple[int | None, int | None],
) -> WalkingPrognosis:
    """The van Middendorp walking prognosis if the exam is within its derivation window (<=15 d).

    Each grade is a ``(right, left)`` pair; the rule uses the better side. A not-testable value
    (None) may be anything from 0 to its maximum, so the score and probability become a range.
    """
    if not exam_within_derivation_window(days_since_injury_at_exam):
        return WalkingPrognosis(
            False,
            f"exam {days_since_injury_at_exam} days after injury: the rule was derived on exams "
            f"within {DERIVATION_EXAM_MAX_DAYS} days (validated out to 3-90 days in one Spanish "
            "cohort, J Trauma Nurs 2022; the sheet §2.2), so it is not applied",
        )

    def bounds(pair: tuple[int | None, int | None], top: int) -> tuple[int, int]:
        lo = best_side(*(0 if v is None else v for v in pair))
        hi = best_side(*(top if v is None else v for v in pair))
        return lo, hi

    m3, m1 = bounds(l3_motor, 5), bounds(s1_motor, 5)
    t3, t1 = bounds(l3_light_touch, 2), bounds(s1_light_touch, 2)
    low = van_middendorp_score(age_years, m3[0], m1[0], t3[0], t1[0])
    high = van_middendorp_score(age_years, m3[1], m1[1], t3[1], t1[1])
    return WalkingPrognosis(
        True,
        f"exam {days_since_injury_at_exam} days after injury, within the rule's "
        f"{DERIVATION_EXAM_MAX_DAYS}-day window",
        low,
        high,
        VAN_MIDDENDORP.probability(low),
        VAN_MIDDENDORP.probability(high),
    )
