"""Per-patient change from baseline: ranges for undetermined values, thresholds with sources."""

from __future__ import annotations

from cordtrack.clinical.evidence import ChangeThreshold
from cordtrack.isncsci import Possible
from cordtrack.outcomes import (
    Assessment,
    ChangeRange,
    ChangeStatus,
    Measure,
    Tri,
    ais_change,
    change_from_baseline,
    level_change,
)


def test_baseline_a_to_b_or_c_is_an_improvement_of_one_to_two_grades_never_a_point() -> None:
    change = ais_change("A", "B,C")
    assert change == ChangeRange(1, 2)
    assert not change.determined
    assert change.at_least(1) is Tri.YES
    assert change.at_least(2) is Tri.UNDETERMINED
    assert change.render() == "+1 to +2"


def test_undetermined_baseline_and_follow_up_span_every_pair() -> None:
    # baseline C or D, follow-up D: D-D = 0, D-C = +1
    assert ais_change("C,D", "D") == ChangeRange(0, 1)
    # starred values and Possible objects are read the same way
    assert ais_change(Possible((("C", False), ("D", True))), "D*") == ChangeRange(0, 1)


def test_an_ais_that_is_not_a_grade_makes_the_change_undetermined() -> None:
    assert ais_change("A", "ND") is None
    assert ais_change(None, "B") is None


def test_levels_gained_count_the_caudal_shift_and_intact_sits_after_s3() -> None:
    assert level_change("C5", "C7") == ChangeRange(2, 2)
    assert level_change("C5", "C4") == ChangeRange(-1, -1)
    assert level_change("C5,C6", "C7") == ChangeRange(1, 2)
    assert level_change("S3", "INT") == ChangeRange(1, 1)
    assert level_change("C5", "NA") is None


def test_every_measure_of_a_worked_patient() -> None:
    baseline = Assessment(
        ais="A", nli="C5", motor_level_right="C5", motor_level_left="C5,C6",
        uems=10, lems=0, lt=40, pp=None, scim_iii=20, wisci_ii=0, pain_nrs=6,
    )  # fmt: skip
    follow = Assessment(
        ais="B,C", nli="C6", motor_level_right="C7", motor_level_left="C7",
        uems=18, lems=2, lt=52, pp=30, scim_iii=31, wisci_ii=2, pain_nrs=4,
    )  # fmt: skip
    result = change_from_baseline(baseline, follow)

    ais = result[Measure.AIS]
    assert (ais.change, ais.status) == (ChangeRange(1, 2), ChangeStatus.RANGE)
    assert ais.meaningful_improvement is None  # the sheet gives no MCID for AIS
    assert "no MCID" in ais.note

    assert result[Measure.NLI].change == ChangeRange(1, 1)
    assert result[Measure.NLI].checks == ()  # +2 levels (NNR 2012) is a motor-level threshold

    # motor level right C5 -> C7 = +2 levels: reaches the NNR 2012 threshold for certain
    assert result[Measure.MOTOR_LEVEL_RIGHT].meaningful_improvement is Tri.YES
    # left C5 or C6 -> C7 = +1 or +2: may or may not
    assert result[Measure.MOTOR_LEVEL_LEFT].meaningful_improvement is Tri.UNDETERMINED

    uems = result[Measure.UEMS]
    assert uems.change == ChangeRange(8, 8)
    assert uems.meaningful_improvement is None  # UEMS MCID [UNCONFIRMED] in the sheet
    assert "no confirmed" in uems.note

    pp = result[Measure.PP]
    assert (pp.change, pp.status) == (None, ChangeStatus.MISSING)  # ND propagates

    # SCIM III +11: >= 4 (small) and >= 10 (substantial) reached; anchor-based 12-45.3 not
    scim = result[Measure.SCIM_III]
    assert [(c.threshold.value, c.improvement) for c in scim.checks] == [
        (4, Tri.YES), (10, Tri.YES), (12, Tri.NO),
    ]  # fmt: skip
    assert all(c.threshold.source for c in scim.checks)
    assert scim.meaningful_improvement is Tri.YES

    # WISCI II +2: reaches the 1-level and the acute 2-level thresholds
    assert result[Measure.WISCI_II].meaningful_improvement is Tri.YES

    # Pain 6 -> 4 = -2 points: beyond the 1.8-point decrease (Hanley), but only -33%, short of 36%
    pain = result[Measure.PAIN_NRS]
    assert [(c.threshold.value, c.improvement) for c in pain.checks] == [
        (1.8, Tri.YES), (36.0, Tri.NO),
    ]  # fmt: skip
    assert pain.meaningful_improvement is Tri.YES
    assert pain.meaningful_deterioration is Tri.NO


def test_a_scim_gain_inside_the_anchor_range_depends_on_the_lesion_group() -> None:
    result = change_from_baseline(Assessment(scim_iii=20), Assessment(scim_iii=50))
    anchor = result[Measure.SCIM_III].checks[2]
    assert anchor.threshold.upper == 45.3
    assert anchor.improvement is Tri.UNDETERMINED  # +30 is above 12, below 45.3
    assert "lesion group" in anchor.note


def test_worsening_beyond_a_threshold_is_flagged_as_deterioration() -> None:
    result = change_from_baseline(Assessment(wisci_ii=10), Assessment(wisci_ii=8))
    assert result[Measure.WISCI_II].meaningful_deterioration is Tri.YES
    assert result[Measure.WISCI_II].meaningful_improvement is Tri.NO


def test_thresholds_are_configurable_per_measure() -> None:
    site_rule = ChangeThreshold("lems", 5, "points", "site convention", "Site protocol v2")
    result = change_from_baseline(
        Assessment(lems=10), Assessment(lems=16), thresholds={Measure.LEMS: (site_rule,)}
    )
    assert result[Measure.LEMS].meaningful_improvement is Tri.YES
    assert result[Measure.LEMS].checks[0].threshold.source == "Site protocol v2"


def test_a_classification_with_a_not_testable_muscle_gives_a_level_range_and_no_uems() -> None:
    from worksheets import worksheet

    from cordtrack.isncsci import classify, parse_exam

    before = classify(parse_exam(worksheet("normal to C5")))
    after = classify(parse_exam(worksheet("normal to C6\nR C7 motor NT")))
    result = change_from_baseline(
        Assessment.from_classification(before), Assessment.from_classification(after)
    )
    assert result[Measure.AIS].change == ChangeRange(0, 0)  # A -> A
    assert result[Measure.NLI].change == ChangeRange(1, 1)  # C5 -> C6
    assert result[Measure.MOTOR_LEVEL_RIGHT].follow_up == "C6,C7"
    assert result[Measure.MOTOR_LEVEL_RIGHT].change == ChangeRange(1, 2)
    assert result[Measure.UEMS].follow_up == "ND"
    assert result[Measure.UEMS].change is None
