"""Every figure of a cohort report, computed the obvious way: one patient at a time.

:func:`summarise` composes the package's own functions (:func:`.cohort.cohort_rate`,
:func:`.cohort.stratify`, :func:`.expected.observed_vs_expected`,
:func:`.expected_change.change_vs_expected`, :func:`.survival.time_to_ais_improvement`,
:func:`.survival.kaplan_meier`), each reading every patient's course afresh. It is the reference
engine, kept because it is obviously right; :mod:`.batch` computes the same
:class:`CohortSummary` on columns (NumPy) for a large cohort, and the tests prove both equal
(ehrql's pattern: a slow engine that is plainly correct beside a fast one shown equal to it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .cohort import (
    CohortRate,
    PatientCourse,
    ResponderDefinition,
    ResponseStatus,
    Stratum,
    StratumKey,
    cohort_rate,
    reference_for,
    stratify,
)
from .comparator import NaturalHistory
from .expected import ObservedExpected, observed_vs_expected
from .expected_change import MOTOR_MEASURES, ChangeVsExpected, change_vs_expected
from .survival import ImprovementTimes, KaplanMeierCurve, kaplan_meier, time_to_ais_improvement

__all__ = ["CohortSummary", "summarise"]


@dataclass(frozen=True, slots=True)
class CohortSummary:
    """The figures of one cohort under one responder definition (no concurrent control)."""

    rate: CohortRate
    reference: NaturalHistory
    strata: dict[StratumKey, tuple[Stratum, ...]]
    #: observed versus expected responders (None for a score-gain definition)
    observed_expected: ObservedExpected | None
    #: per stratum, in the order of ``strata``
    strata_observed_expected: dict[StratumKey, tuple[ObservedExpected | None, ...]]
    #: observed minus expected mean UEMS, LEMS and total motor change at the definition's time
    motor: tuple[ChangeVsExpected, ...]
    times: ImprovementTimes
    curve: KaplanMeierCurve | None
    #: each patient's status under the definition, in the order of the courses
    statuses: tuple[ResponseStatus, ...] = ()


def summarise(courses: Sequence[PatientCourse], definition: ResponderDefinition) -> CohortSummary:
    """The cohort's rate, strata (each by one key), O/E, motor change and time to improvement."""
    strata = {key: stratify(courses, definition, by=(key,)) for key in StratumKey}
    times = time_to_ais_improvement(courses)
    return CohortSummary(
        rate=cohort_rate(courses, definition),
        reference=reference_for(courses, definition),
        strata=strata,
        observed_expected=observed_vs_expected(courses, definition),
        strata_observed_expected={
            key: tuple(observed_vs_expected(s.members, definition) for s in group)
            for key, group in strata.items()
        },
        motor=tuple(
            change_vs_expected(courses, outcome, definition.by_day, definition.window_days)
            for outcome in MOTOR_MEASURES
        ),
        times=times,
        curve=kaplan_meier(times.observations) if times.observations else None,
        statuses=tuple(definition.status(c) for c in courses),
    )
