"""Cohort rates on synthetic cohorts whose answers are worked out by hand."""

from __future__ import annotations

import pytest

from cordtrack.outcomes import (
    AisImprovement,
    Assessment,
    FollowUp,
    PatientCourse,
    Phase,
    ResponseStatus,
    ScoreGain,
    StratumKey,
    cohort_rate,
    describe,
    select,
    stratify,
)


def course(
    pid: str,
    base: str,
    at_day_365: str | None,
    *,
    nli: str = "C5",
    injury_days: int = 5,
    **kw: object,
) -> PatientCourse:
    follow = () if at_day_365 is None else (FollowUp(365, Assessment(ais=at_day_365)),)
    return PatientCourse(pid, Assessment(ais=base, nli=nli), injury_days, follow, **kw)  # type: ignore[arg-type]


def cohort_of_twenty() -> list[PatientCourse]:
    """7 responders (A -> B), 10 non-responders (A -> A), 3 without a 12-month exam."""
    return (
        [course(f"r{i}", "A", "B") for i in range(7)]
        + [course(f"n{i}", "A", "A") for i in range(10)]
        + [course(f"l{i}", "A", None) for i in range(3)]
    )


def test_seven_of_twenty_with_three_lost_reads_35_to_50_percent_in_worst_and_best_case() -> None:
    rate = cohort_rate(cohort_of_twenty(), AisImprovement(grades=1, by_day=365))
    # Headline (worst case): 7/20 = 35%, Wilson 18.1%-56.7%.
    # Best case: lost are responders, (7 + 3)/20 = 50%. Complete case 7/17 = 41%.
    assert (rate.responders, rate.non_responders, rate.lost, rate.due) == (7, 10, 3, 20)
    assert rate.rate is not None
    assert rate.best_case is not None
    assert rate.complete_case is not None
    assert rate.rate.estimate == 0.35
    assert (rate.rate.low, rate.rate.high) == pytest.approx((0.1812, 0.5671), abs=1e-4)
    assert rate.best_case.estimate == 0.5
    assert rate.complete_case.estimate == pytest.approx(7 / 17)
    assert describe(rate) == (
        "Responders (≥1 AIS grade improvement at 12 months, assessed 320-410 days after "
        "baseline): 7 of 20 (35%, 95% CI 18%–57%), uncontrolled single-arm; 3 lost to "
        "follow-up: 35%–50% in worst/best case"
    )


def test_success_rate_is_never_rendered_without_its_definition() -> None:
    definition = AisImprovement()
    text = describe(cohort_rate(cohort_of_twenty(), definition), label="Success rate")
    assert text.startswith(f"Success rate (defined as {definition.definition}):")


def test_undetermined_follow_up_counts_as_non_responder_in_the_headline_and_responder_at_best() -> (
    None
):
    # A -> "A,B": improvement of 0 or 1 grade, not known
    courses = [course("u", "A", "A,B"), course("r", "A", "B")]
    rate = cohort_rate(courses, AisImprovement())
    assert (rate.responders, rate.undetermined) == (1, 1)
    assert rate.rate is not None
    assert rate.rate.estimate == 0.5
    assert rate.best_case is not None
    assert rate.best_case.estimate == 1.0
    assert "1 undetermined: 50%–100% in worst/best case" in describe(rate)


def test_patients_whose_window_has_not_ended_are_left_out_and_counted() -> None:
    courses = [course("r", "A", "B"), course("new", "A", None, observed_until=100)]
    rate = cohort_rate(courses, AisImprovement())
    assert (rate.due, rate.not_yet_due) == (1, 1)
    assert describe(rate).endswith("; 1 not yet due, not counted")


def test_the_follow_up_nearest_the_target_day_inside_the_window_decides() -> None:
    c = PatientCourse(
        "p", Assessment(ais="A"), 5,
        (FollowUp(180, Assessment(ais="C")), FollowUp(340, Assessment(ais="A")),
         FollowUp(420, Assessment(ais="B"))),
    )  # fmt: skip
    # day 180 is outside 365 ± 45; 340 is 25 days away, 420 is 55 days away (outside)
    assert AisImprovement().status(c) is ResponseStatus.NON_RESPONDER
    assert AisImprovement(by_day=180).status(c) is ResponseStatus.RESPONDER


