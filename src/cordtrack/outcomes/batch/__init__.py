"""The cohort report's figures for a large cohort: the column engine (NumPy).

:func:`summarise` returns exactly what :func:`cordtrack.outcomes.summary.summarise` (the reference
engine, one patient at a time) returns: the same :class:`~cordtrack.outcomes.summary.CohortSummary`,
equal field by field, floats to the last bit. It reads each course once into columns
(:mod:`.columns`), gives every patient one status per definition (:mod:`.responders`), counts
strata with ``np.bincount``, looks each natural-history figure up once per distinct patient
profile (:mod:`.expectations`) and counts Kaplan-Meier ties with ``np.unique`` (:mod:`.survival`).
Every definition, denominator, interval and natural-history reference is the reference engine's:
the statistics at the end (Wilson, exact Poisson, t, Greenwood) are the same functions, fed the
same counts and sums. ``tests/unit/outcomes/test_outcome_batch.py`` proves the two equal on
hand-worked cohorts and by property tests; ``tests/server/test_report_batch.py`` on the demo and
synthetic registries. ADR 0055 says why.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..cohort import AisImprovement, PatientCourse, ResponderDefinition, StratumKey
from ..expected import ObservedExpected
from ..expected_change import MOTOR_MEASURES
from ..summary import CohortSummary
from . import expectations, responders, survival
from .columns import Columns, Ints

__all__ = ["Columns", "summarise"]


def summarise(courses: Sequence[PatientCourse], definition: ResponderDefinition) -> CohortSummary:
    """``summary.summarise(courses, definition)``, computed on columns."""
    columns = Columns.of(courses)
    codes = responders.statuses(columns, definition)
    everyone = np.arange(columns.size)
    strata = {key: responders.strata(columns, codes, definition, key) for key in StratumKey}
    keys = expectations.profiles(columns)
    found = (
        expectations.expectations(columns, definition, keys)
        if isinstance(definition, AisImprovement)
        else None
    )

    def ratio(rows: Ints) -> ObservedExpected | None:
        if found is None or not isinstance(definition, AisImprovement):
            return None  # a score gain is compared as mean change (the motor table)
        return expectations.observed_expected(columns, rows, codes, found, definition)

    times = survival.improvement_times(columns)
    return CohortSummary(
        rate=responders.rate(definition, codes),
        reference=responders.reference(columns, everyone, definition),
        strata={key: tuple(s for s, _ in group) for key, group in strata.items()},
        observed_expected=ratio(everyone),
        strata_observed_expected={
            key: tuple(ratio(rows) for _, rows in group) for key, group in strata.items()
        },
        motor=tuple(
            expectations.change_vs_expected(
                columns, outcome, definition.by_day, definition.window_days, keys=keys
            )
            for outcome in MOTOR_MEASURES
        ),
        times=times,
        curve=survival.kaplan_meier(times.observations) if times.observations else None,
        statuses=tuple(responders.STATUSES[c] for c in codes.tolist()),
    )
