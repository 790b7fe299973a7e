"""Neurological level of injury of N exams (ISNCSCI 2019, "Neurological level of injury"; scalar:
:mod:`..neurological_level`).

Both sides are walked together, as in the scalar engine, so that one not-testable value is never
read two ways at once: the automaton tabulates the scalar search's own step
(:func:`..neurological_level.segment_step`), its input at a key muscle segment the pair of sides'
(dermatome class, grade class). Two results: the NLIs, and the NLIs starred only by the
judgements above them (for the AIS). The star tie rule on the motor levels is applied after the
walk, as in the scalar engine.
"""

from __future__ import annotations

from itertools import product

import numpy as np
from numpy.typing import NDArray

from ..neurological_level import NO_MUSCLE, START, final_values, segment_step
from .automaton import Automaton, Kind, Program, split
from .codes import DERMATOME_CLASSES, GRADE_CLASSES, INT_BIT, MUSCLE_AT, N_SENSORY
from .motor_level import N_GRADES
from .tables import cached

Result = tuple[NDArray[np.uint32], NDArray[np.uint32]]
_N_DERMATOME = len(DERMATOME_CLASSES)
_SIDE_INPUTS = _N_DERMATOME * N_GRADES
_SIDE = tuple((d, g) for d in DERMATOME_CLASSES for g in GRADE_CLASSES)
_KINDS = {
    "muscle": Kind(segment_step, tuple((*r, *left) for r in _SIDE for left in _SIDE)),
    "region": Kind(
        segment_step,
        tuple((r, NO_MUSCLE, left, NO_MUSCLE) for r, left in product(DERMATOME_CLASSES, repeat=2)),
    ),
}
_MUSCLE_ROWS = np.array(sorted(MUSCLE_AT), dtype=np.intp)
_START = frozenset({START})


def _above_lowest(levels: NDArray[np.uint32]) -> NDArray[np.uint32]:
    """The bits above the lowest set bit of each mask: the levels caudal to the most rostral."""
    lowest = levels & (~levels + np.uint32(1))
    return ~((lowest << np.uint32(1)) - np.uint32(1))  # 0 for 0: the subtraction wraps


def _build() -> tuple[Automaton, Program]:
    automaton = Automaton(_KINDS, [_START], 2, final_values)
    return automaton, automaton.program(
        [
            ("muscle" if i in MUSCLE_AT else "region", ((i, i + 1), (i, i + 1)))
            for i in range(N_SENSORY)
        ],
        [INT_BIT, INT_BIT],
    )


_AUTOMATON, _PROGRAM = cached("neurological_level", _build)


def neurological_levels(
    dermatome: tuple[NDArray[np.uint8], NDArray[np.uint8]],
    muscles: tuple[NDArray[np.uint8], NDArray[np.uint8]],
    right_motor: Result,
    left_motor: Result,
) -> tuple[Result, Result]:
    """The possible NLIs of N exams, and the NLIs as the AIS grading reads them.

    Parameters
    ----------
    dermatome : pair of ndarray of uint8, shape (28, N)
        Dermatome answer classes, right then left.
    muscles : pair of ndarray of uint8, shape (10, N)
        Key muscle inputs (:func:`.motor_level.muscle_inputs`), right then left.
    right_motor, left_motor : (reached, starred) ndarrays of uint32, shape (N,)
        The motor levels (for the star tie rule).

    Returns
    -------
    (reached, starred), (reached, starred) : ndarrays of uint32, shape (N,)
        Level bitmasks (C1..S3 bits 0..28, INT bit 29).
    """
    right, left = dermatome
    # A pair of muscle inputs needs uint16 (up to 42 * 42); a pair of dermatome classes a byte.
    # Rows of several arrays (automaton.Program.run): the pairs are computed only where read.
    pairs = np.multiply(muscles[0], np.uint16(_SIDE_INPUTS))
    pairs += muscles[1]
    inputs: list[NDArray[np.uint8] | NDArray[np.uint16]] = list(pairs)
    for d in range(N_SENSORY):
        if d not in MUSCLE_AT:
            inputs.insert(d, right[d] * np.uint8(_N_DERMATOME) + left[d])
    start = _PROGRAM.start(_AUTOMATON.set_id(_START), right.shape[1])
    found, for_grading = _PROGRAM.run(inputs, start)
    reach, starred = split(found)
    # The star tie rule (scalar: neurological_level._tie_starred) on the levels both sides' motor
    # levels may be: starred on a side whose level may also be more rostral, or on both sides.
    (r_reach, r_star), (l_reach, l_star) = right_motor, left_motor
    tie = (r_star & (l_star | _above_lowest(r_reach))) | (l_star & _above_lowest(l_reach))
    starred |= reach & r_reach & l_reach & tie
    return (reach, starred), split(for_grading)
