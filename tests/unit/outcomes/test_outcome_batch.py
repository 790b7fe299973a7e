"""The column engine (``outcomes.batch``) gives exactly the reference engine's figures
(``outcomes.summary``, one patient at a time): on hand-worked cohorts whose answers are known, and
on any cohort hypothesis can make of the values a registry holds (set-valued AIS and NLI, ND,
missing scores, unknown days, ties of follow-up days, patients not yet due)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cordtrack.outcomes import (
    AisImprovement,
    Assessment,
    FollowUp,
    PatientCourse,
    ResponderDefinition,
    ResponseStatus,
    ScoreGain,
    StratumKey,
    kaplan_meier,
)
from cordtrack.outcomes.batch import Columns, responders, summarise, survival
from cordtrack.outcomes.summary import CohortSummary
from cordtrack.outcomes.summary import summarise as reference

AIS = ("A", "B", "C", "D", "E", "C,D", "A,B,C", "B*", "C,D*", "ND", "", None)
NLI = ("C1", "C5", "C5,C6*", "C8,T1", "T4", "T9", "T10", "L2", "S3", "INT", "NA", "ND", None)
DEFINITIONS: tuple[ResponderDefinition, ...] = (
    AisImprovement(), AisImprovement(grades=2), AisImprovement(by_day=182, window_days=30),
    ScoreGain("LEMS", 10), ScoreGain("UEMS", 1), ScoreGain("SCIM III", 10), ScoreGain("LT", 0.5),
)  # fmt: skip


def assert_same(courses: list[PatientCourse], definition: ResponderDefinition) -> CohortSummary:
    slow, fast = reference(courses, definition), summarise(courses, definition)
    for name in CohortSummary.__dataclass_fields__:
        assert getattr(fast, name) == getattr(slow, name), name
    assert fast == slow
    return fast


def course(pid: str, base: str, follow: list[tuple[int, str]], **kw: Any) -> PatientCourse:
    ups = tuple(FollowUp(day, Assessment(ais=ais, uems=20, lems=12)) for day, ais in follow)
    kw.setdefault("days_since_injury_at_baseline", 5)
    return PatientCourse(pid, Assessment(ais=base, nli="C5", uems=20, lems=10), follow_ups=ups,
                         **kw)  # fmt: skip


def test_seven_of_twenty_with_three_lost_counts_the_same_both_ways() -> None:
    cohort = (
        [course(f"r{i}", "A", [(365, "B")]) for i in range(7)]
        + [course(f"n{i}", "A", [(365, "A")]) for i in range(10)]
        + [course(f"l{i}", "A", []) for i in range(3)]
    )
    found = assert_same(cohort, AisImprovement())
    rate = found.rate
    assert (rate.responders, rate.non_responders, rate.lost, rate.due) == (7, 10, 3, 20)
    assert found.observed_expected is not None
    assert found.observed_expected.observed == 7
    assert found.curve is not None
    assert found.curve.events == 7


def test_the_nearest_follow_up_wins_and_the_later_one_on_a_tie() -> None:
    # 330 and 400 are 35 days from 365: the later (400, C) decides; 300 is outside 365 ± 45.
    tie = course("tie", "A", [(330, "A"), (400, "C"), (300, "B")])
    # Same day twice: the first in the course decides (A), as min() keeps the first.
    twice = course("twice", "A", [(365, "A"), (365, "B")])
    columns = Columns.of([tie, twice])
    codes = responders.statuses(columns, AisImprovement())
    assert [responders.STATUSES[c] for c in codes] == [ResponseStatus.RESPONDER,
                                                        ResponseStatus.NON_RESPONDER]  # fmt: skip
    assert_same([tie, twice], AisImprovement())


def test_set_valued_grades_leave_the_answer_open_and_the_strata_undetermined() -> None:
    cohort = [
        course("open", "A", [(365, "A,B")]),  # 0 to +1 grade: undetermined
        course("sure", "A,B", [(365, "C")]),  # +1 to +2: responder for >= 1
        course("unknown", "ND", [(365, "C")]),
    ]
    found = assert_same(cohort, AisImprovement())
    assert (found.rate.responders, found.rate.undetermined, found.rate.lost) == (1, 1, 1)
    labels = [s.key[0][1] for s in found.strata[StratumKey.AIS]]
    assert labels == ["A", "undetermined"]


def test_patients_not_yet_due_are_left_out_of_every_denominator_both_ways() -> None:
    cohort = [course("early", "A", [(100, "B")], observed_until=200),
              course("due", "A", [(365, "B")], observed_until=500)]  # fmt: skip
    found = assert_same(cohort, AisImprovement())
    assert (found.rate.not_yet_due, found.rate.due) == (1, 1)


def test_a_baseline_exam_before_the_injury_is_refused_alike() -> None:
    cohort = [course("before", "A", [(365, "B")], days_since_injury_at_baseline=-3)]
    with pytest.raises(ValueError, match="negative"):
        reference(cohort, AisImprovement())
    with pytest.raises(ValueError, match="negative"):
        summarise(cohort, AisImprovement())


def test_an_empty_cohort_has_no_rate_both_ways() -> None:
    found = assert_same([], AisImprovement())
    assert found.rate.rate is None
    assert found.curve is None


scores = st.one_of(st.none(), st.integers(min_value=0, max_value=50))


@st.composite
def assessments(draw: st.DrawFn) -> Assessment:
    return Assessment(
        ais=draw(st.sampled_from(AIS)), nli=draw(st.sampled_from(NLI)),
        uems=draw(scores), lems=draw(scores), lt=draw(scores), pp=draw(scores),
        scim_iii=draw(st.one_of(st.none(), st.integers(0, 100))),
        wisci_ii=draw(st.one_of(st.none(), st.integers(0, 20))),
    )  # fmt: skip


@st.composite
def courses(draw: st.DrawFn, index: int) -> PatientCourse:
    # Days cluster around the 6- and 12-month windows so that ties and window edges are common.
    day = st.one_of(st.integers(0, 800), st.sampled_from([152, 182, 212, 320, 365, 410, 411]))
    follow = draw(st.lists(st.tuples(day, assessments()), max_size=5))
    return PatientCourse(
        f"P{index}",
        draw(assessments()),
        draw(st.one_of(st.none(), st.integers(0, 800), st.sampled_from([0, 7, 14, 30, 31, 365]))),
        tuple(FollowUp(d, a) for d, a in follow),
        draw(st.one_of(st.none(), st.integers(0, 900))),
    )


@st.composite
def cohorts(draw: st.DrawFn) -> list[PatientCourse]:
    size = draw(st.integers(min_value=0, max_value=30))
    return [draw(courses(i)) for i in range(size)]


definitions = st.one_of(
    st.sampled_from(DEFINITIONS),
    st.builds(AisImprovement, st.integers(1, 3), st.integers(60, 730), st.integers(0, 90)),
    st.builds(ScoreGain, st.sampled_from(["UEMS", "LEMS", "LT", "PP", "SCIM III", "WISCI II"]),
              st.floats(-5, 20, allow_nan=False), st.integers(60, 730), st.integers(0, 90)),
)  # fmt: skip


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cohorts(), definitions)
def test_any_cohort_gives_the_same_figures_both_ways(
    cohort: list[PatientCourse], definition: ResponderDefinition
) -> None:
    assert_same(cohort, definition)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 60).map(float), st.booleans()), max_size=60))
@example([(0.0, True), (0.0, True)])  # every patient has the event at once: S reaches 0
def test_kaplan_meier_counts_ties_the_same_both_ways(data: list[tuple[float, bool]]) -> None:
    assert survival.kaplan_meier(data) == kaplan_meier(data)


def test_a_cohort_without_any_follow_up_is_all_lost_both_ways() -> None:
    cohort = [course("a", "A", []), course("b", "C", [], days_since_injury_at_baseline=None)]
    found = assert_same(cohort, ScoreGain("LEMS", 1))
    assert found.rate.lost == 2
    assert_same(cohort, AisImprovement())
