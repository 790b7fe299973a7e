"""Value codes and answer-class tables of the batch engine, derived from the scalar engine's tables.

A worksheet value is encoded once as a small integer: its index in :data:`SENSORY_VALUES` (the order
of :data:`cordtrack.isncsci.exam.SENSORY_CELLS`) or :data:`MOTOR_VALUES` (``MOTOR_CELLS``); VAC
and DAP as the index of :class:`~cordtrack.isncsci.types.Binary` (Yes, No, NT). Everything the
classification asks of a value is then a table lookup indexed by these codes: each table here is
computed from the per-value answer tables of :mod:`cordtrack.isncsci.cells`, so the batch engine
reads every value exactly as the scalar engine does.

Answer sets to "is function present?" questions are packed as one code ``3 * t + f`` where ``t``
(resp. ``f``) is 0 when "present" (resp. "absent") is not a possible answer, 1 when it is possible
without a judgement and 2 when only through a starred value (:func:`pack`).

Set-valued results are bitmasks: bit ``i`` is ``RESULT_LEVELS[i]`` (C1..S3), then :data:`INT_BIT`
and :data:`NA_BIT`; AIS grades A..E are bits 0..4; completeness C, I bits 0, 1.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, TypeVar

import numpy as np
from numpy.typing import NDArray

from ..cells import (
    DERMATOME_NORMAL,
    MOTOR_ANTIGRAVITY,
    MOTOR_GRADE,
    MOTOR_PRESENT_AIS,
    MOTOR_PRESENT_ZPP,
    SENSATION_PRESENT_SACRAL,
    SENSATION_PRESENT_ZPP,
    Answers,
    Grade,
    either,
)
from ..completeness import BINARY_PRESENT
from ..exam import MOTOR_CELLS, SENSORY_CELLS
from ..types import KEY_MUSCLE_LEVELS, RESULT_LEVELS, SENSORY_LEVELS, Binary

#: Code -> raw value.
SENSORY_VALUES: Final = tuple(SENSORY_CELLS)
MOTOR_VALUES: Final = tuple(MOTOR_CELLS)
BINARY_VALUES: Final = tuple(b.value for b in Binary)
YES, NO, NT = (BINARY_VALUES.index(b.value) for b in (Binary.YES, Binary.NO, Binary.NT))
#: The code of the plain not-testable sensory value (completeness reads it specially).
SENSORY_PLAIN_NT: Final = SENSORY_VALUES.index("NT")
#: Marks an invalid value in the encoder's intermediate arrays.
INVALID: Final = 255

N_SENSORY: Final = len(SENSORY_LEVELS)  # 28 dermatomes, C2..S4-5
N_MOTOR: Final = len(KEY_MUSCLE_LEVELS)  # 10 key muscles
N_LEVELS: Final = len(RESULT_LEVELS)  # 29 levels, C1..S3
INT_BIT: Final = N_LEVELS
NA_BIT: Final = N_LEVELS + 1
LEVEL_BITS: Final = (1 << N_LEVELS) - 1
#: ``RESULT_LEVELS`` index of each key muscle's level, and the dermatome index of its segment.
MUSCLE_LEVEL: Final = tuple(RESULT_LEVELS.index(m) for m in KEY_MUSCLE_LEVELS)
MUSCLE_AT: Final = {SENSORY_LEVELS.index(m): k for k, m in enumerate(KEY_MUSCLE_LEVELS)}


def _scores(values: tuple[str, ...]) -> tuple[NDArray[np.int16], NDArray[np.bool_]]:
    cells = SENSORY_CELLS if values is SENSORY_VALUES else MOTOR_CELLS
    score = np.array([cells[v].score or 0 for v in values], dtype=np.int16)
    nt = np.array([cells[v].score is None for v in values], dtype=np.bool_)
    return score, nt


SENSORY_SCORE, SENSORY_NT = _scores(SENSORY_VALUES)
MOTOR_SCORE, MOTOR_NT = _scores(MOTOR_VALUES)

#: Motor code -> sensory code of the same raw value, :data:`INVALID` when it is no sensory score.
SENSORY_FROM_MOTOR: Final = np.array(
    [SENSORY_VALUES.index(v) if v in SENSORY_CELLS else INVALID for v in MOTOR_VALUES],
    dtype=np.uint8,
)


# --- "is function present?" answer sets, packed ------------------------------------------------


def pack(answers: Answers) -> int:
    """Pack an answer set (at most one answer per truth value) into ``3 * t + f``."""
    t = f = 0
    for value, star in answers:
        if value:
            t = 2 if star else 1
        else:
            f = 2 if star else 1
    return 3 * t + f


def unpack(code: int) -> Answers:
    """The answer set of a packed code (the inverse of :func:`pack`)."""
    t, f = divmod(code, 3)
    out: list[tuple[bool, bool]] = []
    if t:
        out.append((True, t == 2))
    if f:
        out.append((False, f == 2))
    return tuple(out)


def _packed(table: Mapping[str, Answers], values: tuple[str, ...]) -> NDArray[np.intp]:
    return np.array([pack(table[v]) for v in values], dtype=np.intp)


#: ``EITHER[a * 9 + b]``: the packed answer to "is either present?" (``cells.either``).
EITHER: Final = np.array(
    [pack(either(unpack(a), unpack(b))) for a in range(9) for b in range(9)], dtype=np.intp
)
SENSATION_ZPP: Final = _packed(SENSATION_PRESENT_ZPP, SENSORY_VALUES)
SENSATION_SACRAL: Final = _packed(SENSATION_PRESENT_SACRAL, SENSORY_VALUES)
MOTOR_ZPP: Final = _packed(MOTOR_PRESENT_ZPP, MOTOR_VALUES)
MOTOR_AIS: Final = _packed(MOTOR_PRESENT_AIS, MOTOR_VALUES)
ANTIGRAVITY: Final = _packed(MOTOR_ANTIGRAVITY, MOTOR_VALUES)
BINARY: Final = np.array([pack(BINARY_PRESENT[Binary(v)]) for v in BINARY_VALUES], dtype=np.intp)


_T = TypeVar("_T")


# --- classes of values for the level searches ---------------------------------------------------


def _classes(answers: list[_T]) -> tuple[tuple[_T, ...], NDArray[np.intp]]:
    """The distinct answers (in first-seen order) and, per input, the index of its answer."""
    distinct: dict[_T, int] = {}
    index = [distinct.setdefault(a, len(distinct)) for a in answers]
    return tuple(distinct), np.array(index, dtype=np.intp)


def _canonical(answers: tuple[_T, ...]) -> tuple[_T, ...]:
    return tuple(sorted(set(answers), key=repr))


#: Classes of "is this dermatome normal?" answers; ``DERMATOME[touch * 10 + prick]`` is the class.
DERMATOME_CLASSES, DERMATOME = _classes(
    [_canonical(DERMATOME_NORMAL[t, p]) for t in SENSORY_VALUES for p in SENSORY_VALUES]
)
#: Classes of key muscle grade readings (``cells.MOTOR_GRADE``); ``GRADE[motor code]``.
GRADE_CLASSES, GRADE = _classes([_canonical(MOTOR_GRADE[v]) for v in MOTOR_VALUES])
GradeClass = tuple[Grade, ...]


# --- everything asked of one dermatome, in one lookup -------------------------------------------

#: Packing of :data:`SEGMENT`: the dermatome class in bits 0-2 and the packed sensation answers
#: (LT or PP present?) in bits 3-6, so that the low byte holds what the searches read; then the
#: light touch and pin prick total marks (score, plus :data:`TOTAL_ND` when not testable) at bits
#: 12 and 23. Summed over the 28 dermatomes (as int64) the low bytes stay below bit 12 and the
#: touch marks below bit 23 (at most 28 * 66 < 2^11), so one sum gives both side totals.
SEGMENT_SENSATION: Final = 3
SEGMENT_TOUCH: Final = 12
SEGMENT_PRICK: Final = 23
TOTAL_ND: Final = 64


def _segment_table() -> NDArray[np.int32]:
    marks = SENSORY_SCORE.astype(np.intp) + TOTAL_ND * SENSORY_NT
    sensation = EITHER[SENSATION_ZPP[:, None] * 9 + SENSATION_ZPP[None, :]]
    table = (
        DERMATOME.reshape(10, 10)
        | sensation << SEGMENT_SENSATION
        | marks[:, None] << SEGMENT_TOUCH
        | marks[None, :] << SEGMENT_PRICK
    )
    # The sums over 28 dermatomes must not carry from one field into the next.
    assert N_SENSORY * int((table & 0xFF).max()) < 1 << SEGMENT_TOUCH
    assert N_SENSORY * int(marks.max()) < 1 << (SEGMENT_PRICK - SEGMENT_TOUCH)
    out: NDArray[np.int32] = table.reshape(-1).astype(np.int32)  # half the memory of intp
    return out


#: ``SEGMENT[touch * 10 + prick]``: the dermatome class, sensation answers and total marks.
SEGMENT: Final = _segment_table()
