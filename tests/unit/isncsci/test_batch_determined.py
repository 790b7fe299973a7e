"""The batch engine's textbook grading of determined exams (used for the readings of the exams
decided reading by reading) gives the AIS grade and motor ZPPs the full classification gives."""

from __future__ import annotations

import numpy as np
import pytest

from cordtrack.isncsci.batch import classify_batch, encode, readings
from cordtrack.isncsci.batch.codes import MOTOR_SCORE, MOTOR_VALUES, SENSORY_SCORE, SENSORY_VALUES
from cordtrack.isncsci.batch.determined import grades_and_motor_zpps
from cordtrack.isncsci.batch.encode import ExamArrays
from cordtrack.isncsci.batch.result import SET_KEYS
from cordtrack.isncsci.generator import generate_exams

_KEYS = [SET_KEYS.index(k) for k in ("asiaImpairmentScale", "rightMotorZpp", "leftMotorZpp")]


def _agree(arrays: ExamArrays) -> None:
    reached = classify_batch(arrays).reached[_KEYS]
    grade, zpp = grades_and_motor_zpps(arrays)
    one = np.uint32(1)
    assert np.array_equal(reached[0], one << grade.astype(np.uint32))
    assert np.array_equal(reached[1:], one << zpp.astype(np.uint32))


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
    _agree(arrays)


def test_the_readings_of_undetermined_exams_are_graded_as_the_classification_grades_them() -> None:
    exams = list(generate_exams(600, seed=22, nt_rate=0.03, star_rate=0.02, non_key_rate=0.3))
    arrays, _ = encode(exams)
    expanded, starts, _ = readings.expand(arrays, np.arange(len(arrays)))
    assert len(expanded) > 5 * starts.size  # many readings each
    _agree(expanded)


@pytest.mark.parametrize(
    ("values", "scores", "top"),
    [(SENSORY_VALUES, SENSORY_SCORE, 2), (MOTOR_VALUES, MOTOR_SCORE, 5)],
)
def test_a_score_is_at_least_s_exactly_when_its_code_is_at_least_the_code_of_s(
    values: tuple[str, ...], scores: np.ndarray, top: int
) -> None:
    # grades_and_motor_zpps compares codes, not scores: every scored value (starred or not) must
    # sort among the codes as its score does.
    scored = [c for c, v in enumerate(values) if not v.startswith("NT")]
    for s in range(top + 1):
        at_least = values.index(str(s))
        assert all((c >= at_least) == (scores[c] >= s) for c in scored), s
