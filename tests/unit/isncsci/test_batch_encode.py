"""Encoding exams for the batch engine: rows and columns, and invalid rows reported, not dropped."""

from __future__ import annotations

import numpy as np
import pytest
from worksheets import normal_to, worksheet

import cordtrack.isncsci.batch as batch
from cordtrack.isncsci import EXAM_KEYS, ExamValidationError, classify, parse_exam
from cordtrack.isncsci.batch import classify_batch, concatenate, encode, encode_columns
from cordtrack.isncsci.batch.codes import MOTOR_VALUES, SENSORY_VALUES


def _messages(flat: dict[str, object]) -> list[str]:
    with pytest.raises(ExamValidationError) as info:
        parse_exam(flat)
    return [str(e) for e in info.value.errors]


def test_the_public_api_is_pinned() -> None:
    assert batch.__all__ == [
        "CHUNK", "DOMAINS", "SET_KEYS", "BatchResult", "ErrorRecord", "ExamArrays",
        "classify_batch", "concatenate", "encode", "encode_columns",
    ]  # fmt: skip


def test_codes_follow_the_value_order_of_the_scalar_cells() -> None:
    assert SENSORY_VALUES == ("0", "0*", "0**", "1", "1*", "1**", "2", "NT", "NT*", "NT**")
    assert len(MOTOR_VALUES) == 19
    arrays, _ = encode([worksheet("normal to T6\nR C6 touch NT*\nL C5 motor 3**")])
    assert arrays.touch.shape == (2, 28, 1)
    assert arrays.touch.dtype == np.uint8
    assert arrays.motor.shape == (2, 10, 1)
    assert SENSORY_VALUES[arrays.touch[0, 4, 0]] == "NT*"
    assert MOTOR_VALUES[arrays.motor[1, 0, 0]] == "3**"


def test_invalid_rows_become_error_records_with_the_scalar_messages() -> None:
    good = normal_to("T6")
    bad_grade = {**good, "c5RightMotor": "6", "s4_5LeftPrick": "3"}
    missing = dict(good)
    del missing["t1LeftTouch"]
    unhashable = {**good, "analContraction": ["Yes"]}
    not_a_string = {**good, "c6LeftTouch": 1}
    rows = [good, bad_grade, good, missing, unhashable, not_a_string]
    arrays, errors = encode(rows, first_row=10)
    assert arrays.rows.tolist() == [10, 12]
    assert [e.row for e in errors] == [11, 13, 14, 15]
    for error, row in zip(errors, rows[1:2] + rows[3:], strict=True):
        assert [str(e) for e in error.errors] == _messages(row)
    assert errors[0].message == (
        "c5RightMotor: '6' is not a motor grade; s4_5LeftPrick: '3' is not a sensory score"
    )


def test_near_misses_are_errors_as_in_the_scalar_parser_unless_read_leniently() -> None:
    from cordtrack.isncsci.batch.encode import assemble, row_codes
    from cordtrack.isncsci.exam import normalised

    flat = {**worksheet("normal to C7\nVAC Yes DAP No"), "c5LeftMotor": " 4 "}
    flat["rightLowestNonKeyMuscleWithMotorFunction"] = "l2"
    arrays, errors = encode([flat])
    assert len(arrays) == 0
    assert [str(e) for e in errors[0].errors] == _messages(flat)

    arrays, errors, changed = assemble(*row_codes([flat]), lambda r: flat, lenient=True)
    assert (errors, changed) == ([], 2)
    fixed, _ = normalised(flat)
    assert classify_batch(arrays).to_flat_rows() == [classify(parse_exam(fixed)).to_flat()]


def test_columns_encode_like_rows() -> None:
    rows = [
        worksheet("normal to C5\nR C6 motor NT\nVAC NT DAP No"),
        worksheet("normal to T10\nL T11 prick 1**\nNK L L3"),
        {**normal_to("C6"), "c7RightTouch": "9"},
        worksheet("normal everywhere"),
    ]  # fmt: skip
    keys = [k for k in EXAM_KEYS if any(k in r for r in rows)]
    lists = {k: [r.get(k, "") for r in rows] for k in keys}
    arrays_np = {k: np.array(v) for k, v in lists.items()}
    by_rows, row_errors = encode(rows)
    for columns in (lists, arrays_np):
        by_columns, column_errors = encode_columns(columns)
        assert [(e.row, e.message) for e in column_errors] == [
            (e.row, e.message) for e in row_errors
        ]
        assert classify_batch(by_columns).to_flat_rows() == classify_batch(by_rows).to_flat_rows()
    assert [e.row for e in row_errors] == [2]


def test_a_missing_column_reports_every_row() -> None:
    columns = {k: [v] * 3 for k, v in normal_to("T1").items() if k != "analSensation"}
    arrays, errors = encode_columns(columns)
    assert len(arrays) == 0
    assert [e.message for e in errors] == ["analSensation: is required"] * 3


def test_an_empty_input_gives_an_empty_result() -> None:
    arrays, errors = encode([])
    assert (len(arrays), errors) == (0, [])
    assert classify_batch(arrays).to_flat_rows() == []


def test_concatenated_arrays_are_in_row_order_and_contiguous() -> None:
    first, _ = encode([normal_to("C5"), normal_to("T4")])
    second, _ = encode([normal_to(None)], first_row=2)
    joined = concatenate([second, first])
    assert joined.rows.tolist() == [0, 1, 2]
    assert all(
        a.flags["C_CONTIGUOUS"] for a in (joined.touch, joined.prick, joined.motor, joined.non_key)
    )
    rows = classify_batch(joined).to_flat_rows()
    assert [r["neurologicalLevelOfInjury"] for r in rows] == ["C5", "T4", "INT"]
