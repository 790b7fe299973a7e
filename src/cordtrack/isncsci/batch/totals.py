"""The 14 totals of N exams (ISNCSCI 2019 worksheet; scalar: :mod:`..totals`).

A total is the sum of its raw scores, starred or not; it is not determinable when a not-testable
value feeds it.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from .codes import MOTOR_NT, MOTOR_SCORE, TOTAL_ND

Pair = tuple[NDArray[np.intp], NDArray[np.intp]]
# Score plus a large mark per not-testable value: one sum gives the total and whether it is ND.
_MOTOR = (MOTOR_SCORE + TOTAL_ND * MOTOR_NT).astype(np.intp)


def totals(sensory: Pair, motor: Pair) -> tuple[NDArray[np.int16], NDArray[np.bool_]]:
    """The totals, in the order of :data:`~cordtrack.isncsci.types.TOTAL_KEYS`.

    Parameters
    ----------
    sensory : pair of ndarray of intp, shape (N,)
        Right then left: the sums over the 28 dermatomes of ``SEGMENT >> SEGMENT_TOTALS``
        (:data:`.codes.SEGMENT`): light touch marks in bits 0-15, pin prick marks above.
    motor : pair of ndarray of intp, shape (10, N)
        Motor value codes, right then left.

    Returns
    -------
    values : ndarray of int16, shape (14, N)
        Each total (0 where not determinable).
    not_determinable : ndarray of bool, shape (14, N)
    """
    sums = [_MOTOR.take(m[:5]).sum(axis=0) for m in motor]
    sums += [_MOTOR.take(m[5:]).sum(axis=0) for m in motor]
    sums += [s & 0xFFFF for s in sensory] + [s >> 16 for s in sensory]
    parts = [(s & (TOTAL_ND - 1), s >= TOTAL_ND) for s in sums]
    # Right and left sums (side motor totals, UEMS, LEMS, touch, prick).
    for a, b in ((0, 2), (1, 3), (0, 1), (2, 3), (4, 5), (6, 7)):
        parts.append((parts[a][0] + parts[b][0], parts[a][1] | parts[b][1]))
    values = np.stack([v for v, _ in parts]).astype(np.int16)
    nd = np.stack([d for _, d in parts])
    values[nd] = 0
    return values, nd
