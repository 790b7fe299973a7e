"""Motor levels of N exams (ISNCSCI 2019, "Motor level"; scalar: :mod:`..motor_level`).

The scalar search's own steps (:func:`..motor_level.muscle_step` and
:func:`..motor_level.region_step`), one search state at a time, are tabulated over sets of states
by the :class:`~.automaton.Automaton`: a rule changed there changes both engines. Two results come
out, as in the scalar engine: the motor levels, and the same levels starred as the motor ZPP reads
them.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ..motor_level import START, final_values, muscle_step, region_step, with_vac
from ..types import KEY_MUSCLE_LEVELS, RESULT_LEVELS, Binary
from .automaton import Automaton, Kind, Program, split
from .codes import (
    BINARY_VALUES,
    DERMATOME_CLASSES,
    GRADE,
    GRADE_CLASSES,
    INT_BIT,
    MUSCLE_AT,
    N_SENSORY,
)
from .tables import cached

Result = tuple[NDArray[np.uint32], NDArray[np.uint32]]
_LAST = N_SENSORY - 1
N_GRADES = len(GRADE_CLASSES)
_KINDS = {
    "muscle": Kind(muscle_step, tuple((d, g) for d in DERMATOME_CLASSES for g in GRADE_CLASSES)),
    "region": Kind(region_step, tuple((d, False) for d in DERMATOME_CLASSES)),
    "region-below-key-muscle": Kind(region_step, tuple((d, True) for d in DERMATOME_CLASSES)),
    # S4-5: its dermatome with VAC (as the scalar search reads it); no key muscle above.
    "last": Kind(
        region_step,
        tuple((with_vac(d, Binary(v)), False) for d in DERMATOME_CLASSES for v in BINARY_VALUES),
    ),
}


def _kind(i: int) -> str:
    if i in MUSCLE_AT:
        return "muscle"
    if i == _LAST:
        return "last"
    return "region-below-key-muscle" if RESULT_LEVELS[i] in KEY_MUSCLE_LEVELS else "region"


_MUSCLE_ROWS = np.array(sorted(MUSCLE_AT), dtype=np.intp)  # key muscle k is at row _MUSCLE_ROWS[k]
_GRADE = GRADE.astype(np.uint8)  # the automata read uint8 inputs (at most 6 * 7 + 6 here)
_START = frozenset({START})


def _build() -> tuple[Automaton, Program]:
    automaton = Automaton(_KINDS, [_START], 2, final_values)
    return automaton, automaton.program(
        [(_kind(i), ((i, i + 1), (i, i + 1))) for i in range(N_SENSORY)], [INT_BIT, INT_BIT]
    )


_AUTOMATON, _PROGRAM = cached("motor_level", _build)


def muscle_inputs(dermatome: NDArray[np.uint8], motor: NDArray[np.intp]) -> NDArray[np.uint8]:
    """Input codes of the key muscle segments: ``dermatome class * N_GRADES + grade class``.

    Parameters
    ----------
    dermatome : ndarray of uint8, shape (28, N)
    motor : ndarray of intp, shape (10, N)
        Motor value codes.

    Returns
    -------
    ndarray of uint8, shape (10, N)
    """
    out: NDArray[np.uint8] = dermatome[_MUSCLE_ROWS] * np.uint8(N_GRADES) + _GRADE.take(motor)
    return out


def motor_levels(
    dermatome: NDArray[np.uint8], muscles: NDArray[np.uint8], vac: NDArray[np.uint8]
) -> tuple[Result, Result]:
    """The possible motor levels of one side of N exams, and the levels as the ZPP reads them.

    Parameters
    ----------
    dermatome : ndarray of uint8, shape (28, N)
        Dermatome answer classes of the side.
    muscles : ndarray of uint8, shape (10, N)
        :func:`muscle_inputs` of the side.
    vac : ndarray of uint8, shape (N,)
        VAC codes (Yes, No, NT).

    Returns
    -------
    (reached, starred), (reached, starred) : ndarrays of uint32, shape (N,)
        Level bitmasks (C1..S3 bits 0..28, INT bit 29): the motor levels, then the same levels
        starred by the judgements that placed them (for the motor ZPP).
    """
    # The dermatome rows themselves, the key muscle rows and S4-5 with VAC in their place: rows
    # of several arrays, none copied into one.
    inputs = list(dermatome)
    for k, row in enumerate(_MUSCLE_ROWS.tolist()):
        inputs[row] = muscles[k]
    inputs[_LAST] = dermatome[_LAST] * np.uint8(len(BINARY_VALUES)) + vac
    start = _PROGRAM.start(_AUTOMATON.set_id(_START), dermatome.shape[1])
    found, for_zpp = _PROGRAM.run(inputs, start)
    return split(found), split(for_zpp)
