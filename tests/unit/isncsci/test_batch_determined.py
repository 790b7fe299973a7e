"""The batch engine's textbook grading of determined readings (used for the exams decided reading
by reading) gives the AIS grade and motor ZPPs the full classification gives."""

from __future__ import annotations

import numpy as np
import pytest

from cordtrack.isncsci.batch import classify_batch, encode, readings
from cordtrack.isncsci.batch.determined import FELT_BIT, Readings, grades_and_motor_zpps
from cordtrack.isncsci.batch.encode import ExamArrays
from cordtrack.isncsci.batch.result import SET_KEYS
from cordtrack.isncsci.generator import generate_exams

_KEYS = [SET_KEYS.index(k) for k in ("asiaImpairmentScale", "rightMotorZpp", "leftMotorZpp")]


def _agree(arrays: ExamArrays, readings: Readings) -> None:
    reached = classify_batch(arrays).reached[_KEYS]
    grade, zpp = grades_and_motor_zpps(readings)
    one = np.uint32(1)
    assert np.array_equal(reached[0], one << grade.astype(np.uint32))
    assert np.array_equal(reached[1:], one << zpp.astype(np.uint32))


def _determined(readings: Readings, n: int) -> ExamArrays:
    """The readings as determined exams: each answer by one value that gives it."""
    words, non_key = readings.words, readings.non_key
    bits = np.arange(28, dtype=np.uint32)[None, :, None]
    sensory = np.where((words[:2, None, :] >> bits) & 1, 6, 0)  # the codes of 2 and 0
    felt = (words[:2] >> np.uint32(FELT_BIT)) & 1
    sensory[:, 27] = np.where(sensory[:, 27] == 6, 6, np.where(felt, 3, 0))  # codes of 2, 1, 0
    muscles = words[2:4, None, :] >> bits[:, :10]
    grade = (muscles & 1) + ((muscles >> 10) & 1) * 2 + ((muscles >> 20) & 1) * 2  # 0, 1, 3, 5
    motor = 3 * grade  # the code of grade g is 3 * g (g, g*, g** before it)
    return ExamArrays(
        touch=sensory.astype(np.uint8),
        prick=sensory.astype(np.uint8),
        motor=motor.astype(np.uint8),
        vac=np.where(words[4] & 1, 0, 1).astype(np.uint8),  # Yes, No
        dap=np.where(words[4] & 2, 0, 1).astype(np.uint8),
        non_key=non_key.astype(np.int8),
        rows=np.arange(n, dtype=np.int64),
    )


@pytest.mark.parametrize(
    "rates",
    [
        {"non_key_rate": 0.3},
        {"intact_rate": 0.3, "non_key_rate": 0.6},
    ],
)
def test_determined_exams_are_graded_as_the_classification_grades_them(
    rates: dict[str, float],
) -> None:
    exams = list(generate_exams(4000, seed=21, nt_rate=0.0, star_rate=0.0, **rates))
    arrays, errors = encode(exams)
    assert not errors
    expanded, starts, _ = readings.expand(arrays, np.arange(len(arrays)))
    assert np.array_equal(starts, np.arange(len(arrays)))  # one reading each
    _agree(arrays, expanded)


def test_the_readings_of_undetermined_exams_are_graded_as_the_classification_grades_them() -> None:
    exams = list(generate_exams(600, seed=22, nt_rate=0.03, star_rate=0.02, non_key_rate=0.3))
    arrays, _ = encode(exams)
    expanded, starts, _ = readings.expand(arrays, np.arange(len(arrays)))
    assert len(expanded) > 5 * starts.size  # many readings each
    _agree(_determined(expanded, len(expanded)), expanded)
