"""The natural-recovery comparator: what comparable patients show without experimental treatment.

Every figure comes from the package's evidence data (``cordtrack.clinical.evidence``, copied from
clinical-evidence.md, "the sheet", and natural-history.md) and is returned with its source, the
population it describes and its baseline-exam window. Several studies usually match; all are
returned, never one number as "the" rate (the sheet, §9 T1). When no figure covers a patient the
result is *not comparable*, with the reason. The matching rules are those of :mod:`.references`:

* **Baseline AIS** must be determined (one grade); a set such as ``C,D`` is not comparable.
* **Time since injury at the baseline exam** must fall inside each figure's own window (``<=7 d``,
  ``<=30 d``, ``21-45 d``, ``>=1 year``...): the earlier the baseline exam, the more spontaneous
  recovery follows it (the sheet §1.1). Figures whose window the guides do not state (Steeves 2011)
  are shown for exams within 30 days, with that caveat. The guides have no AIS figure for baseline
  exams 31-365 days after injury; chronic figures (APMR 2004) span years 1 to 5.
* **Level.** Each figure's population is an NLI range ("tetraplegia" = C1-C8). A figure is used
  when the patient's NLI lies inside it; when only the level group is known, when the whole group
  does. A figure left out for an unknown level is named in a caveat.
* **Age.** No encoded table is stratified by age; when an age is given the result says so (age has
  a negative effect on recovery, cut-off unclear: Kirshblum 2021 abstract, the sheet §2.3).

The phases used to stratify cohorts (:mod:`.groups`) are configurable; the comparator ignores them
and always matches on each figure's own window. :mod:`.expected` picks one figure per patient.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cordtrack.clinical.prognosis import (
    DERIVATION_EXAM_MAX_DAYS,
    VAN_MIDDENDORP,
    best_side,
    exam_within_derivation_window,
    van_middendorp_score,
)
from cordtrack.isncsci.types import AIS_GRADES

from .change import SetValue, Tri, grade_set
from .groups import ACUTE_MAX_DAYS, LevelGroup, level_group
from .references import Reference, ReferenceOutcome, candidates, in_population, reference_of
from .said import Said

__all__ = [
    "ComparatorProfile",
    "NaturalHistory",
    "WalkingPrognosis",
    "natural_history",
    "walking_prognosis",
]


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
    """The references that apply, or ``comparable=False`` with ``reason``.

    ``why`` and ``said_caveats`` are ``reason`` and ``caveats`` as codes with parameters (the same
    English), for readers of other languages; a caller that builds its own ``NaturalHistory``
    (the cohort reports) may leave them empty.
    """

    outcome: ReferenceOutcome
    comparable: bool
    references: tuple[Reference, ...] = ()
    reason: str = ""
    caveats: tuple[str, ...] = field(default=())
    why: Said | None = None
    said_caveats: tuple[Said, ...] = field(default=())

    @property
    def value_range(self) -> tuple[float, float] | None:
        values = [r.value for r in self.references]
        return (min(values), max(values)) if values else None


def natural_history(
    profile: ComparatorProfile,
    outcome: ReferenceOutcome = ReferenceOutcome.AIS_IMPROVEMENT,
    grades: int = 1,
) -> NaturalHistory:
    """The natural-history references for ``profile`` (see the module docstring for the rules).

    ``grades`` is the AIS improvement asked about (``outcome=AIS_IMPROVEMENT``): 1 = at least one
    grade. Percentages are 0-100; motor gains are mean points.
    """

    def no(why: Said) -> NaturalHistory:
        return NaturalHistory(outcome, False, reason=why.english, why=why,
                              caveats=_english(caveats), said_caveats=tuple(caveats))  # fmt: skip

    caveats: list[Said] = []
    if profile.age_years is not None:
        caveats.append(Said(
            "age-not-stratified",
            "the encoded natural-history tables are not stratified by age; age has a "
            "negative effect on recovery, cut-off (>50 or >65) unclear (Kirshblum 2021)",
            {"source": "Kirshblum 2021"},
        ))  # fmt: skip
    grade_values = grade_set(profile.baseline_ais)
    if grade_values is None:
        return no(
            Said(
                "ais-not-recorded",
                "baseline AIS undetermined (not recorded): no table can be chosen",
            )
        )
    if len(grade_values) != 1:
        shown = ",".join(sorted(grade_values))
        return no(Said("ais-undetermined",
                       f"baseline AIS undetermined ({shown}): no table can be chosen",
                       {"grades": shown}))  # fmt: skip
    (grade,) = grade_values
    if grades < 1:
        raise ValueError("grades must be at least 1")
    if outcome is ReferenceOutcome.AIS_IMPROVEMENT and AIS_GRADES.index(grade) + grades >= len(
        AIS_GRADES
    ):
        return no(Said("ais-cannot-improve", f"AIS {grade} cannot improve by {grades} grade(s)",
                       {"grade": grade, "count": grades}))  # fmt: skip
    day = profile.days_since_injury_at_baseline
    if day is None:
        return no(
            Said(
                "injury-day-unknown",
                "time from injury to the baseline exam unknown: every table depends on it",
            )
        )
    if day < 0:
        return no(Said("exam-before-injury", "the baseline exam is dated before the injury"))
    found = list(candidates(outcome, grade, day, grades,
                            baseline_total_motor=profile.baseline_total_motor))  # fmt: skip
    kept: list[Reference] = []
    for figure in found:
        match = in_population(figure, profile.nli, profile.group)
        if match is Tri.YES:
            kept.append(reference_of(figure, outcome, profile.baseline_total_motor))
        elif match is Tri.UNDETERMINED:
            caveats.append(Said(
                "level-not-known",
                f"not used, level not known to be {figure.population}: {figure.citation}",
                {"population": figure.population, "source": figure.citation},
            ))  # fmt: skip
    if kept and day <= ACUTE_MAX_DAYS:
        caveats.append(Said(
            "acute-recovery-spontaneous",
            "acute and subacute recovery is large and mostly spontaneous: an uncontrolled "
            "improvement cannot be attributed to a treatment (the sheet §1.6)",
        ))  # fmt: skip
    if grade == "B" and outcome is ReferenceOutcome.AIS_IMPROVEMENT:
        caveats.append(Said(
            "ais-b-pooled-missing",
            "a pooled all-levels AIS B conversion table (Kirshblum 2021) was not retrieved "
            "(the sheet §1.3, [UNCONFIRMED]); Kirshblum 2016 and van Middendorp 2009 are used",
            {"pooled": "Kirshblum 2021", "first": "Kirshblum 2016",
             "second": "van Middendorp 2009"},
        ))  # fmt: skip
    if not kept:
        where = profile.group.value if profile.group else "level unknown"
        gap = ACUTE_MAX_DAYS < day <= 365
        tail = " (the guides have no AIS figure for baseline exams 31-365 days after injury)"
        return no(Said(
            "no-figure-in-gap" if gap else "no-figure",
            f"no figure in the evidence data gives {outcome.value} for baseline AIS {grade}, "
            f"{where}, baseline exam {day} days after injury{tail if gap else ''}",
            {"outcome": outcome.value, "grade": grade, "where": where, "count": day},
        ))  # fmt: skip
    return NaturalHistory(outcome, True, tuple(kept), caveats=_english(caveats),
                          said_caveats=tuple(caveats))  # fmt: skip


def _english(said: list[Said]) -> tuple[str, ...]:
    """The caveats as the English strings they have always been (in the coded ones' order)."""
    return tuple(s.english for s in said)


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
    #: ``reason`` as a code with parameters (the same English), for readers of other languages.
    why: Said | None = None


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
    days = days_since_injury_at_exam
    if not exam_within_derivation_window(days):
        outside = Said(
            "walking-rule-outside-window",
            f"exam {days} days after injury: the rule was derived on exams "
            f"within {DERIVATION_EXAM_MAX_DAYS} days (validated out to 3-90 days in one Spanish "
            "cohort, J Trauma Nurs 2022; the sheet §2.2), so it is not applied",
            {"count": days, "window": DERIVATION_EXAM_MAX_DAYS, "source": "J Trauma Nurs 2022"},
        )
        return WalkingPrognosis(False, outside.english, why=outside)

    def bounds(pair: tuple[int | None, int | None], top: int) -> tuple[int, int]:
        lo = best_side(*(0 if v is None else v for v in pair))
        hi = best_side(*(top if v is None else v for v in pair))
        return lo, hi

    m3, m1 = bounds(l3_motor, 5), bounds(s1_motor, 5)
    t3, t1 = bounds(l3_light_touch, 2), bounds(s1_light_touch, 2)
    low = van_middendorp_score(age_years, m3[0], m1[0], t3[0], t1[0])
    high = van_middendorp_score(age_years, m3[1], m1[1], t3[1], t1[1])
    inside = Said(
        "walking-rule-inside-window",
        f"exam {days} days after injury, within the rule's {DERIVATION_EXAM_MAX_DAYS}-day window",
        {"count": days, "window": DERIVATION_EXAM_MAX_DAYS},
    )
    return WalkingPrognosis(
        True,
        inside.english,
        low,
        high,
        VAN_MIDDENDORP.probability(low),
        VAN_MIDDENDORP.probability(high),
        why=inside,
    )
