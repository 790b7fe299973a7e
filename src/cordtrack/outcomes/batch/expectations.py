"""Observed versus expected responders and motor change against natural history, on columns.

The per-patient functions (:func:`..expected.expectation`, :func:`..expected_change._figure_for`)
scan every figure of the evidence data for every patient, once per group the patient is counted
in. The figure a patient is given depends only on their baseline AIS, NLI, whether a total motor
score is known, and *which figures' baseline-exam windows contain their baseline day*; windows
are intervals, so days between two consecutive window ends (:func:`day_classes`) share every
answer. The figure is therefore looked up once per distinct (AIS, NLI, day class) by the
per-patient function itself, and only the "no figure" reason, which names the day, is written
per patient (by the same function, :func:`..expected.no_figure`, :func:`..expected_change.no_mean`).
The counts and sums then follow the per-patient order: sums of probabilities are running sums
(``np.cumsum`` adds in order, as the loop does), so E is equal to the last bit.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Final

import numpy as np
import numpy.typing as npt

from cordtrack.clinical.evidence import Figure, natural_history
from cordtrack.isncsci.result import Possible

from ..change import Measure, SetValue
from ..cohort import AisImprovement
from ..expected import FigureUse, ObservedExpected, expectation, no_figure, observed_expected_of
from ..expected_change import (
    ChangeVsExpected,
    _expected_change,
    _figure_for,
    change_vs_expected_of,
    no_mean,
)
from ..groups import LevelGroup
from ..intervals import DEFAULT_CONFIDENCE
from ..references import ReferenceOutcome
from .columns import AIS_GRADES, Bools, Columns, Ints
from .responders import LOST, NOT_YET_DUE, RESPONDER, UNDETERMINED, nearest

__all__ = [
    "Expectations",
    "Profiles",
    "change_vs_expected",
    "day_classes",
    "expectations",
    "observed_expected",
    "profiles",
]

Floats = npt.NDArray[np.float64]
_GROUPS: Final = tuple(LevelGroup)


def day_classes(columns: Columns) -> Ints:
    """Per patient: the interval between consecutive figure-window ends holding their baseline
    day; -1 for a day before the injury, -2 for an unknown day."""
    points = {0}
    for figure in natural_history():
        if figure.baseline.min_days is not None:
            points.add(figure.baseline.min_days)
        if figure.baseline.max_days is not None:
            points.add(figure.baseline.max_days + 1)
    found = np.searchsorted(np.array(sorted(points)), columns.injury_day, side="right") - 1
    found = np.where(columns.injury_day < 0, -1, found)
    return np.where(columns.injury_day_known, found, -2)


def _key(value: SetValue) -> Hashable:
    """A dictionary key equal for values the parsers read alike (a list is read as a tuple)."""
    if value is None or type(value) is str or isinstance(value, Possible):
        return value
    return tuple(value)


Profiles = list[tuple[Hashable, ...]]


def profiles(columns: Columns) -> Profiles:
    """Per patient: (baseline AIS, day class, baseline NLI), what a figure is chosen by."""
    days = day_classes(columns).tolist()
    return [(_key(c.baseline.ais), day, _key(c.baseline.nli))
            for c, day in zip(columns.courses, days, strict=True)]  # fmt: skip


def _determined(columns: Columns, i: int) -> bool:
    """One baseline grade and a known day: a missing figure's reason then names the day."""
    return bool(columns.grade[i] >= 0 and columns.injury_day_known[i])


class Expectations:
    """Each patient's expectation under one definition: figure position (-1: none) and reason."""

    def __init__(self, figures: list[Figure], index: Ints, reasons: list[str]) -> None:
        self.figures = figures
        self.index = index
        self.reasons = reasons
        self.probability: Floats = np.array([f.value / 100.0 for f in figures] + [0.0])[index]


def expectations(
    columns: Columns, definition: AisImprovement, keys: Profiles | None = None
) -> Expectations:
    """:func:`..expected.expectation` of every patient (looked up once per profile)."""
    memo: dict[tuple[Hashable, ...], Figure | str] = {}
    figures: dict[str, int] = {}
    chosen: list[Figure] = []
    index = np.full(columns.size, -1, np.int64)
    reasons = [""] * columns.size
    for i, key in enumerate(profiles(columns) if keys is None else keys):
        if key not in memo:
            found = expectation(columns.courses[i], definition)
            memo[key] = found.reason if found.figure is None else found.figure
        answer = memo[key]
        if isinstance(answer, str):
            # A determined profile (one grade, a day on or after the injury) names its day.
            day_named = _determined(columns, i) and columns.injury_day[i] >= 0
            reasons[i] = no_figure(definition, *_named(columns, i)) if day_named else answer
            continue
        if answer.id not in figures:
            figures[answer.id] = len(chosen)
            chosen.append(answer)
        index[i] = figures[answer.id]
    return Expectations(chosen, index, reasons)


