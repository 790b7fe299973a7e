"""Cohort response rates: stated responder definitions, honest denominators, strata beside history.

Responder definitions are data (:class:`AisImprovement`, :class:`ScoreGain`) and always render a
human-readable definition; nothing here prints "success rate" without it (:func:`describe`).

Each patient gets one status per definition:

* **responder** / **non-responder**: from the follow-up nearest ``by_day`` days after the baseline
  exam, inside ``by_day ± window_days`` (later one on a tie), that has the measure recorded;
* **undetermined**: that follow-up leaves the answer open (e.g. baseline A, follow-up ``A,B``);
* **lost to follow-up**: no usable follow-up in the window although the window has passed;
* **not yet due**: the window has not ended (``observed_until`` < ``by_day + window_days``);
  these are left out of every denominator and counted separately.

Rates (Wilson 95% intervals, :mod:`.intervals`), denominator ``N`` = everyone due::

    headline   = worst case = responders / N         (lost and undetermined count as non-responders)
    best case  = (responders + lost + undetermined) / N
    complete-case (shown for information) = responders / (responders + non-responders)

Results are labelled "uncontrolled single-arm" unless a concurrent control group is given (the
sheet §9 T10: "Label single-arm results 'uncontrolled'"). Strata (baseline AIS, level group,
phase; the sheet §9 T10) each carry their natural-history reference from :mod:`.comparator`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

from cordtrack.clinical.numbers import check_fields

from .change import Assessment, ChangeRange, Measure, Tri, ais_change, grade_set
from .comparator import ComparatorProfile, NaturalHistory, natural_history
from .groups import DEFAULT_PHASE_CUTOFFS, LevelGroup, Phase, PhaseCutoffs, level_group, phase_of
from .intervals import RateInterval, format_percent, wilson_interval
from .references import ReferenceOutcome

__all__ = [
    "UNCONTROLLED",
    "AisImprovement",
    "ChangeFn",
    "CohortRate",
    "FollowUp",
    "PatientCourse",
    "ResponderDefinition",
    "ResponseStatus",
    "ScoreGain",
    "Stratum",
    "StratumKey",
    "cohort_rate",
    "describe",
    "group_reference",
    "rate_of_counts",
    "reference_for",
    "select",
    "stratify",
]

UNCONTROLLED: Final = "uncontrolled single-arm"
_DAYS_PER_MONTH: Final = 365.25 / 12
#: A definition's day after baseline and window, whole days (the least of each).
_DAYS: Final = {"by_day": 1, "window_days": 0}
_SCORE_MEASURES: Final = frozenset(
    {Measure.UEMS, Measure.LEMS, Measure.LT, Measure.PP, Measure.SCIM_III, Measure.WISCI_II}
)


@dataclass(frozen=True, slots=True)
class FollowUp:
    """An assessment ``day`` days after the baseline exam."""

    day: int
    assessment: Assessment


@dataclass(frozen=True, slots=True)
class PatientCourse:
    """One patient's baseline, follow-ups and the attributes cohorts are selected by.

    ``observed_until``: days after baseline up to which follow-up could have happened (e.g. today
    minus the baseline date); None means the patient is due for every window. ``tags`` hold
    site, protocol, cell type, route… as the registry names them.
    """

    patient_id: str
    baseline: Assessment
    days_since_injury_at_baseline: int | None
    follow_ups: tuple[FollowUp, ...] = ()
    observed_until: int | None = None
    age_years: float | None = None
    tags: Mapping[str, str] = field(default_factory=dict)


class ResponseStatus(StrEnum):
    RESPONDER = "responder"
    NON_RESPONDER = "non-responder"
    UNDETERMINED = "undetermined"
    LOST = "lost to follow-up"
    NOT_YET_DUE = "not yet due"


def _when(by_day: int) -> str:
    months = by_day / _DAYS_PER_MONTH
    return f"{round(months)} months" if abs(months - round(months)) < 0.1 else f"day {by_day}"


#: (baseline, follow-up) -> whether the follow-up meets the definition, None if not recorded.
ChangeFn = Callable[[Assessment, Assessment], Tri | None]


def _status_at(
    by_day: int, window_days: int, course: PatientCourse, answer: ChangeFn
) -> ResponseStatus:
    """Status from the usable follow-up nearest ``by_day`` within the window (see module doc)."""
    if course.observed_until is not None and course.observed_until < by_day + window_days:
        return ResponseStatus.NOT_YET_DUE
    usable = [
        (abs(f.day - by_day), -f.day, tri)
        for f in course.follow_ups
        if abs(f.day - by_day) <= window_days
        and (tri := answer(course.baseline, f.assessment)) is not None
    ]
    if not usable:
        return ResponseStatus.LOST
    tri = min(usable, key=lambda u: (u[0], u[1]))[2]
    return {
        Tri.YES: ResponseStatus.RESPONDER,
        Tri.NO: ResponseStatus.NON_RESPONDER,
        Tri.UNDETERMINED: ResponseStatus.UNDETERMINED,
    }[tri]


def _window_text(by_day: int, window_days: int) -> str:
    return f"assessed {by_day - window_days}-{by_day + window_days} days after baseline"


@dataclass(frozen=True, slots=True)
class AisImprovement:
    """Responder: AIS improved by at least ``grades`` grades at ``by_day`` (± ``window_days``)."""

    grades: int = 1
    by_day: int = 365
    window_days: int = 45

    def __post_init__(self) -> None:
        check_fields(self, whole={"grades": 1, **_DAYS})

    @property
    def definition(self) -> str:
        return (
            f"≥{self.grades} AIS grade improvement at {_when(self.by_day)}, "
            f"{_window_text(self.by_day, self.window_days)}"
        )

    def status(self, course: PatientCourse) -> ResponseStatus:
        def answer(base: Assessment, follow: Assessment) -> Tri | None:
            change = ais_change(base.ais, follow.ais)
            return None if change is None else change.at_least(self.grades)

        return _status_at(self.by_day, self.window_days, course, answer)

    def reference_outcome(self) -> tuple[ReferenceOutcome, int] | None:
        return ReferenceOutcome.AIS_IMPROVEMENT, self.grades


@dataclass(frozen=True, slots=True)
class ScoreGain:
    """Responder: ``measure`` (UEMS, LEMS, LT, PP, SCIM III, WISCI II) gained ``>= at_least``."""

    measure: str = Measure.LEMS.value
    at_least: float = 1
    by_day: int = 365
    window_days: int = 45

    def __post_init__(self) -> None:
        if Measure(self.measure) not in _SCORE_MEASURES:
            raise ValueError(f"ScoreGain supports {sorted(m.value for m in _SCORE_MEASURES)}")
        check_fields(self, whole=_DAYS, real=("at_least",))  # NaN: no gain compares, no responder

    @property
    def definition(self) -> str:
        return (
            f"{self.measure} gain ≥{self.at_least:g} points at {_when(self.by_day)}, "
            f"{_window_text(self.by_day, self.window_days)}"
        )

    def status(self, course: PatientCourse) -> ResponseStatus:
        m = Measure(self.measure)

        def answer(base: Assessment, follow: Assessment) -> Tri | None:
            b, f = base.value(m), follow.value(m)
            if not isinstance(b, int) or not isinstance(f, int):
                return None
            return ChangeRange(f - b, f - b).at_least(self.at_least)

        return _status_at(self.by_day, self.window_days, course, answer)

    def reference_outcome(self) -> tuple[ReferenceOutcome, int] | None:
        outcome = {
            Measure.UEMS: ReferenceOutcome.UEMS_GAIN,
            Measure.LEMS: ReferenceOutcome.LEMS_GAIN,
        }.get(Measure(self.measure))
        return None if outcome is None else (outcome, 1)


ResponderDefinition = AisImprovement | ScoreGain


@dataclass(frozen=True, slots=True)
class CohortRate:
    """Counts and rates of one cohort under one definition (intervals None when ``due == 0``)."""

    definition: str
    responders: int
    non_responders: int
    undetermined: int
    lost: int
    not_yet_due: int
    rate: RateInterval | None  # worst case: lost and undetermined as non-responders
    best_case: RateInterval | None
    complete_case: RateInterval | None
    control: CohortRate | None = None

    @property
    def due(self) -> int:
        return self.responders + self.non_responders + self.undetermined + self.lost

    @property
    def controlled(self) -> bool:
        return self.control is not None

    @property
    def design_label(self) -> str:
        return "with a concurrent control group" if self.controlled else UNCONTROLLED


def _wilson_or_none(events: int, total: int) -> RateInterval | None:
    return wilson_interval(events, total) if total else None


def cohort_rate(
    courses: Iterable[PatientCourse],
    definition: ResponderDefinition,
    control: Iterable[PatientCourse] | None = None,
) -> CohortRate:
    """The response rate of ``courses`` under ``definition`` (rules in the module docstring)."""
    counts = dict.fromkeys(ResponseStatus, 0)
    for course in courses:
        counts[definition.status(course)] += 1
    return rate_of_counts(
        definition, counts, None if control is None else cohort_rate(control, definition)
    )


def rate_of_counts(
    definition: ResponderDefinition,
    counts: Mapping[ResponseStatus, int],
    control: CohortRate | None = None,
) -> CohortRate:
    """The :class:`CohortRate` of patients counted by status (shared with :mod:`.batch`)."""
    r, nr = counts[ResponseStatus.RESPONDER], counts[ResponseStatus.NON_RESPONDER]
    u, lost = counts[ResponseStatus.UNDETERMINED], counts[ResponseStatus.LOST]
    due = r + nr + u + lost
    return CohortRate(
        definition.definition,
        r,
        nr,
        u,
        lost,
        counts[ResponseStatus.NOT_YET_DUE],
        _wilson_or_none(r, due),
        _wilson_or_none(r + u + lost, due),
        _wilson_or_none(r, r + nr),
        control,
    )


def _ci(interval: RateInterval) -> str:
    return (
        f"{format_percent(interval.estimate)}, 95% CI {format_percent(interval.low)}–"
        f"{format_percent(interval.high)}"
    )


def describe(rate: CohortRate, label: str = "Responders") -> str:
    """One sentence with the definition always beside the figure, e.g.

    "Responders (≥1 AIS grade improvement at 12 months, assessed 320-410 days after baseline):
    7 of 20 (35%, 95% CI 18%–57%), uncontrolled single-arm; 3 lost to follow-up: 35%–50% in
    worst/best case". ``label="Success rate"`` gives "Success rate (defined as …)".
    """
    head = f"{label} ({'defined as ' if 'success' in label.lower() else ''}{rate.definition})"
    if rate.rate is None or rate.best_case is None:
        text = f"{head}: no patient due for assessment, no rate ({rate.design_label})"
    else:
        text = f"{head}: {rate.responders} of {rate.due} ({_ci(rate.rate)}), {rate.design_label}"
        if rate.lost or rate.undetermined:
            missing = []
            if rate.lost:
                missing.append(f"{rate.lost} lost to follow-up")
            if rate.undetermined:
                missing.append(f"{rate.undetermined} undetermined")
            text += (
                f"; {' and '.join(missing)}: {format_percent(rate.rate.estimate)}–"
                f"{format_percent(rate.best_case.estimate)} in worst/best case"
            )
    if rate.not_yet_due:
        text += f"; {rate.not_yet_due} not yet due, not counted"
    if rate.control is not None:
        c = rate.control
        shown = f"{c.responders} of {c.due} ({_ci(c.rate)})" if c.rate else "none due"
        text += f"; concurrent control: {shown}"
    return text


def select(
    courses: Iterable[PatientCourse],
    *,
    baseline_ais: str | None = None,
    phase: Phase | None = None,
    cutoffs: PhaseCutoffs = DEFAULT_PHASE_CUTOFFS,
    **tags: str,
) -> list[PatientCourse]:
    """Courses matching every given tag (site, protocol, cell_type, route…), AIS and phase."""

    def keep(c: PatientCourse) -> bool:
        if any(c.tags.get(k) != v for k, v in tags.items()):
            return False
        if baseline_ais is not None and grade_set(c.baseline.ais) != frozenset({baseline_ais}):
            return False
        return phase is None or _phase(c, cutoffs) == phase.value

    return [c for c in courses if keep(c)]


class StratumKey(StrEnum):
    AIS = "baseline AIS"
    LEVEL = "level group"
    PHASE = "phase"


def _ais(c: PatientCourse) -> str:
    grades = grade_set(c.baseline.ais)
    return next(iter(grades)) if grades and len(grades) == 1 else "undetermined"


def _level(c: PatientCourse) -> str:
    group = level_group(c.baseline.nli)
    return group.value if group else "unknown"


def _phase(c: PatientCourse, cutoffs: PhaseCutoffs) -> str:
    day = c.days_since_injury_at_baseline
    return "unknown" if day is None else phase_of(day, cutoffs).value


@dataclass(frozen=True, slots=True)
class Stratum:
    """One stratum: its key values (absent keys not stratified), rate, reference and members."""

    key: tuple[tuple[StratumKey, str], ...]
    rate: CohortRate
    reference: NaturalHistory
    members: tuple[PatientCourse, ...] = ()

    def label(self) -> str:
        return ", ".join(f"{k.value} {v}" for k, v in self.key) or "all patients"


def reference_for(
    courses: Sequence[PatientCourse], definition: ResponderDefinition
) -> NaturalHistory:
    """The natural-history reference of a group of patients.

    Their baseline AIS must be one grade for all; the level group is used when shared; the
    baseline-exam day is the latest in the group, so each table's window covers every member.
    """
    target = definition.reference_outcome()
    if target is None:
        return NaturalHistory(
            ReferenceOutcome.AIS_IMPROVEMENT, False,
            reason=f"the evidence sheet has no natural-history figure for "
            f"'{definition.definition}'",
        )  # fmt: skip
    if not courses:
        return NaturalHistory(target[0], False, reason="no patients in this group")
    days = [c.days_since_injury_at_baseline for c in courses]
    known_days = [d for d in days if d is not None]
    return group_reference(
        definition,
        {_ais(c) for c in courses},
        {level_group(c.baseline.nli) for c in courses},
        max(known_days) if len(known_days) == len(days) else None,
    )


def group_reference(
    definition: ResponderDefinition,
    grades_seen: set[str],
    groups: set[LevelGroup | None],
    latest_day: int | None,
) -> NaturalHistory:
    """:func:`reference_for` a non-empty group from its members' baseline AIS labels, level
    groups and latest baseline-exam day (None if any is unknown); shared with :mod:`.batch`."""
    outcome, grades = definition.reference_outcome() or (ReferenceOutcome.AIS_IMPROVEMENT, 1)
    group: LevelGroup | None = next(iter(groups)) if len(groups) == 1 else None
    profile = ComparatorProfile(
        baseline_ais=next(iter(grades_seen)) if len(grades_seen) == 1
        else ",".join(sorted(grades_seen)),
        days_since_injury_at_baseline=latest_day,
        level_group=group,
    )  # fmt: skip
    return natural_history(profile, outcome, grades)


def stratify(
    courses: Sequence[PatientCourse],
    definition: ResponderDefinition,
    by: Sequence[StratumKey] = (StratumKey.AIS, StratumKey.LEVEL, StratumKey.PHASE),
    cutoffs: PhaseCutoffs = DEFAULT_PHASE_CUTOFFS,
) -> tuple[Stratum, ...]:
    """Rates by the chosen keys, each beside its natural-history reference, in a stable order."""
    keyers: dict[StratumKey, Callable[[PatientCourse], str]] = {
        StratumKey.AIS: _ais,
        StratumKey.LEVEL: _level,
        StratumKey.PHASE: lambda c: _phase(c, cutoffs),
    }
    groups: dict[tuple[tuple[StratumKey, str], ...], list[PatientCourse]] = {}
    for course in courses:
        key = tuple((k, keyers[k](course)) for k in by)
        groups.setdefault(key, []).append(course)
    return tuple(
        Stratum(
            key,
            cohort_rate(members, definition),
            reference_for(members, definition),
            tuple(members),
        )
        for key, members in sorted(groups.items())
    )
