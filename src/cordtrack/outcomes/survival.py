"""Kaplan-Meier estimate of the time to first AIS improvement, with Greenwood intervals.

At each distinct time ``t_j`` with ``n_j`` patients at risk (time >= t_j) and ``d_j`` events
(Kaplan EL, Meier P 1958, J Am Stat Assoc 53:457-481)::

    S(t) = prod_{t_j <= t} (1 - d_j / n_j)
    Greenwood (1926):  Var[S(t)] = S(t)² * G(t),   G(t) = sum_{t_j <= t} d_j / (n_j (n_j - d_j))

Censored times count in the risk set at their own time (events before censorings on a tie).

95% interval, **log-log** by default (Kalbfleisch JD, Prentice RL 1980; stays inside [0, 1])::

    se = sqrt(G(t)) / |ln S(t)|,   [S(t)^exp(+z se), S(t)^exp(-z se)]

or **plain** (``method="plain"``): ``S(t) ± z S(t) sqrt(G(t))`` clipped to [0, 1]. The interval is
``(1, 1)`` before the first event and undefined (None) once ``S`` reaches 0 on the log-log scale.

For the report, an "event" is the first follow-up at which AIS has improved by at least the given
grades *for certain*; a patient whose earlier follow-up could have shown an improvement (an
undetermined AIS set) is counted in ``ambiguous`` so that the reader knows the curve is a
conservative one. Patients without any AIS follow-up are not in the curve and are counted.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from statistics import NormalDist
from typing import Final

from .change import Tri, ais_change
from .cohort import PatientCourse

__all__ = [
    "ImprovementTimes",
    "KaplanMeierCurve",
    "KaplanMeierStep",
    "SurvivalCI",
    "kaplan_meier",
    "time_to_ais_improvement",
]

_CONFIDENCE: Final = 0.95


class SurvivalCI(StrEnum):
    LOG_LOG = "log-log"
    PLAIN = "plain"


@dataclass(frozen=True, slots=True)
class KaplanMeierStep:
    """The estimate just after ``time`` (a right-continuous step function)."""

    time: float
    at_risk: int
    events: int
    censored: int
    survival: float
    std_error: float  # Greenwood standard error of S(t)
    low: float | None
    high: float | None


@dataclass(frozen=True, slots=True)
class KaplanMeierCurve:
    """Steps at every distinct observed time, and the method of the interval."""

    steps: tuple[KaplanMeierStep, ...]
    patients: int
    events: int
    ci_method: SurvivalCI
    confidence: float = _CONFIDENCE

    def survival_at(self, time: float) -> float:
        """S(time): 1 before the first step, then the value of the last step at or before it."""
        value = 1.0
        for step in self.steps:
            if step.time > time:
                break
            value = step.survival
        return value

    @property
    def median(self) -> float | None:
        """The first time at which S(t) <= 0.5, or None if the curve never gets there."""
        return next((s.time for s in self.steps if s.survival <= 0.5), None)


def kaplan_meier(
    observations: Iterable[tuple[float, bool]],
    method: SurvivalCI = SurvivalCI.LOG_LOG,
    confidence: float = _CONFIDENCE,
) -> KaplanMeierCurve:
    """Kaplan-Meier curve of ``(time, event)`` pairs; ``event`` False means censored at ``time``."""
    data = sorted(observations)
    if any(t < 0 for t, _ in data):
        raise ValueError("times cannot be negative")
    z = NormalDist().inv_cdf(1.0 - (1.0 - confidence) / 2.0)
    at_risk = len(data)
    survival, greenwood = 1.0, 0.0
    steps: list[KaplanMeierStep] = []
    i = 0
    while i < len(data):
        time = data[i][0]
        tied = [e for t, e in data[i:] if t == time]
        d, c = sum(tied), len(tied) - sum(tied)
        if d:
            survival *= 1.0 - d / at_risk
            greenwood = math.inf if d == at_risk else greenwood + d / (at_risk * (at_risk - d))
        se = survival * math.sqrt(greenwood) if math.isfinite(greenwood) else 0.0
        low, high = _interval(survival, greenwood, z, method)
        steps.append(KaplanMeierStep(time, at_risk, d, c, survival, se, low, high))
        at_risk -= len(tied)
        i += len(tied)
    total_events = sum(1 for _, e in data if e)
    return KaplanMeierCurve(tuple(steps), len(data), total_events, method, confidence)


def _interval(
    survival: float, greenwood: float, z: float, method: SurvivalCI
) -> tuple[float | None, float | None]:
    if greenwood == 0.0:
        return survival, survival  # no event yet: S = 1 with no sampling variance
    if method is SurvivalCI.PLAIN:
        half = z * survival * math.sqrt(greenwood) if math.isfinite(greenwood) else 0.0
        return max(0.0, survival - half), min(1.0, survival + half)
    if survival <= 0.0 or not math.isfinite(greenwood):
        return None, None
    se = math.sqrt(greenwood) / abs(math.log(survival))
    return survival ** math.exp(z * se), survival ** math.exp(-z * se)


@dataclass(frozen=True, slots=True)
class ImprovementTimes:
    """Input for :func:`kaplan_meier` built from patient courses, with what was left out."""

    observations: tuple[tuple[float, bool], ...]
    without_follow_up: tuple[str, ...]  # patient ids with no AIS follow-up: not in the curve
    ambiguous: tuple[str, ...]  # ids with an undetermined AIS before their event or censoring


def time_to_ais_improvement(courses: Sequence[PatientCourse], grades: int = 1) -> ImprovementTimes:
    """Days from baseline to the first certain improvement of ``grades`` AIS grades, or censoring
    at the last AIS follow-up."""
    observations: list[tuple[float, bool]] = []
    without: list[str] = []
    ambiguous: list[str] = []
    for course in courses:
        assessed = sorted(
            (f.day, change.at_least(grades))
            for f in course.follow_ups
            if (change := ais_change(course.baseline.ais, f.assessment.ais)) is not None
        )
        if not assessed:
            without.append(course.patient_id)
            continue
        event_day = next((day for day, tri in assessed if tri is Tri.YES), None)
        end = assessed[-1][0] if event_day is None else event_day
        if any(tri is Tri.UNDETERMINED for day, tri in assessed if day <= end):
            ambiguous.append(course.patient_id)
        observations.append((float(end), event_day is not None))
    return ImprovementTimes(tuple(observations), tuple(without), tuple(ambiguous))
