"""Responder status of every patient at once, the cohort rate and the strata, on columns.

The rules are :mod:`..cohort`'s (its module docstring), applied to all follow-ups together:

* a follow-up's answer: AIS improvement ``[low, high] = [min(follow) - max(base),
  max(follow) - min(base)]`` over the grade ranks (:func:`..change.ais_change`), YES when
  ``low >= grades``, NO when ``high < grades``, else UNDETERMINED; a score gain
  ``d = follow - base`` is YES when ``d >= at_least``, else NO; no answer when a value is missing;
* the follow-up used: of those with an answer inside ``by_day ± window_days``, the nearest to
  ``by_day``, the later on a tie, the first in the course on a tie of days (:func:`nearest`);
* NOT YET DUE before LOST before the answer (the status codes are ``ResponseStatus`` in order).
"""

from __future__ import annotations

from typing import Final

import numpy as np

from ..change import Measure
from ..cohort import (
    AisImprovement,
    CohortRate,
    ResponderDefinition,
    ResponseStatus,
    Stratum,
    StratumKey,
    group_reference,
    rate_of_counts,
    reference_for,
)
from ..comparator import NaturalHistory
from ..groups import DEFAULT_PHASE_CUTOFFS, LevelGroup, Phase, PhaseCutoffs
from .columns import AIS_GRADES, Bools, Columns, Ints

__all__ = ["STATUSES", "labels", "nearest", "rate", "reference", "statuses", "strata"]

#: Status codes: position in ``ResponseStatus`` (0 responder … 4 not yet due).
STATUSES: Final = tuple(ResponseStatus)
RESPONDER, NON_RESPONDER, UNDETERMINED, LOST, NOT_YET_DUE = range(5)
_GROUPS: Final = tuple(LevelGroup)
_AIS_LABELS: Final = (*AIS_GRADES, "undetermined")
_LEVEL_LABELS: Final = (*(g.value for g in _GROUPS), "unknown")


def nearest(columns: Columns, usable: Bools, by_day: int, tie: Ints | None = None) -> Ints:
    """Per patient, the row of the usable follow-up nearest ``by_day`` (the later on a tie of
    distance, then the smaller ``tie`` value if given, then the first row); -1 if none."""
    rows = np.flatnonzero(usable)
    patient, day = columns.fu_patient[rows], columns.fu_day[rows]
    keys = [rows] + ([tie[rows]] if tie is not None else []) + [-day, np.abs(day - by_day), patient]
    order = np.lexsort(keys)
    rows, patient = rows[order], patient[order]
    first = np.ones(rows.size, bool)
    first[1:] = patient[1:] != patient[:-1]
    chosen = np.full(columns.size, -1, np.int64)
    chosen[patient[first]] = rows[first]
    return chosen


def _answers(columns: Columns, definition: ResponderDefinition) -> tuple[Ints, Bools]:
    """Each follow-up's answer (a status code 0-2) and whether it has one."""
    p = columns.fu_patient
    if isinstance(definition, AisImprovement):
        has = (columns.ais_low[p] >= 0) & (columns.fu_ais_low >= 0)
        low = columns.fu_ais_low - columns.ais_high[p]
        high = columns.fu_ais_high - columns.ais_low[p]
        grades = definition.grades
        answer = np.where(low >= grades, RESPONDER,
                          np.where(high < grades, NON_RESPONDER, UNDETERMINED))  # fmt: skip
        return answer, has
    measure = Measure(definition.measure)
    base, follow = columns.scores[measure], columns.fu_scores[measure]
    has = base.known[p] & follow.known
    gain = follow.value - base.value[p]
    return np.where(gain >= definition.at_least, RESPONDER, NON_RESPONDER), has


def statuses(columns: Columns, definition: ResponderDefinition) -> Ints:
    """Every patient's status code under ``definition`` (``definition.status``, at once)."""
    answer, has = _answers(columns, definition)
    window = np.abs(columns.fu_day - definition.by_day) <= definition.window_days
    chosen = nearest(columns, has & window, definition.by_day)
    found = np.full(columns.size, LOST, np.int64)
    answered = chosen >= 0
    found[answered] = answer[chosen[answered]]
    found[~columns.due(definition.by_day, definition.window_days)] = NOT_YET_DUE
    return found


def rate(definition: ResponderDefinition, codes: Ints) -> CohortRate:
    counts = np.bincount(codes, minlength=len(STATUSES))
    return rate_of_counts(definition, {s: int(counts[i]) for i, s in enumerate(STATUSES)})


def _phases(columns: Columns, cutoffs: PhaseCutoffs) -> list[str]:
    day, known = columns.injury_day, columns.injury_day_known
    if np.any(known & (day < 0)):
        raise ValueError("days since injury cannot be negative")  # as groups.phase_of
    phase = np.where(day <= cutoffs.acute_max_days, Phase.ACUTE.value,
                     np.where(day >= cutoffs.chronic_min_days, Phase.CHRONIC.value,
                              Phase.SUBACUTE.value))  # fmt: skip
    found: list[str] = np.where(known, phase, "unknown").tolist()
    return found


def labels(columns: Columns, key: StratumKey, cutoffs: PhaseCutoffs) -> list[str]:
    """Each patient's label under ``key`` (``cohort._ais``, ``_level``, ``_phase``)."""
    # A code of -1 (not one grade, no level group) picks the last name of the list.
    if key is StratumKey.AIS:
        return [_AIS_LABELS[g] for g in columns.grade.tolist()]
    if key is StratumKey.LEVEL:
        return [_LEVEL_LABELS[g] for g in columns.group.tolist()]
    return _phases(columns, cutoffs)


def reference(columns: Columns, rows: Ints, definition: ResponderDefinition) -> NaturalHistory:
    """``cohort.reference_for`` the patients at ``rows``."""
    if rows.size == 0 or definition.reference_outcome() is None:
        return reference_for([columns.courses[i] for i in rows.tolist()], definition)
    grades = {_AIS_LABELS[g] for g in np.unique(columns.grade[rows]).tolist()}
    groups = {None if g < 0 else _GROUPS[g] for g in np.unique(columns.group[rows]).tolist()}
    known = columns.injury_day_known[rows]
    latest = int(columns.injury_day[rows].max()) if known.all() else None
    return group_reference(definition, grades, groups, latest)


def strata(
    columns: Columns,
    codes: Ints,
    definition: ResponderDefinition,
    key: StratumKey,
    cutoffs: PhaseCutoffs = DEFAULT_PHASE_CUTOFFS,
) -> tuple[tuple[Stratum, Ints], ...]:
    """``cohort.stratify(courses, definition, by=(key,))``, each stratum with its rows."""
    found = np.array(labels(columns, key, cutoffs), dtype=object)
    out: list[tuple[Stratum, Ints]] = []
    for value in sorted(set(found.tolist())):
        rows = np.flatnonzero(found == value)
        members = tuple(columns.courses[i] for i in rows.tolist())
        stratum = Stratum(((key, value),), rate(definition, codes[rows]),
                          reference(columns, rows, definition), members)  # fmt: skip
        out.append((stratum, rows))
    return tuple(out)
