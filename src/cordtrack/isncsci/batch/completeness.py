"""Completeness of N exams (ISNCSCI 2019, "Complete or incomplete"; scalar: :mod:`..completeness`).

A direct table reading: sacral sparing's packed answers are combined with the same ``either`` table
as the scalar engine, in the same order.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from .codes import (
    BINARY,
    EITHER,
    EITHER_ABSENT,
    EITHER_PRESENT,
    NT,
    SENSATION_SACRAL,
    SENSORY_PLAIN_NT,
)

Result = tuple[NDArray[np.uint32], NDArray[np.uint32]]
C_BIT, I_BIT = 0, 1


def sacral_sensation(
    touch45: tuple[NDArray[np.intp], NDArray[np.intp]],
    prick45: tuple[NDArray[np.intp], NDArray[np.intp]],
    dap: NDArray[np.intp],
) -> NDArray[np.intp]:
    """Packed answers to "is any sacral sensation present?" (S4-5 LT or PP on a side, or DAP).

    Parameters
    ----------
    touch45, prick45 : pair of ndarray of intp, shape (N,)
        S4-5 sensory value codes, right then left.
    dap : ndarray of intp, shape (N,)

    Returns
    -------
    ndarray of intp, shape (N,)
        Packed answer codes (:func:`.codes.pack`).
    """
    answers: NDArray[np.intp] = BINARY.take(dap)
    for side in range(2):
        answers = EITHER.take(answers * 9 + SENSATION_SACRAL.take(touch45[side]))
        answers = EITHER.take(answers * 9 + SENSATION_SACRAL.take(prick45[side]))
    return answers


def completeness(
    sensation: NDArray[np.intp],
    vac: NDArray[np.intp],
    dap: NDArray[np.intp],
    touch45: tuple[NDArray[np.intp], NDArray[np.intp]],
    prick45: tuple[NDArray[np.intp], NDArray[np.intp]],
) -> Result:
    """Complete (C, bit 0) or incomplete (I, bit 1), as (reached, starred) uint32 bitmasks.

    Parameters
    ----------
    sensation : ndarray of intp, shape (N,)
        :func:`sacral_sensation`.
    vac, dap : ndarray of intp, shape (N,)
    touch45, prick45 : pair of ndarray of intp, shape (N,)
        S4-5 sensory value codes, right then left.
    """
    either = sensation * 9 + BINARY.take(vac)
    spared, absent = EITHER_PRESENT.take(either), EITHER_ABSENT.take(either)
    # A plainly not-testable sacral finding leaves "complete" undetermined without a judgement.
    plain_nt = (vac == NT) | (dap == NT)
    for cells in (touch45, prick45):
        for codes in cells:
            plain_nt |= codes == SENSORY_PLAIN_NT
    one = np.uint32(1)
    reach = ((spared > 0) * (one << I_BIT) | (absent > 0) * (one << C_BIT)).astype(np.uint32)
    starred = ((spared == 2) * (one << I_BIT) | ((absent == 2) & ~plain_nt) * one).astype(np.uint32)
    return reach, starred
