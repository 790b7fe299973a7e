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
#: ``EITHER`` split into its two counts (``t`` and ``f`` of :func:`pack`): two lookups, where
#: ``np.divmod`` of the packed codes costs several times more.
EITHER_PRESENT: Final = EITHER // 3
EITHER_ABSENT: Final = EITHER % 3
#: The ``t`` count of each packed code.
PRESENT_COUNT: Final = np.arange(9, dtype=np.intp) // 3
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

#: Packing of :data:`SEGMENT`: the light touch and pin prick total marks (score, plus
#: :data:`TOTAL_ND` when not testable) at bits 0 and 11, and at bits 24-31 the byte the searches
#: read: the dermatome class in its bits 0-2 and the packed sensation answers (LT or PP present?)
#: in bits 3-6. Summed over the 28 dermatomes as uint32 the marks stay in their fields (at most
#: 28 * 66 < 2^11 each), and the carries of the searches' bytes leave the word: one sum of 32-bit
#: words gives both side totals, half the memory traffic of 64-bit ones.
SEGMENT_SENSATION: Final = 3
SEGMENT_TOUCH: Final = 0
SEGMENT_PRICK: Final = 11
SEGMENT_SEARCH: Final = 24
TOTAL_ND: Final = 64


def _segment_table() -> NDArray[np.uint32]:
    marks = SENSORY_SCORE.astype(np.intp) + TOTAL_ND * SENSORY_NT
    sensation = EITHER[SENSATION_ZPP[:, None] * 9 + SENSATION_ZPP[None, :]]
    search = DERMATOME.reshape(10, 10) | sensation << SEGMENT_SENSATION
    table = (
        marks[:, None] << SEGMENT_TOUCH | marks[None, :] << SEGMENT_PRICK | search << SEGMENT_SEARCH
    )
    # The sums over 28 dermatomes must not carry from one mark field into the next.
    assert N_SENSORY * int(marks.max()) < 1 << (SEGMENT_PRICK - SEGMENT_TOUCH)
    assert N_SENSORY * int(marks.max()) < 1 << (SEGMENT_SEARCH - SEGMENT_PRICK)
    assert int(search.max()) < 1 << (32 - SEGMENT_SEARCH)
    out: NDArray[np.uint32] = table.reshape(-1).astype(np.uint32)
    return out


#: ``SEGMENT[touch * 10 + prick]``: the dermatome class, sensation answers and total marks.
SEGMENT: Final = _segment_table()