def test_score_gain_responders_and_missing_scores() -> None:
    def lems(pid: str, before: int, after: int | None) -> PatientCourse:
        return PatientCourse(
            pid, Assessment(lems=before), 5, (FollowUp(365, Assessment(lems=after)),)
        )

    definition = ScoreGain(measure="LEMS", at_least=6, by_day=365)
    rate = cohort_rate([lems("a", 10, 16), lems("b", 10, 15), lems("c", 10, None)], definition)
    assert (rate.responders, rate.non_responders, rate.lost) == (1, 1, 1)
    assert definition.definition.startswith("LEMS gain ≥6 points at 12 months")
    with pytest.raises(ValueError, match="ScoreGain supports"):
        ScoreGain(measure="pain NRS")


def test_a_concurrent_control_group_replaces_the_uncontrolled_label() -> None:
    control = [course("c1", "A", "B")] + [course(f"c{i}", "A", "A") for i in range(2, 6)]
    rate = cohort_rate(cohort_of_twenty(), AisImprovement(), control=control)
    text = describe(rate)
    assert rate.controlled
    assert "uncontrolled" not in text
    assert "with a concurrent control group" in text
    assert "concurrent control: 1 of 5 (20%, 95% CI 4%–62%)" in text


def test_strata_by_ais_level_and_phase_each_sit_beside_their_reference() -> None:
    courses = (
        # cervical AIS A, acute (exam day 5): 2 of 4 improved
        [course(f"a{i}", "A", "B" if i < 2 else "A") for i in range(4)]
        # thoracic T4 AIS C, acute (day 10): 3 of 3 reached D
        + [course(f"c{i}", "C", "D", nli="T4", injury_days=10) for i in range(3)]
        # cervical AIS A, subacute (day 100): no table covers it
        + [course("s", "A", "A", injury_days=100)]
    )
    strata = stratify(courses, AisImprovement())
    got = {
        s.label(): (s.rate.responders, s.rate.due, s.reference.comparable, s.reference.value_range)
        for s in strata
    }
    assert got == {
        # day 5: Table 2 rows 15.4-30.2 and Marino 2011 30.0
        "baseline AIS A, level group cervical, phase acute": (2, 4, True, (15.4, 30.2)),
        "baseline AIS A, level group cervical, phase subacute": (0, 1, False, None),
        # day 10, T1-T9 group: Table 6 C -> D/E rows for windows >= 10 d at all levels or
        # above T11 (Spiess 84.8, van Middendorp 74.4, Kirshblum 2016 72.5) and the by-level rows
        # of natural-history.md E1 (Spiess above T10 78, Kirshblum 2016 T1-T9 63.6)
        "baseline AIS C, level group T1-T9, phase acute": (3, 3, True, (63.6, 84.8)),
    }


def test_strata_by_one_key_only() -> None:
    strata = stratify(cohort_of_twenty(), AisImprovement(), by=(StratumKey.AIS,))
    assert [(s.label(), s.rate.responders, s.rate.due) for s in strata] == [
        ("baseline AIS A", 7, 20)
    ]


def test_select_by_tags_ais_and_phase() -> None:
    courses = [
        course("x", "A", "B", tags={"site": "OSL", "route": "intrathecal"}),
        course("y", "C", "D", tags={"site": "OSL", "route": "intravenous"}),
        course("z", "A", "A", tags={"site": "BCN", "route": "intrathecal"}),
    ]
    assert [c.patient_id for c in select(courses, site="OSL")] == ["x", "y"]
    assert [c.patient_id for c in select(courses, route="intrathecal", baseline_ais="A")] == [
        "x",
        "z",
    ]
    acute = select(
        [course("a", "A", "B"), course("b", "A", "B", injury_days=400)], phase=Phase.ACUTE
    )
    assert [c.patient_id for c in acute] == ["a"]
