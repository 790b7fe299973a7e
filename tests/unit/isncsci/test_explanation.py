"""Explanations: the ordered steps behind each result, in plain clinical language."""

from __future__ import annotations

from worksheets import published_cases, worksheet

from cordtrack.isncsci import RESULT_KEYS, classify, explain, parse_exam


def steps_of(text: str, result: str) -> list[str]:
    _, steps = explain(parse_exam(worksheet(text)))
    return [s.text for s in steps if s.result == result]


def test_every_one_of_the_25_results_has_steps_on_every_published_case() -> None:
    for case in published_cases():
        _, steps = explain(parse_exam(case))
        assert {s.result for s in steps} == set(RESULT_KEYS), case["id"]


def test_explaining_gives_the_same_classification() -> None:
    exam = parse_exam(worksheet("normal to C6\nR C7 motor NT\nDAP NT"))
    assert explain(exam)[0] == classify(exam)


def test_the_sensory_level_explanation_names_the_first_abnormal_dermatome_and_the_level() -> None:
    texts = steps_of("normal to T6", "rightSensory")
    assert texts == [
        "C2 to T6: light touch and pin prick are normal on every dermatome.",
        "T7: light touch 0, pin prick 0 is not normal (normal is 2 for both); the sensory level "
        "is the segment above, T6.",
    ]


def test_a_not_testable_dermatome_is_explained_as_leaving_both_outcomes_open() -> None:
    texts = steps_of("normal to T6\nR C6 touch NT", "rightSensory")
    assert any("C6 may be normal or not, so C5 is possible" in t for t in texts)


def test_the_motor_level_explanation_says_why_the_search_stopped() -> None:
    texts = steps_of("normal to T6\nR C7 motor 2", "rightMotor")
    assert (
        texts[-1] == "C7 key muscle grade 2 is below 3: the motor level is the segment above, C6."
    )


def test_a_judged_value_is_said_to_rest_on_the_examiners_judgement() -> None:
    texts = steps_of("normal to T6\nR C6 touch 1**", "rightSensory")
    assert any("examiner's judgement" in t for t in texts)


def test_the_ais_explanation_states_the_rule_applied() -> None:
    (text,) = steps_of("normal to T6\nRL S4_5 touch 1", "asiaImpairmentScale")
    assert text.startswith("Sacral sensation without VAC")
    assert "AIS B" in text


def test_zpp_steps_walk_up_from_the_sacral_end() -> None:
    texts = steps_of("normal to T6\nR L3 motor 1", "rightMotorZpp")
    assert texts == [
        "S1 to L4: no motor function in any key muscle; the search moves up.",
        "L3: key muscle L3 has motor function: it is the motor ZPP.",
    ]


def test_a_not_determinable_total_says_why() -> None:
    (text,) = steps_of("normal to T6\nL C6 motor NT", "leftUpperMotorTotal")
    assert "not determinable" in text
