"""Which baseline AIS x level group x outcome combinations have a natural-history reference.

For each outcome a report compares against (at least one / two AIS grades better at 12 months;
UEMS, LEMS and total motor change at 12 months), each baseline AIS (A-D) and each level group
(cervical, T1-T9, T10 and below), :func:`coverage` asks :mod:`.expected` and :mod:`.expected_change`
for every baseline-exam day from 0 to 400 which figure a patient of the whole group would be
compared with, and returns the day ranges with their figure. Figures whose population covers only
part of the group (e.g. T2-T12 inside T1-T9) are listed as partial. ``docs/evidence-coverage.md`` is
this table as Markdown (:func:`markdown`; a test keeps the page equal to it).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from cordtrack.clinical.evidence import EVIDENCE_VERSION, Figure, natural_history
from cordtrack.isncsci.types import RESULT_LEVELS

from .change import Assessment, Tri
from .cohort import AisImprovement, FollowUp, PatientCourse
from .expected import expectation
from .expected_change import _figure_for
from .groups import LEVEL_RANK, LevelGroup
from .references import GROUP_LEVELS, ReferenceOutcome, candidates, in_population

__all__ = ["COVERAGE_OUTCOMES", "LAST_DAY", "Cell", "Span", "coverage", "markdown"]

LAST_DAY: Final = 400
GRADES: Final = ("A", "B", "C", "D")
#: (label, outcome, grades) of every outcome the coverage table covers, 12 months after baseline.
COVERAGE_OUTCOMES: Final = (
    ("≥1 AIS grade at 12 months", ReferenceOutcome.AIS_IMPROVEMENT, 1),
    ("≥2 AIS grades at 12 months", ReferenceOutcome.AIS_IMPROVEMENT, 2),
    ("UEMS change at 12 months", ReferenceOutcome.UEMS_GAIN, 0),
    ("LEMS change at 12 months", ReferenceOutcome.LEMS_GAIN, 0),
    ("total motor change at 12 months", ReferenceOutcome.TOTAL_MOTOR_GAIN, 0),
)


@dataclass(frozen=True, slots=True)
class Span:
    first_day: int
    last_day: int
    figure: Figure

    def days(self) -> str:
        if self.last_day >= LAST_DAY:
            return f"day {self.first_day}+"
        return f"days {self.first_day}-{self.last_day}"


@dataclass(frozen=True, slots=True)
class Cell:
    outcome: str
    grade: str
    group: LevelGroup
    spans: tuple[Span, ...]
    partial: tuple[Figure, ...]

    @property
    def covered(self) -> bool:
        return bool(self.spans)


def _group_nli(group: LevelGroup) -> str:
    low, high = GROUP_LEVELS[group]
    return ",".join(RESULT_LEVELS[LEVEL_RANK[low] : LEVEL_RANK[high] + 1])


def _figure_on(
    outcome: ReferenceOutcome, grades: int, grade: str, nli: str, day: int
) -> Figure | None:
    baseline = Assessment(ais=grade, nli=nli, uems=25, lems=25)
    course = PatientCourse("coverage", baseline, day, (FollowUp(365, baseline),))
    if outcome is ReferenceOutcome.AIS_IMPROVEMENT:
        return expectation(course, AisImprovement(grades=grades)).figure
    found = _figure_for(course, outcome, 365, 45)
    return None if isinstance(found, str) else found


def _breakpoints() -> list[int]:
    """The days where some figure's baseline window starts or ends: the choice can change only
    there, so each span is found by asking once per breakpoint."""
    days = {0, LAST_DAY + 1}
    for f in natural_history():
        if f.baseline.min_days is not None:
            days.add(f.baseline.min_days)
        if f.baseline.max_days is not None:
            days.add(f.baseline.max_days + 1)
    return sorted(d for d in days if d <= LAST_DAY + 1)


def _spans(outcome: ReferenceOutcome, grades: int, grade: str, nli: str) -> Iterator[Span]:
    points = _breakpoints()
    found = [_figure_on(outcome, grades, grade, nli, day) for day in points[:-1]]
    current: Figure | None = None
    start = 0
    for day, figure in zip(points, [*found, None], strict=True):
        if figure is not current:
            if current is not None:
                yield Span(start, day - 1, current)
            current, start = figure, day


def _partial(
    outcome: ReferenceOutcome, grades: int, grade: str, group: LevelGroup
) -> tuple[Figure, ...]:
    seen: dict[str, Figure] = {}
    for day in _breakpoints()[:-1]:
        for f in candidates(
            outcome, grade, day, max(grades, 1), timed_only=True, baseline_total_motor=50
        ):
            if in_population(f, None, group) is Tri.UNDETERMINED:
                seen.setdefault(f.id, f)
    return tuple(seen.values())


def coverage() -> tuple[Cell, ...]:
    """Every outcome x baseline AIS x level group, with the day ranges that have a reference."""
    cells = []
    for label, outcome, grades in COVERAGE_OUTCOMES:
        for grade in GRADES:
            for group in LevelGroup:
                nli = _group_nli(group)
                spans = tuple(_spans(outcome, grades, grade, nli))
                cells.append(
                    Cell(label, grade, group, spans, _partial(outcome, grades, grade, group))
                )
    return tuple(cells)


def _describe(span: Span) -> str:
    f = span.figure
    n = f"N {f.n}" if f.n else "N not reported"
    return f"{span.days()}: {f.shown()} ({f.source.key}, {f.population}, {n})"


def markdown() -> str:
    """The coverage table as the Markdown of ``docs/evidence-coverage.md``."""
    lines = [
        "# Evidence coverage: which patients have a natural-history reference",
        "",
        "Generated by `cordtrack evidence coverage` from the evidence data "
        f"(version {EVIDENCE_VERSION}); `tests/unit/outcomes/test_coverage.py` keeps this page "
        "equal to it. Each cell says for which baseline-exam days (days after injury) a patient "
        "whose NLI lies anywhere in the level group is compared with a figure, which figure "
        "(value, source key, population, N), and which figures apply only to part of the group. "
        '"none" means the report counts and names such patients as having no reference. '
        'Rules: docs/outcomes.md, "Observed versus expected"; sources: docs/evidence.md.',
        "",
        "No 12-month figure exists for baseline exams 31-365 days after injury (except the "
        "1-month LEMS figure of Waters 1994) nor for chronic injuries: the chronic figures "
        "(APMR 2004) span years 1 to 5. The comparator still shows them beside a patient; "
        "observed versus expected does not use them.",
        "",
    ]
    for label, _, _ in COVERAGE_OUTCOMES:
        lines += [
            f"## {label}",
            "",
            "| Baseline AIS | Level group | Reference by baseline-exam day "
            "| Only for part of the group |",
            "|---|---|---|---|",
        ]
        for cell in coverage():
            if cell.outcome != label:
                continue
            spans = "<br>".join(_describe(s) for s in cell.spans) or "none"
            partial = "; ".join(f"{f.source.key} ({f.population})" for f in cell.partial) or "—"
            lines.append(f"| {cell.grade} | {cell.group.value} | {spans} | {partial} |")
        lines.append("")
    return "\n".join(lines)
