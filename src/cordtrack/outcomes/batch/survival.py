"""Time to first AIS improvement and its Kaplan-Meier curve, on columns.

:func:`improvement_times` applies :func:`..survival.time_to_ais_improvement`'s rules to every
follow-up at once: per patient the event day is the first day with a certain improvement, the end
is that day or else the last AIS follow-up, and the patient is ambiguous when an undetermined
answer comes on or before the end. :func:`kaplan_meier` counts the patients and events at each
distinct time with ``np.unique`` (the per-patient version rescans the rest of the data at each
time: quadratic in the patients) and then runs the same product-limit and Greenwood recursions, in
the same order and with the same arithmetic, over the distinct times.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from statistics import NormalDist

import numpy as np

from ..survival import (
    _CONFIDENCE,
    ImprovementTimes,
    KaplanMeierCurve,
    KaplanMeierStep,
    SurvivalCI,
    _interval,
)
from .columns import Columns

__all__ = ["improvement_times", "kaplan_meier"]

_NEVER = np.iinfo(np.int64).max


def improvement_times(columns: Columns, grades: int = 1) -> ImprovementTimes:
    """:func:`..survival.time_to_ais_improvement` of every patient of ``columns``."""
    p = columns.fu_patient
    has = (columns.ais_low[p] >= 0) & (columns.fu_ais_low >= 0)
    low = columns.fu_ais_low - columns.ais_high[p]
    high = columns.fu_ais_high - columns.ais_low[p]
    day = columns.fu_day
    certain = has & (low >= grades)
    open_ = has & ~certain & (high >= grades)  # neither certainly yes nor certainly no
    n = columns.size
    assessed = np.bincount(p[has], minlength=n) > 0
    event = np.full(n, _NEVER, np.int64)
    np.minimum.at(event, p[certain], day[certain])
    last = np.full(n, -_NEVER, np.int64)
    np.maximum.at(last, p[has], day[has])
    first_open = np.full(n, _NEVER, np.int64)
    np.minimum.at(first_open, p[open_], day[open_])
    happened = event != _NEVER
    end = np.where(happened, event, last)
    ambiguous = assessed & (first_open <= end)
    ids = [c.patient_id for c in columns.courses]
    rows = np.flatnonzero(assessed).tolist()
    ends, events = end.tolist(), happened.tolist()
    return ImprovementTimes(
        tuple((float(ends[i]), events[i]) for i in rows),
        tuple(ids[i] for i in np.flatnonzero(~assessed).tolist()),
        tuple(ids[i] for i in np.flatnonzero(ambiguous).tolist()),
    )


def kaplan_meier(
    observations: Sequence[tuple[float, bool]],
    method: SurvivalCI = SurvivalCI.LOG_LOG,
    confidence: float = _CONFIDENCE,
) -> KaplanMeierCurve:
    """:func:`..survival.kaplan_meier`, counting ties with ``np.unique``."""
    times = np.fromiter((t for t, _ in observations), np.float64, len(observations))
    flags = np.fromiter((bool(e) for _, e in observations), bool, len(observations))
    if np.any(times < 0):
        raise ValueError("times cannot be negative")
    distinct, where = np.unique(times, return_inverse=True)
    tied = np.bincount(where, minlength=distinct.size).tolist()
    died = np.bincount(where[flags], minlength=distinct.size).tolist()
    z = NormalDist().inv_cdf(1.0 - (1.0 - confidence) / 2.0)
    at_risk = len(observations)
    survival, greenwood = 1.0, 0.0
    steps: list[KaplanMeierStep] = []
    for time, total, d in zip(distinct.tolist(), tied, died, strict=True):
        if d:
            survival *= 1.0 - d / at_risk
            greenwood = math.inf if d == at_risk else greenwood + d / (at_risk * (at_risk - d))
        se = survival * math.sqrt(greenwood) if math.isfinite(greenwood) else 0.0
        low, high = _interval(survival, greenwood, z, method)
        steps.append(KaplanMeierStep(time, at_risk, d, total - d, survival, se, low, high))
        at_risk -= total
    return KaplanMeierCurve(tuple(steps), len(observations), int(flags.sum()), method, confidence)
