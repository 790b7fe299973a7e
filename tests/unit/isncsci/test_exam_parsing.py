"""Parsing a flat exam: strict, complete error reports that name the field and the value."""

from __future__ import annotations

import pytest
from worksheets import normal_to

from cordtrack.isncsci import EXAM_KEYS, ExamValidationError, parse_exam


def test_an_invalid_motor_grade_is_named_with_its_field_and_value() -> None:
    flat = {**normal_to("T6"), "c5RightMotor": "6"}
    with pytest.raises(ExamValidationError) as info:
        parse_exam(flat)
    assert str(info.value) == "c5RightMotor: '6' is not a motor grade"
    (error,) = info.value.errors
    assert (error.field, error.value) == ("c5RightMotor", "6")


def test_every_invalid_field_is_reported_at_once() -> None:
    flat = {**normal_to("T6"), "c5RightMotor": "6", "s4_5LeftPrick": "3", "analContraction": "y"}
    del flat["t1LeftTouch"]
    with pytest.raises(ExamValidationError) as info:
        parse_exam(flat)
    assert [e.field for e in info.value.errors] == [
        "analContraction", "c5RightMotor", "t1LeftTouch", "s4_5LeftPrick",
    ]  # fmt: skip
    messages = [str(e) for e in info.value.errors]
    assert "analContraction: 'y' is not Yes, No or NT" in messages
    assert "t1LeftTouch: is required" in messages


@pytest.mark.parametrize("value", ["2*", "2**", "5*", "5**", "NT***", "1.0", 1])
def test_values_outside_the_2019_value_set_are_refused(value: object) -> None:
    key = "c6LeftTouch" if value not in ("5*", "5**") else "c6LeftMotor"
    with pytest.raises(ExamValidationError) as info:
        parse_exam({**normal_to(None), key: value})
    assert info.value.errors[0].field == key


@pytest.mark.parametrize("value", ["0*", "1**", "NT", "NT*", "NT**"])
def test_starred_and_not_testable_sensory_values_are_accepted(value: str) -> None:
    exam = parse_exam({**normal_to(None), "c6LeftTouch": value})
    assert exam.left.touch[4].raw == value
    assert not exam.determined


def test_a_fully_scored_exam_is_determined() -> None:
    assert parse_exam(normal_to("C6")).determined


def test_keys_that_are_not_exam_data_are_ignored() -> None:
    flat = {**normal_to("T6"), "id": 7, "comments": "free text", "totals": {}}
    assert parse_exam(flat) == parse_exam(normal_to("T6"))


def test_the_lowest_non_key_muscle_may_be_missing_empty_or_a_level() -> None:
    base = normal_to("T6")
    assert parse_exam(base).right.lowest_non_key_muscle is None
    assert (
        parse_exam(
            {**base, "rightLowestNonKeyMuscleWithMotorFunction": ""}
        ).right.lowest_non_key_muscle
        is None
    )
    assert (
        parse_exam(
            {**base, "rightLowestNonKeyMuscleWithMotorFunction": "L1"}
        ).right.lowest_non_key_muscle
        == "L1"
    )
    with pytest.raises(ExamValidationError, match="leftLowestNonKeyMuscleWithMotorFunction"):
        parse_exam({**base, "leftLowestNonKeyMuscleWithMotorFunction": "X9"})


def test_the_flat_form_lists_all_134_exam_keys_and_two_optional_ones() -> None:
    assert len(EXAM_KEYS) == 136
    flat = parse_exam(normal_to("T6")).to_flat()
    assert set(flat) == set(EXAM_KEYS) - {
        "rightLowestNonKeyMuscleWithMotorFunction", "leftLowestNonKeyMuscleWithMotorFunction",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("key", "value", "meant"),
    [
        ("c5RightMotor", " 3 ", "3"),
        ("c2LeftTouch", "NT ", "NT"),
        ("t4RightPrick", "nt*", "NT*"),
        ("analContraction", " Yes", "Yes"),
        ("analSensation", "no", "No"),
        ("rightLowestNonKeyMuscleWithMotorFunction", "c7", "C7"),
        ("leftLowestNonKeyMuscleWithMotorFunction", " L2", "L2"),
    ],
)
def test_surrounding_spaces_and_wrong_case_are_errors_that_name_the_value_meant(
    key: str, value: str, meant: str
) -> None:
    # As the published reference: values are read exactly as written (issue 18).
    with pytest.raises(ExamValidationError) as info:
        parse_exam({**normal_to("T6"), key: value})
    (error,) = info.value.errors
    assert (error.field, error.value) == (key, value)
    assert error.message.endswith(f"(did you mean {meant!r}? values are read exactly as written)")


def test_the_lenient_reading_replaces_near_misses_and_counts_them() -> None:
    from cordtrack.isncsci.exam import normalised

    flat = {**normal_to("T6"), "c5RightMotor": " 4 ", "analSensation": "yes", "c6LeftMotor": "9"}
    flat["rightLowestNonKeyMuscleWithMotorFunction"] = "l3"
    read, changed = normalised(flat)
    assert changed == 3
    assert (read["c5RightMotor"], read["analSensation"]) == ("4", "Yes")
    assert read["rightLowestNonKeyMuscleWithMotorFunction"] == "L3"
    assert read["c6LeftMotor"] == "9"  # not a near miss: left for the parser to report
    assert flat["c5RightMotor"] == " 4 "  # the input is not changed