def _named(columns: Columns, i: int) -> tuple[str, LevelGroup | None, int]:
    """The grade, level group and day a "no figure" reason names."""
    group = int(columns.group[i])
    return (AIS_GRADES[columns.grade[i]], None if group < 0 else _GROUPS[group],
            int(columns.injury_day[i]))  # fmt: skip


def _running_sum(values: Floats) -> float:
    return float(np.cumsum(values)[-1]) if values.size else 0.0


def _first_seen(values: Ints) -> list[int]:
    """The distinct values in the order they first appear."""
    unique, first = np.unique(values, return_index=True)
    found: list[int] = unique[np.argsort(first)].tolist()
    return found


def observed_expected(
    columns: Columns,
    rows: Ints,
    codes: Ints,
    found: Expectations,
    definition: AisImprovement,
    confidence: float = DEFAULT_CONFIDENCE,
) -> ObservedExpected:
    """:func:`..expected.observed_vs_expected` of the patients at ``rows``, in their order."""
    status = codes[rows]
    due = rows[status != NOT_YET_DUE]
    figure = found.index[due]
    without = tuple((columns.courses[i].patient_id, found.reasons[i])
                    for i in due[figure < 0].tolist())  # fmt: skip
    counted = due[figure >= 0]
    lost_mask = np.isin(codes[counted], (LOST, UNDETERMINED))
    lost_rows, seen = counted[lost_mask], counted[~lost_mask]
    seen_figure = found.index[seen]
    uses = []
    for position in _first_seen(seen_figure):
        mine = seen[seen_figure == position]
        uses.append(FigureUse(found.figures[position], int(mine.size),
                              _running_sum(found.probability[mine])))  # fmt: skip
    return observed_expected_of(
        definition, int(np.count_nonzero(codes[seen] == RESPONDER)),
        _running_sum(found.probability[seen]), int(lost_rows.size),
        _running_sum(found.probability[lost_rows]), tuple(uses), without,
        int(np.count_nonzero(status == NOT_YET_DUE)), confidence,
    )  # fmt: skip


def _score(columns: Columns, outcome: ReferenceOutcome, follow: bool) -> tuple[Ints, Bools]:
    scores = columns.fu_scores if follow else columns.scores
    uems, lems = scores[Measure.UEMS], scores[Measure.LEMS]
    if outcome is ReferenceOutcome.UEMS_GAIN:
        return uems.value, uems.known
    if outcome is ReferenceOutcome.LEMS_GAIN:
        return lems.value, lems.known
    return uems.value + lems.value, uems.known & lems.known


def change_vs_expected(
    columns: Columns,
    outcome: ReferenceOutcome,
    by_day: int = 365,
    window_days: int = 45,
    confidence: float = DEFAULT_CONFIDENCE,
    keys: Profiles | None = None,
) -> ChangeVsExpected:
    """:func:`..expected_change.change_vs_expected` of every patient of ``columns``."""
    base_score, base_known = _score(columns, outcome, follow=False)
    total_score, total_known = _score(columns, ReferenceOutcome.TOTAL_MOTOR_GAIN, follow=False)
    later_score, later_known = _score(columns, outcome, follow=True)
    window = np.abs(columns.fu_day - by_day) <= window_days
    rows = nearest(columns, later_known & window, by_day, tie=later_score)
    # Python lists: indexing them is cheaper than reading NumPy scalars one at a time. Row -1
    # (no follow-up in the window) reads the 0 appended, which is never used.
    later = np.append(later_score, 0)[rows].tolist()
    has_later, base = (rows >= 0).tolist(), base_score.tolist()
    has_base, totals, has_total = base_known.tolist(), total_score.tolist(), total_known.tolist()
    keys = profiles(columns) if keys is None else keys
    memo: dict[tuple[Hashable, ...], Figure | str] = {}
    diffs: list[float] = []
    observed: list[float] = []
    expected: list[float] = []
    uses: dict[str, tuple[Figure, int]] = {}
    without: list[tuple[str, str]] = []
    no_follow_up: list[str] = []
    for i in np.flatnonzero(columns.due(by_day, window_days)).tolist():
        course = columns.courses[i]
        key = (*keys[i], has_total[i])
        found = memo.get(key)
        if found is None:
            found = memo[key] = _figure_for(course, outcome, by_day, window_days)
        if isinstance(found, str):
            # One grade and a known day: the reason names the day (``_figure_for``).
            named = no_mean(outcome, *_named(columns, i)) if _determined(columns, i) else found
            without.append((course.patient_id, named))
            continue
        expect = _expected_change(found, totals[i] if has_total[i] else None)
        if not has_base[i] or not has_later[i] or expect is None:
            no_follow_up.append(course.patient_id)
            continue
        change = later[i] - base[i]
        observed.append(change)
        expected.append(expect)
        diffs.append(change - expect)
        figure, count = uses.get(found.id, (found, 0))
        uses[found.id] = (figure, count + 1)
    return change_vs_expected_of(
        outcome, by_day, diffs, observed, expected, tuple(uses.values()), tuple(without),
        tuple(no_follow_up), confidence,
    )  # fmt: skip
