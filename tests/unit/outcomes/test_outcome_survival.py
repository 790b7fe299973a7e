"""Kaplan-Meier time to first AIS improvement, against values worked out by hand."""

from __future__ import annotations

import math

import pytest

from cordtrack.outcomes import (
    Assessment,
    FollowUp,
    PatientCourse,
    SurvivalCI,
    kaplan_meier,
    time_to_ais_improvement,
)

# Six patients, days to first improvement (event) or to censoring:
#   2 event, 3 censored, 4 event, 4 event, 5 censored, 6 event
#
#  t | at risk n | events d | S(t)                  | Greenwood sum G = Σ d / (n (n - d))
#  2 |    6      |   1      | 5/6 = 0.833333        | 1/30 = 0.033333
#  3 |    5      |   0 (1 censored) | 0.833333      | 0.033333
#  4 |    4      |   2      | 5/6 x 2/4 = 0.416667  | 0.033333 + 2/8 = 0.283333
#  5 |    2      |   0 (1 censored) | 0.416667      | 0.283333
#  6 |    1      |   1      | 0                     | infinite (n = d)
#
# SE at t=4: S sqrt(G) = 0.416667 x 0.532291 = 0.221788.
# log-log at t=4: se = sqrt(G)/|ln S| = 0.532291 / 0.875469 = 0.608006; z se = 1.191671;
#   low = S^exp(1.191671) = 0.416667^3.292578 = exp(-2.882549) = 0.055992
#   high = S^exp(-1.191671) = 0.416667^0.303713 = exp(-0.265891) = 0.766522
# plain at t=4: 0.416667 ± 1.959964 x 0.221788 = [0, 0.851363] (lower clipped at 0)
DATA = [(2, True), (3, False), (4, True), (4, True), (5, False), (6, True)]


def test_kaplan_meier_steps_match_the_hand_worked_table() -> None:
    curve = kaplan_meier(DATA)
    table = [(s.time, s.at_risk, s.events, s.censored) for s in curve.steps]
    assert table == [(2, 6, 1, 0), (3, 5, 0, 1), (4, 4, 2, 0), (5, 2, 0, 1), (6, 1, 1, 0)]
    assert [s.survival for s in curve.steps] == pytest.approx([5 / 6, 5 / 6, 5 / 12, 5 / 12, 0.0])
    assert curve.steps[2].std_error == pytest.approx(0.221788, abs=1e-6)
    assert (curve.patients, curve.events) == (6, 4)
    assert curve.median == 4


def test_log_log_greenwood_interval_matches_the_hand_worked_values() -> None:
    step = kaplan_meier(DATA).steps[2]
    assert step.low == pytest.approx(0.055992, abs=1e-5)
    assert step.high == pytest.approx(0.766522, abs=1e-5)
    assert step.low is not None
    assert step.high is not None
    assert 0 <= step.low <= step.survival <= step.high <= 1
    last = kaplan_meier(DATA).steps[-1]
    assert (last.low, last.high) == (None, None)  # S = 0: undefined on the log-log scale


def test_plain_greenwood_interval_is_clipped_to_zero_and_one() -> None:
    step = kaplan_meier(DATA, method=SurvivalCI.PLAIN).steps[2]
    assert step.low == 0.0
    assert step.high == pytest.approx(5 / 12 + 1.959964 * 0.221788, abs=1e-5)


def test_survival_is_a_right_continuous_step_function() -> None:
    curve = kaplan_meier(DATA)
    assert curve.survival_at(0) == 1.0
    assert curve.survival_at(1.99) == 1.0
    assert curve.survival_at(2) == pytest.approx(5 / 6)
    assert curve.survival_at(4.5) == pytest.approx(5 / 12)
    assert not math.isnan(curve.survival_at(100))


def test_before_any_event_the_interval_is_a_point_at_one() -> None:
    step = kaplan_meier([(1, False), (2, True), (3, False)]).steps[0]
    assert (step.survival, step.low, step.high) == (1.0, 1.0, 1.0)


def test_time_to_improvement_uses_the_first_certain_improvement_and_flags_ambiguity() -> None:
    def c(pid: str, *visits: tuple[int, str | None]) -> PatientCourse:
        fus = tuple(FollowUp(d, Assessment(ais=g)) for d, g in visits)
        return PatientCourse(pid, Assessment(ais="A"), 5, fus)

    times = time_to_ais_improvement(
        [
            c("early", (90, "A"), (180, "B"), (365, "C")),  # event at 180
            c("never", (90, "A"), (365, "A")),  # censored at 365
            c("maybe", (90, "A,B"), (365, "B")),  # 90 might already be B: event at 365, ambiguous
            c("none", (90, None)),  # no AIS follow-up
        ]
    )
    assert times.observations == ((180.0, True), (365.0, False), (365.0, True))
    assert times.without_follow_up == ("none",)
    assert times.ambiguous == ("maybe",)
