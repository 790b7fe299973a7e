"""The cited natural-history figures, matched to a patient by baseline AIS, level and exam timing.

Nothing here holds a figure of its own: every value is a :class:`cordtrack.clinical.evidence.
Figure` read from the package's evidence data (copied from clinical-evidence.md, "the sheet", and
natural-history.md, with sources). Matching rules, shared by the comparator (every figure that
applies, for display) and by observed-versus-expected (one figure per patient, :mod:`.expected`):

* **What**: the outcome (AIS improvement by at least ``grades`` grades, UEMS, LEMS or total motor
  change) and the baseline grade must be those of the figure; only figures of recovery without
  experimental treatment (``kind == "natural"``) are used. Placebo arms, pooled analyses that
  include treated arms and rehabilitation effects are data too, but never an expectation.
* **When**: the patient's baseline exam (days after injury) must fall inside the figure's
  baseline-exam window (``<=7 d``, ``21-45 d``...): the earlier the exam, the more spontaneous
  recovery follows it (the sheet §1.1). A figure whose window the guides do not state is shown for
  exams within 30 days with that caveat, never used as an expectation.
* **Who**: the figure's population (an NLI range: "tetraplegia" is C1-C8, "above T11" C1-T10...)
  must contain the patient's NLI, or, when only the level group is known, the whole group.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from cordtrack.clinical.evidence import Figure, Outcome, natural_history
from cordtrack.isncsci.types import RESULT_LEVELS

from .change import SetValue, Tri, possible_names
from .groups import LEVEL_RANK, LevelGroup
from .said import Said

__all__ = [
    "GROUP_LEVELS",
    "UNTIMED_MAX_DAYS",
    "Reference",
    "ReferenceOutcome",
    "candidates",
    "in_population",
    "reference_of",
    "specificity",
]

#: A figure without a stated baseline window is shown for exams up to this day (never expected).
UNTIMED_MAX_DAYS: Final = 30
#: The NLI range of each level group (the sheet §9 T10).
GROUP_LEVELS: Final = {
    LevelGroup.CERVICAL: ("C1", "C8"),
    LevelGroup.T1_T9: ("T1", "T9"),
    LevelGroup.T10_AND_BELOW: ("T10", RESULT_LEVELS[-1]),
}


class ReferenceOutcome(StrEnum):
    AIS_IMPROVEMENT = "AIS improvement"
    UEMS_GAIN = "UEMS gain"
    LEMS_GAIN = "LEMS gain"
    TOTAL_MOTOR_GAIN = "total motor gain"


_FIGURE_OUTCOME: Final = {
    ReferenceOutcome.AIS_IMPROVEMENT: Outcome.AIS_IMPROVEMENT,
    ReferenceOutcome.UEMS_GAIN: Outcome.UEMS,
    ReferenceOutcome.LEMS_GAIN: Outcome.LEMS,
    ReferenceOutcome.TOTAL_MOTOR_GAIN: Outcome.TOTAL_MOTOR,
}
#: Motor statistics that are a mean change (or its range), hence usable as an expected change.
_CHANGE_STATISTICS: Final = frozenset(
    {"mean change", "mean change (range)", "mean change (range of level means)"}
)
_TOTAL_MOTOR_MAX: Final = 100  # UEMS 0-50 + LEMS 0-50 (the sheet §9 T6)


@dataclass(frozen=True, slots=True)
class Reference:
    """One natural-history figure as a report shows it.

    ``value`` is a percentage (``unit == "%"``) or mean points (``unit == "points"``); for the AIS D
    proportional rule it is the expected gain of this patient [derived].
    """

    outcome: ReferenceOutcome
    description: str
    value: float
    unit: str
    population: str
    baseline_window: str
    source: str
    n: int | None = None
    note: str = ""
    figure_id: str = ""
    url: str = ""
    follow_up: str = ""
    sd: float | None = None
    #: The description when this module words it (not the data's own phrase), as a code.
    description_said: Said | None = None


def reference_of(
    figure: Figure, outcome: ReferenceOutcome, baseline_total_motor: int | None = None
) -> Reference:
    """The display form of ``figure`` (the AIS D proportional rule applied when asked)."""
    notes = [n for n in (figure.derived and f"[derived] {figure.derived}", figure.note) if n]
    value = figure.value
    description = figure.description
    said = None
    if figure.statistic == "share of available gain" and baseline_total_motor is not None:
        room = _TOTAL_MOTOR_MAX - baseline_total_motor
        value = round(figure.value * room, 1)
        description = f"expected total motor gain = {figure.value:g} x (100 - baseline)"
        said = Said("proportional-motor-gain", description, {"share": f"{figure.value:g}"})
        notes.insert(0, f"[derived] {figure.value:g} x {room} available points")
    elif figure.value_high is not None:
        notes.insert(0, f"reported as {figure.shown()}; the lower end is used")
    if figure.upper_bound:
        notes.insert(0, "reported as an upper bound (<=)")
    if not figure.baseline.timed:
        notes.append(f"baseline-exam window not stated; shown for exams <= {UNTIMED_MAX_DAYS} d")
    return Reference(
        outcome, description, value, figure.unit, figure.population, figure.baseline.text,
        figure.citation, figure.n, "; ".join(notes), figure.id, figure.source.url,
        figure.follow_up, figure.sd, said,
    )  # fmt: skip


def _window_covers(figure: Figure, day: int, *, timed_only: bool) -> bool:
    if figure.baseline.timed:
        return figure.baseline.covers(day)
    return not timed_only and 0 <= day <= UNTIMED_MAX_DAYS


def candidates(
    outcome: ReferenceOutcome,
    grade: str,
    day: int,
    grades: int = 1,
    *,
    timed_only: bool = False,
    baseline_total_motor: int | None = None,
) -> Iterable[Figure]:
    """Natural-recovery figures for ``outcome`` after a baseline exam ``day`` days after injury
    with AIS ``grade`` (population not checked), in data order."""
    wanted = _FIGURE_OUTCOME[outcome]
    for figure in natural_history():
        if figure.outcome is not wanted or not figure.natural:
            continue
        if grade not in figure.baseline_grades:
            continue
        if figure.follow_up_days is None or not _window_covers(figure, day, timed_only=timed_only):
            continue
        if outcome is ReferenceOutcome.AIS_IMPROVEMENT:
            if figure.grades_at_least == grades:
                yield figure
        elif figure.statistic in _CHANGE_STATISTICS or (
            figure.statistic == "share of available gain" and baseline_total_motor is not None
        ):
            yield figure


def _rank(level: str) -> int:
    return LEVEL_RANK[level]


def in_population(figure: Figure, nli: SetValue, group: LevelGroup | None) -> Tri:
    """Whether the patient's NLI (every possible one) lies in ``figure``'s population."""
    names = possible_names(nli)
    if names and all(n in LEVEL_RANK for n in names):
        answers = {figure.covers_level(n) for n in names}
        return Tri.YES if answers == {True} else Tri.NO if answers == {False} else Tri.UNDETERMINED
    if group is None:
        whole = figure.levels == (RESULT_LEVELS[0], RESULT_LEVELS[-1])
        return Tri.YES if whole else Tri.UNDETERMINED
    low, high = GROUP_LEVELS[group]
    lo, hi = _rank(figure.levels[0]), _rank(figure.levels[1])
    if lo <= _rank(low) and _rank(high) <= hi:
        return Tri.YES
    if hi < _rank(low) or _rank(high) < lo:
        return Tri.NO
    return Tri.UNDETERMINED


def specificity(figure: Figure) -> tuple[int, int, int, int, str]:
    """Sort key, best first: the narrowest population, then the narrowest baseline window, then a
    reported N (larger first), then the id (so the choice is stable)."""
    span = _rank(figure.levels[1]) - _rank(figure.levels[0])
    low = figure.baseline.min_days or 0
    width = (figure.baseline.max_days if figure.baseline.max_days is not None else 10**6) - low
    return (span, width, 0 if figure.n else 1, -(figure.n or 0), figure.id)
