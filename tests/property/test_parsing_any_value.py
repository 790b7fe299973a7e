"""Any JSON value in any exam field is a field error, never another exception: in the scalar
parser and the batch encoder (both entry points); ``cordtrack classify`` and the API are held to
it in tests/cli and tests/server.

A JSON Lines file or an API body can carry a list, an object, a number or null where a worksheet
value belongs (``"rightLowestNonKeyMuscleWithMotorFunction": ["C5"]``); the answer must name the
field, as for a misspelt value.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from worksheets import normal_to

from cordtrack.isncsci import EXAM_KEYS, ExamValidationError, classify, parse_exam
from cordtrack.isncsci.batch import classify_batch
from cordtrack.isncsci.batch.encode import encode, encode_columns
from cordtrack.isncsci.exam import NON_KEY_LEVELS, normalised

NON_KEY_FIELDS = (
    "rightLowestNonKeyMuscleWithMotorFunction",
    "leftLowestNonKeyMuscleWithMotorFunction",
)

#: Any value JSON can carry (orjson: no NaN or infinity).
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=6)
    | st.sampled_from(["3", "NT*", "Yes", "C5", "", " 2", "c7"]),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=6,
)


def _valid_as_written(key: str, value: object) -> bool:
    """Whether ``value`` is a value the field accepts exactly as written."""
    if not isinstance(value, str):
        return value is None and key in NON_KEY_FIELDS
    try:
        parse_exam({**normal_to(None), key: value})
    except ExamValidationError:
        return False
    return True


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    changes=st.dictionaries(st.sampled_from(EXAM_KEYS), json_values, min_size=1, max_size=4),
    lenient=st.booleans(),
)
def test_any_json_value_in_any_field_is_a_field_error_naming_it(
    changes: dict[str, Any], lenient: bool
) -> None:
    flat: dict[str, object] = {**normal_to("T6"), **changes}
    if lenient:
        flat, _ = normalised(flat)
    wrong = {k for k, v in changes.items() if not _valid_as_written(k, flat[k])}
    if wrong:
        with pytest.raises(ExamValidationError) as info:
            parse_exam(flat)
        assert {e.field for e in info.value.errors} == wrong
        assert all(e.message and str(e).startswith(f"{e.field}: ") for e in info.value.errors)
    else:
        classify(parse_exam(flat))
    arrays, errors = encode([flat])
    assert [{e.field for e in r.errors} for r in errors] == ([wrong] if wrong else [])
    assert len(arrays) == (0 if wrong else 1)
    columns = {k: [v] for k, v in flat.items()}
    arrays, errors = encode_columns(columns)
    assert [{e.field for e in r.errors} for r in errors] == ([wrong] if wrong else [])
    classify_batch(arrays)


@pytest.mark.parametrize("value", [["C5"], {"level": "C5"}, 7, 7.5, True, [], {}])
@pytest.mark.parametrize("key", [NON_KEY_FIELDS[0], "c5RightMotor", "t4LeftPrick", "analSensation"])
def test_a_list_object_or_number_is_named_with_its_field(key: str, value: object) -> None:
    with pytest.raises(ExamValidationError) as info:
        parse_exam({**normal_to("T6"), key: value})
    (error,) = info.value.errors
    assert (error.field, error.value) == (key, value)
    assert "is not" in error.message


def test_something_other_than_an_object_is_an_error_not_a_crash() -> None:
    for value in (["C5"], "exam", 3, None):
        with pytest.raises(ExamValidationError, match="is not an exam"):
            parse_exam(value)  # type: ignore[arg-type]


def test_every_level_name_of_a_non_key_muscle_is_still_read() -> None:
    for level in NON_KEY_LEVELS:
        exam = parse_exam({**normal_to("T6"), NON_KEY_FIELDS[1]: level})
        assert exam.left.lowest_non_key_muscle == level
