"""Motor levels of N exams (ISNCSCI 2019, "Motor level"; scalar: :mod:`..motor_level`).

The step functions below are the scalar search's loop bodies, one search state at a time; the
:class:`~.automaton.Automaton` tabulates them over sets of states. Two results come out, as in the
scalar engine: the motor levels, and the same levels starred as the motor ZPP reads them.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable

import numpy as np
from numpy.typing import NDArray

from ..cells import ANTIGRAVITY, WEAK, Answers
from ..motor_level import with_vac
from ..types import KEY_MUSCLE_LEVELS, RESULT_LEVELS, Binary
from .automaton import Automaton, Emission, Kind, Program, split
from .codes import (
    BINARY_VALUES,
    DERMATOME_CLASSES,
    GRADE,
    GRADE_CLASSES,
    INT_BIT,
    MUSCLE_AT,
    N_SENSORY,
    GradeClass,
)
from .tables import cached

State = tuple[bool, bool, bool, bool, bool]
Result = tuple[NDArray[np.uint32], NDArray[np.uint32]]
_LAST = N_SENSORY - 1
N_GRADES = len(GRADE_CLASSES)


def _muscle(
    state: State, value: tuple[Answers, GradeClass]
) -> tuple[Iterable[Hashable], Iterable[Emission]]:
    dermatome, grades = value
    sens_ok, sens_star, acc, last, last_ag = state
    moving: list[State] = []
    found: list[Emission] = []
    for grade, pass_star, ag_star in grades:
        if grade == WEAK:  # the level is the segment above (offset 0)
            found += [(0, 0, acc or last_ag), (1, 0, acc or last_ag)]
        elif grade == ANTIGRAVITY:  # the level is this segment (offset 1)
            star = acc or last or pass_star
            found += [(0, 1, star), (1, 1, star)]
        else:
            for normal, derm_star in dermatome:
                ok = sens_ok and normal
                moving.append(
                    (ok, ok and (sens_star or derm_star), acc or last, pass_star, ag_star)
                )
    return moving, found


def _region(key_above: bool) -> Kind:
    def step(state: State, dermatome: Answers) -> tuple[Iterable[Hashable], Iterable[Emission]]:
        sens_ok, sens_star, acc, last, last_ag = state
        moving: list[State] = []
        found: list[Emission] = []
        for normal, derm_star in dermatome:
            if sens_ok and normal:
                star = sens_star or derm_star
                moving.append((True, star, acc or last, star, star))
            else:
                fail_star = sens_ok and derm_star and not key_above
                found += [(0, 0, acc or last_ag or fail_star), (1, 0, acc or last_ag)]
        return moving, found

    return Kind(step, DERMATOME_CLASSES)


_REGION = _region(key_above=False)
_KINDS = {
    "muscle": Kind(_muscle, tuple((d, g) for d in DERMATOME_CLASSES for g in GRADE_CLASSES)),
    "region": _REGION,
    "region-below-key-muscle": _region(key_above=True),
    "last": Kind(
        lambda state, value: _REGION.step(state, with_vac(value[0], Binary(value[1]))),
        tuple((d, v) for d in DERMATOME_CLASSES for v in BINARY_VALUES),
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
_START = frozenset({(True, False, False, False, False)})


def _build() -> tuple[Automaton, Program]:
    automaton = Automaton(_KINDS, [_START], 2, lambda s: [(0, s[2] or s[3]), (1, s[2] or s[3])])
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
    inputs = dermatome.copy()
    inputs[_MUSCLE_ROWS] = muscles
    inputs[_LAST] *= len(BINARY_VALUES)
    inputs[_LAST] += vac
    start = _PROGRAM.start(_AUTOMATON.set_id(_START), dermatome.shape[1])
    found, for_zpp = _PROGRAM.run(inputs, start)
    return split(found), split(for_zpp)
