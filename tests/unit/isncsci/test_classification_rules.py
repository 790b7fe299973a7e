"""The ISNCSCI 2019 rules on small worksheets, one rule a test."""

from __future__ import annotations

from worksheets import worksheet

from cordtrack.isncsci import classify, parse_exam


def result(text: str) -> dict[str, str]:
    return classify(parse_exam(worksheet(text))).to_flat()


def test_sensory_level_is_the_segment_above_the_first_abnormal_dermatome() -> None:
    r = result("normal to T6")
    assert (r["rightSensory"], r["leftSensory"]) == ("T6", "T6")


def test_motor_level_follows_sensation_where_no_key_muscle_exists() -> None:
    assert result("normal to T6")["rightMotor"] == "T6"


def test_motor_level_rests_on_an_antigravity_muscle_when_those_above_are_normal() -> None:
    r = result("""
        normal to T6
        R C7 motor 3
    """)
    assert r["rightMotor"] == "C7"
    assert r["neurologicalLevelOfInjury"] == "C7"


def test_motor_level_is_above_a_muscle_weaker_than_grade_3() -> None:
    assert result("normal to T6\nR C7 motor 2")["rightMotor"] == "C6"


def test_ais_is_a_without_sacral_sparing() -> None:
    r = result("normal to T6")
    assert (r["asiaImpairmentScale"], r["injuryComplete"]) == ("A", "C")


def test_ais_is_b_when_only_sacral_sensation_is_spared() -> None:
    r = result("""
        normal to T6
        RL S4_5 touch 1
    """)
    assert (r["asiaImpairmentScale"], r["injuryComplete"]) == ("B", "I")


def test_ais_is_c_when_vac_is_present_and_few_muscles_below_are_antigravity() -> None:
    assert result("normal to T6\nVAC Yes DAP No")["asiaImpairmentScale"] == "C"


def test_ais_is_d_when_half_of_the_key_muscles_below_the_nli_are_antigravity() -> None:
    r = result("""
        normal to T6
        VAC Yes DAP Yes
        RL L2 motor 3
        RL L3 motor 3
        R  L4 motor 3
    """)
    assert r["asiaImpairmentScale"] == "D"


def test_a_non_key_muscle_more_than_three_levels_below_makes_ais_c_not_b() -> None:
    base = "normal to C5\nDAP Yes"
    assert result(base)["asiaImpairmentScale"] == "B"
    assert result(base + "\nNK R C8")["asiaImpairmentScale"] == "B"
    assert result(base + "\nNK R T1")["asiaImpairmentScale"] == "C"


def test_zones_of_partial_preservation_are_the_lowest_segments_with_function() -> None:
    r = result("""
        normal to T6
        R T9 touch 1
        R L3 motor 1
    """)
    assert (r["rightSensoryZpp"], r["leftSensoryZpp"]) == ("T9", "T6")
    assert (r["rightMotorZpp"], r["leftMotorZpp"]) == ("L3", "T6")


def test_zpp_does_not_apply_where_sacral_function_may_be_present() -> None:
    r = result("normal to T6\nVAC NT DAP No")
    assert r["rightMotorZpp"] == "NA,T6"
    assert r["rightSensoryZpp"] == "T6"


def test_a_not_testable_dermatome_leaves_both_levels_possible() -> None:
    r = result("normal to T6\nR C6 touch NT")
    assert r["rightSensory"] == "C5,T6"
    assert r["rightMotor"] == "T1,T6"
    assert r["neurologicalLevelOfInjury"] == "C5,T6"


def test_a_value_considered_normal_stars_the_levels_it_lets_through() -> None:
    r = result("normal to T6\nL C6 motor 0**")
    assert (r["leftMotor"], r["neurologicalLevelOfInjury"]) == ("T6*", "T6*")
    assert r["leftUpperMotorTotal"] == "20"  # totals count the measured grade


def test_a_not_testable_value_makes_its_totals_not_determinable() -> None:
    r = result("normal to T6\nL C6 motor NT")
    assert (r["leftUpperMotorTotal"], r["leftMotorTotal"], r["upperMotorTotal"]) == ("ND",) * 3
    assert r["rightUpperMotorTotal"] == "25"


def test_an_all_normal_exam_with_vac_is_ais_e() -> None:
    r = result("normal everywhere")
    assert (r["asiaImpairmentScale"], r["neurologicalLevelOfInjury"]) == ("E", "INT")


def test_normal_sensation_without_vac_is_b_with_an_intact_nli() -> None:
    r = result("normal everywhere\nVAC No DAP No")
    assert (r["asiaImpairmentScale"], r["neurologicalLevelOfInjury"]) == ("B", "INT")
    assert r["rightMotor"] == "S3"
