"""The 14 totals of N exams (ISNCSCI 2019 worksheet; scalar: :mod:`..totals`).

A total is the sum of its raw scores, starred or not; it is not determinable when a not-testable
value feeds it.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from .codes import MOTOR_NT, MOTOR_SCORE, TOTAL_ND

# Score plus a large mark per not-testable value: one sum gives the total and whether it is ND.
# int16 holds any sum of marks (at most 28 * 66).
_MOTOR = (MOTOR_SCORE + TOTAL_ND * MOTOR_NT).astype(np.int16)
# The totals after the eight side totals: sums of two of these (side motor totals, UEMS, LEMS,
# touch, prick), in the order of TOTAL_KEYS.
_FIRST, _SECOND = np.array([[0, 1, 0, 2, 4, 6], [2, 3, 1, 3, 5, 7]], dtype=np.intp)


def totals(
    touch: NDArray[np.uint32], prick: NDArray[np.uint32], motor: NDArray[np.intp]
) -> tuple[NDArray[np.int16], NDArray[np.bool_]]:
    """The totals, in the order of :data:`~cordtrack.isncsci.types.TOTAL_KEYS`.

    Parameters
    ----------
    touch, prick : ndarray of uint32, shape (2N,)
        The light touch (pin prick) marks summed over the 28 dermatomes, each mark the score plus
        :data:`.codes.TOTAL_ND` when not testable (:data:`.codes.SEGMENT`): the right sides of the
        N exams, then their left sides.
    motor : ndarray of intp, shape (10, 2N)
        Motor value codes, right sides then left sides.

    Returns
    -------
    values : ndarray of int16, shape (14, N)
        Each total (0 where not determinable).
    not_determinable : ndarray of bool, shape (14, N)
    """
    n = motor.shape[1] // 2
    marks = _MOTOR.take(motor).reshape(-1, 2, n)  # (muscle, side, exam)
    values = np.empty((14, n), dtype=np.int16)
    # Side totals: upper and lower limb motor (right, left), then touch and prick.
    marks[:5].sum(axis=0, dtype=np.int16, out=values[0:2])
    marks[5:].sum(axis=0, dtype=np.int16, out=values[2:4])
    values[4:6] = touch.reshape(2, n)
    values[6:8] = prick.reshape(2, n)
    nd = np.empty((14, n), dtype=np.bool_)
    np.greater_equal(values[:8], TOTAL_ND, out=nd[:8])
    values[:8] &= TOTAL_ND - 1
    np.add(values[_FIRST], values[_SECOND], out=values[8:])
    np.logical_or(nd[_FIRST], nd[_SECOND], out=nd[8:])
    values *= ~nd  # far faster than a masked assignment
    return values, nd
