"""Observed versus expected: the figure per patient, O/E, its exact and widened intervals."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cordtrack.outcomes import (
    AisImprovement,
    Assessment,
    FollowUp,
    PatientCourse,
    ReferenceOutcome,
    ScoreGain,
    change_vs_expected,
    expectation,
    observed_vs_expected,
)
from cordtrack.outcomes.poisson import gamma_cdf, poisson_limits, t_quantile


def course(
    pid: str, base: str, after: str | None, nli: str = "C5", day: int = 20, **kw: object
) -> PatientCourse:
    follow = () if after is None else (FollowUp(365, Assessment(ais=after)),)
    return PatientCourse(pid, Assessment(ais=base, nli=nli), day, follow, **kw)  # type: ignore[arg-type]


def test_the_figure_matches_grade_level_and_exam_timing_and_prefers_the_narrowest() -> None:
    d = AisImprovement()
    # cervical AIS C on day 20: Kirshblum 2016 tetraplegia (natural-history.md E1) 76.9%, N 78
    c = expectation(course("x", "C", None, "C6", 20), d)
    assert c.figure is not None
    assert (c.figure.id, c.probability) == ("e1-kirshblum2016-tetra-c-ge1", pytest.approx(0.769))
    # cervical AIS A on day 5: Marino 2011 tetraplegia (<=7 d) beats the all-level Table 2 rows
    a = expectation(course("x", "A", None, "C5", 5), d)
    assert a.figure is not None
    assert a.figure.id == "marino2011-a-conv"
    # thoracic AIS A on day 20: the all-level <=30 d rows; Kirshblum 2016 (N 187) beats Fawcett
    t = expectation(course("x", "A", None, "T6", 20), d)
    assert t.figure is not None
    assert t.figure.id == "t2-kirshblum2016-conv"


def test_a_patient_without_an_applicable_figure_gets_the_reason() -> None:
    d = AisImprovement()
    assert "baseline AIS undetermined (C,D)" in expectation(course("x", "C,D", None), d).reason
    assert "day 100" in expectation(course("x", "A", None, day=100), d).reason
    no_day = PatientCourse("x", Assessment(ais="A", nli="C5"), None)
    assert "unknown" in expectation(no_day, d).reason
    # a 6-month definition: no 1-year table fits, Aimetti 2019 (~6 months) needs T2-T12 and <=7 d
    six = AisImprovement(by_day=182, window_days=30)
    assert expectation(course("x", "A", None, "T6", 5), six).figure is not None
    assert expectation(course("x", "A", None, "C5", 5), six).figure is None


def test_o_e_counts_names_and_bounds() -> None:
    d = AisImprovement()
    courses = (
        [course(f"r{i}", "C", "D", "C6") for i in range(8)]  # responders
        + [course(f"n{i}", "C", "C", "C6") for i in range(2)]  # non-responders
        + [course("lost", "C", None, "C6")]  # lost to follow-up
        + [course("late", "A", "B", day=100)]  # no reference: named
        + [course("new", "C", None, "C6", observed_until=30)]  # not yet due
    )
    oe = observed_vs_expected(courses, d)
    assert oe is not None
    # 10 patients x 0.769 (Kirshblum 2016 tetraplegia AIS C) = 7.69; O = 8
    assert (oe.observed, oe.patients, oe.expected) == (8, 10, pytest.approx(7.69))
    assert oe.ratio == pytest.approx(8 / 7.69)
    low, high = poisson_limits(8)
    assert oe.interval == pytest.approx((low / 7.69, high / 7.69))
    assert oe.without_reference == (("late", oe.without_reference[0][1]),)
    assert "day 100" in oe.without_reference[0][1]
    assert (oe.lost_or_undetermined, oe.not_yet_due) == (1, 1)
    assert oe.worst_case == pytest.approx(8 / 8.459)
    assert oe.best_case == pytest.approx(9 / 8.459)
    # N 78 is reported: the widened interval is complete and wider on both sides
    assert oe.widened_complete
    assert oe.widened is not None
    assert oe.interval is not None
    assert oe.widened[0] < oe.interval[0]
    assert oe.widened[1] > oe.interval[1]
    assert [(u.figure.id, u.patients) for u in oe.figures] == [("e1-kirshblum2016-tetra-c-ge1", 10)]


def test_a_figure_without_n_leaves_the_widened_interval_incomplete() -> None:
    # cervical AIS B on day 20: APMR 2022 (50%), per-grade N not reported
    oe = observed_vs_expected([course(f"b{i}", "B", "C") for i in range(4)], AisImprovement())
    assert oe is not None
    assert (oe.expected, oe.widened_complete, oe.figures_without_n) == (2.0, False, 4)


def test_score_definitions_have_no_o_e() -> None:
    assert observed_vs_expected([course("x", "A", "B")], ScoreGain()) is None


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=400))
def test_observed_equal_to_expected_gives_a_ratio_of_1_inside_its_interval(o: int) -> None:
    low, high = poisson_limits(o)
    expected = float(max(o, 1))
    assert low / expected <= o / expected <= high / expected
    if o:
        assert low / o < 1.0 < high / o


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=1, max_value=300), st.integers(min_value=1, max_value=5))
def test_larger_cohorts_give_narrower_intervals(k: int, factor: int) -> None:
    def width(n: int) -> float:
        low, high = poisson_limits(n)
        return (high - low) / n  # O = E = n: the interval of the ratio

    assert width(k * (factor + 1)) < width(k)


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=2, max_value=40), st.integers(min_value=0, max_value=40))
def test_o_e_of_identical_cohorts_narrows_as_the_cohort_grows(size: int, responders: int) -> None:
    responders = min(responders, size)

    def cohort(n: int, r: int) -> list[PatientCourse]:
        return [course(f"p{i}", "C", "D" if i < r else "C", "C6") for i in range(n)]

    small = observed_vs_expected(cohort(size, responders), AisImprovement())
    large = observed_vs_expected(cohort(4 * size, 4 * responders), AisImprovement())
    assert small is not None
    assert large is not None
    assert small.ratio == pytest.approx(large.ratio)
    assert small.interval is not None
    assert large.interval is not None
    assert large.interval[1] - large.interval[0] < small.interval[1] - small.interval[0]
    assert small.widened is not None
    assert large.widened is not None
    assert large.widened[1] - large.widened[0] < small.widened[1] - small.widened[0]


def test_exact_poisson_limits_and_t_quantiles_match_published_values() -> None:
    # Garwood limits as tabulated (e.g. Breslow & Day 1987, Table 2.10 / Ulm 1990)
    assert poisson_limits(0)[1] == pytest.approx(3.689, abs=1e-3)
    assert poisson_limits(1) == pytest.approx((0.0253, 5.5716), abs=1e-4)
    assert poisson_limits(10) == pytest.approx((4.7954, 18.3904), abs=1e-4)
    assert gamma_cdf(3.0, 3.0) == pytest.approx(0.576810, abs=1e-6)
    assert t_quantile(0.975, 10) == pytest.approx(2.228139, abs=1e-6)
    assert t_quantile(0.975, 1) == pytest.approx(12.7062, abs=1e-4)
    with pytest.raises(ValueError, match="non-negative"):
        poisson_limits(-1)


def test_mean_change_against_the_cervical_ais_a_uems_figure() -> None:
    # APMR 2022: cervical AIS A, UEMS +7.8 (SD 6.5), per-grade N not reported
    def motor(pid: str, gain: int) -> PatientCourse:
        base = Assessment(ais="A", nli="C5", uems=10, lems=0)
        later = Assessment(ais="A", nli="C5", uems=10 + gain, lems=0)
        return PatientCourse(pid, base, 20, (FollowUp(360, later),))

    got = change_vs_expected(
        [motor("a", 6), motor("b", 8), motor("c", 10)], ReferenceOutcome.UEMS_GAIN
    )
    assert (got.patients, got.observed_mean, got.expected_mean) == (3, 8.0, pytest.approx(7.8))
    assert got.difference == pytest.approx(0.2)
    # mean 0.2, SD 2, t(0.975; 2) = 4.3027: 0.2 -+ 4.3027 x 2 / sqrt 3
    assert got.interval == pytest.approx((0.2 - 4.96833, 0.2 + 4.96833), abs=1e-4)
    assert not got.widened_complete
    thoracic = PatientCourse("t", Assessment(ais="A", nli="T6", uems=50), 20, ())
    none = change_vs_expected([thoracic], ReferenceOutcome.UEMS_GAIN)
    assert none.patients == 0
    assert none.without_reference[0][0] == "t"
