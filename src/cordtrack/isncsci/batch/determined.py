"""The AIS grade and the motor ZPPs of determined exams, by the textbook definitions, with a few
array operations per segment (ISNCSCI 2019; the same definitions as the scalar
:mod:`..determined` and the test suite's enumeration oracle).

Used for the readings of :mod:`.readings`: the exams whose grades or motor ZPPs must be decided
reading by reading have their readings laid out as determined exams, and only these two results
of each reading are needed. Reading them here, rather than through the whole classification,
keeps that path a small share of the batch engine's time (issue 18: ``make bench``).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from .codes import (
    MOTOR_VALUES,
    MUSCLE_AT,
    MUSCLE_LEVEL,
    N_LEVELS,
    N_MOTOR,
    N_SENSORY,
    NA_BIT,
    SENSORY_VALUES,
    YES,
)
from .encode import ExamArrays

_INT = N_LEVELS  # the index of INT among the levels, as in the bitmasks
_S45 = N_SENSORY - 1
A, B, C, D, E = range(5)
# A score's code is below every code of a higher score (codes follow the scores, each score's
# starred forms right after it: codes.SENSORY_VALUES), so "score at least s" is "code at least
# the code of s": the scores are compared on the codes themselves, with no lookup (held by
# tests/unit/isncsci/test_batch_determined.py).
_SENSED, _NORMAL_SENSATION = (np.uint8(SENSORY_VALUES.index(v)) for v in ("1", "2"))
_MOVES, _ANTIGRAVITY, _NORMAL_MOTOR = (np.uint8(MOTOR_VALUES.index(v)) for v in ("1", "3", "5"))


def _motor_levels(normal: NDArray[np.bool_], motor: NDArray[np.uint8]) -> NDArray[np.intp]:
    """Per side and exam, the motor level with VAC present: the most caudal key muscle graded 3
    or more with those above graded 5; where no key muscle is tested, the sensory level's segment
    while sensation is normal. ``normal`` (2, 28, n), ``motor`` (2, 10, n)."""
    shape = normal.shape[0], normal.shape[2]
    level = np.full(shape, _INT, dtype=np.intp)
    open_ = np.ones(shape, dtype=np.bool_)  # the walk has not stopped yet
    sensation = np.ones(shape, dtype=np.bool_)  # every dermatome so far is normal
    for d in range(N_SENSORY):
        k = MUSCLE_AT.get(d)
        if k is not None:
            grade = motor[:, k]
            antigravity = grade >= _ANTIGRAVITY
            above = open_ & ~antigravity  # weaker than antigravity: the level is the one above
            here = open_ & antigravity & (grade < _NORMAL_MOTOR)
            level = np.where(above, d, np.where(here, d + 1, level))
            open_ &= ~(above | here)
            sensation &= normal[:, d]
            continue
        ok = sensation & normal[:, d]
        stop = open_ & ~ok
        level = np.where(stop, d, level)
        open_ &= ok
    return level


def _function_below(
    motor: NDArray[np.uint8], level: NDArray[np.intp], non_key: NDArray[np.intp]
) -> NDArray[np.bool_]:
    """Motor function more than three levels below ``level`` (per side and exam): a key muscle
    graded above 0, or the lowest non-key muscle with motor function; never below INT."""
    floor = level + 3
    found: NDArray[np.bool_] = non_key > floor
    for k in range(N_MOTOR):
        found |= (MUSCLE_LEVEL[k] > floor) & (motor[:, k] >= _MOVES)
    found &= level != _INT
    return found


def grades_and_motor_zpps(arrays: ExamArrays) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """The AIS grade (A..E as 0..4) and each side's motor ZPP bit (a level index, or
    :data:`~.codes.NA_BIT`) of every exam of ``arrays``, all of whose values must be scores and
    VAC and DAP Yes or No (a star on a score is ignored: these are the plain definitions).

    Returns
    -------
    grade : ndarray of intp, shape (n,)
    motor_zpp : ndarray of intp, shape (2, n)
    """
    touch, prick, motor = arrays.touch, arrays.prick, arrays.motor  # (2, 28, n), (2, 10, n) codes
    vac = arrays.vac == YES
    dap = arrays.dap == YES
    non_key = arrays.non_key.astype(np.intp)
    normal = (touch >= _NORMAL_SENSATION) & (prick >= _NORMAL_SENSATION)
    not_normal = ~normal
    sensory = np.where(not_normal.any(axis=1), not_normal.argmax(axis=1), _INT)
    # VAC does not enter the NLI: its motor levels are those with VAC present. Without VAC the
    # walk stops at S4-5 instead of reaching INT (the level is S3); nothing else differs.
    nli_motor = _motor_levels(normal, motor)
    motor_level = np.where((nli_motor == _INT) & ~vac, _S45, nli_motor)
    nli = np.minimum(sensory.min(axis=0), nli_motor.min(axis=0))
    spared = (
        vac
        | dap
        | (touch[:, _S45] >= _SENSED).any(axis=0)
        | (prick[:, _S45] >= _SENSED).any(axis=0)
    )
    incomplete = vac | _function_below(motor, motor_level, non_key).any(axis=0)
    below = np.array(MUSCLE_LEVEL)[None, :, None] > nli[None, None, :]  # (1, 10, n)
    total = 2 * below.sum(axis=1)[0]
    strong = ((motor >= _ANTIGRAVITY) & below).sum(axis=(0, 1))
    grade = np.where(2 * strong >= total, D, C)
    grade = np.where(incomplete, grade, B)
    grade = np.where(spared, grade, A)
    intact = (sensory == _INT).all(axis=0) & (motor_level == _INT).all(axis=0)
    grade = np.where(intact, E, grade)
    # Motor ZPP: the most caudal key muscle with function below the motor level, else the motor
    # level; where the grade is C, the lowest non-key muscle more than three levels below that
    # (as the published reference reads ISNCSCI 2019, case 66); NA with VAC.
    zpp = motor_level.copy()
    for k in range(N_MOTOR):
        zpp = np.where(
            (MUSCLE_LEVEL[k] > motor_level) & (motor[:, k] >= _MOVES), MUSCLE_LEVEL[k], zpp
        )
    zpp = np.where((grade == C) & (non_key > zpp + 3), non_key, zpp)
    zpp = np.where(vac, NA_BIT, zpp)
    return grade, zpp
