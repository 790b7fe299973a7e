"""Every reading of a few exams, laid out as determined readings for the batch engine itself.

Where the bitmask searches may pair the values of different readings (:mod:`.joint_grading`), the
exact AIS grades and motor ZPPs of an exam are the union over its readings (docs/isncsci.md, "What
the engine promises"). For an exam with few undetermined values the batch engine grades those
readings directly (:mod:`.determined`): every not-testable or starred value replaced, in turn, by
each answer its reading allows to what the grade and the motor ZPP ask of it, and VAC or DAP
``NT`` by Yes and No. What they ask of a dermatome above S4-5 is only whether it is normal (both
light touch and pin prick graded 2); of S4-5, whether it is normal, felt (either graded above 0)
or neither; of a key muscle, whether it is graded 0, 1-2, 3-4 or 5. A reading is one choice of
answer per value (:class:`.determined.Readings`); an exam has the product of its values' answer
counts.
"""

from __future__ import annotations

from typing import Final

import numpy as np
from numpy.typing import NDArray

from ..exam import MOTOR_CELLS, SENSORY_CELLS
from ..joint_grading import scores
from .codes import BINARY_VALUES, MOTOR_VALUES, N_MOTOR, N_SENSORY, SENSORY_VALUES
from .determined import (
    ANTIGRAVITY,
    DAP_BIT,
    FELT_BIT,
    FULL,
    MUSCLES,
    NORMAL,
    OTHER,
    PRESENT,
    VAC_BIT,
    Readings,
)
from .encode import ExamArrays

#: Most readings an exam may have to be graded this way (the others go value by value through
#: :func:`cordtrack.isncsci.joint_grading.joint_grades`).
LIMIT: Final = 1024
_N_VALUES = len(SENSORY_VALUES)
_DERMATOMES = N_SENSORY - 1  # C2..S3: asked only "normal?"


def _answers(pairs: list[tuple[int, ...]]) -> NDArray[np.uint8]:
    """Sets of answers (bit ``a``: answer ``a`` is possible), one per input."""
    return np.array([sum(1 << a for a in set(p)) for p in pairs], dtype=np.uint8)


_SENSORY_SCORES = [scores(SENSORY_CELLS[v], 2) for v in SENSORY_VALUES]
#: Per ``touch * 10 + prick`` code pair, the answers of a dermatome above S4-5: 0 not normal,
#: 1 normal; and of S4-5: 0 not felt, 1 felt but not normal, 2 normal.
_DERMATOME = _answers(
    [
        tuple(int(a == b == 2) for a in t for b in p)
        for t in _SENSORY_SCORES
        for p in _SENSORY_SCORES
    ]
)
_SACRAL = _answers(
    [
        tuple(2 if a == b == 2 else int(a > 0 or b > 0) for a in t for b in p)
        for t in _SENSORY_SCORES
        for p in _SENSORY_SCORES
    ]
)
#: Per motor code, the answers of a key muscle: 0 graded 0, 1 graded 1-2, 2 graded 3-4, 3 graded 5.
_CLASS = (0, 1, 1, 2, 2, 3)
_MUSCLE = _answers([tuple(_CLASS[s] for s in scores(MOTOR_CELLS[v], 5)) for v in MOTOR_VALUES])
#: Per VAC or DAP code (Yes, No, NT): 0 No, 1 Yes.
_BINARY = _answers([{"Yes": (1,), "No": (0,), "NT": (0, 1)}[v] for v in BINARY_VALUES])

# Per set of answers: the i-th answer (the first one at i = 0).
_ANSWER = np.zeros((16, 4), dtype=np.intp)
for _s in range(16):
    _found = [a for a in range(4) if _s >> a & 1]
    _ANSWER[_s, : len(_found)] = _found

# The values of an exam as units, each writing one word of a reading: per side its dermatomes
# C2..S3 and S4-5 (word NORMAL + side), per side its key muscles (MUSCLES + side), VAC and DAP
# (OTHER). Units of one word are consecutive.
_UNITS = 2 * N_SENSORY + 2 * N_MOTOR + 2
_WORD_STARTS = np.array([0, N_SENSORY, 2 * N_SENSORY, 2 * N_SENSORY + N_MOTOR, _UNITS - 2])
_WORD_UNITS = [slice(a, b) for a, b in zip(_WORD_STARTS, [*_WORD_STARTS[1:], _UNITS], strict=True)]
_WORD_OF = np.repeat(
    np.array([NORMAL, NORMAL + 1, MUSCLES, MUSCLES + 1, OTHER]),
    np.diff(np.append(_WORD_STARTS, _UNITS)),
)


def _bits() -> NDArray[np.uint32]:
    """Per unit and answer, the bits the answer sets in its word. Each answer's bits include
    those of the answers below it, so that the first answer ORed with any other gives that one."""
    out = np.zeros((_UNITS, 4), dtype=np.uint32)
    for side in range(2):
        base = side * N_SENSORY
        for d in range(_DERMATOMES):
            out[base + d, 1] = 1 << d
        out[base + _DERMATOMES] = [0, 1 << FELT_BIT, (1 << FELT_BIT) | (1 << _DERMATOMES), 0]
        for k in range(N_MOTOR):
            present, antigravity, full = (1 << (o + k) for o in (PRESENT, ANTIGRAVITY, FULL))
            out[2 * N_SENSORY + side * N_MOTOR + k] = [
                0,
                present,
                present | antigravity,
                present | antigravity | full,
            ]
    out[-2, 1] = 1 << VAC_BIT
    out[-1, 1] = 1 << DAP_BIT
    return out


#: ``_CHOSEN[(unit * 16 + answer set) * 4 + i]``: the bits of the set's i-th answer of the unit.
_CHOSEN = _bits()[:, _ANSWER].reshape(-1)
#: ``_FIRST_BITS[unit * 16 + answer set]``: the bits of the set's first answer.
_FIRST_BITS = np.ascontiguousarray(_CHOSEN[::4])
_UNIT_ROW = (np.arange(_UNITS) * 16)[:, None]
_NEVER_NORMAL = 1  # the answer set {not normal}
#: ``_ADDED[(unit * 16 + answer set) * 4 + i]``: the bits the set's i-th answer adds to its first
#: one's. Units write disjoint bits and these are disjoint from the first answer's, so the bits of
#: every unit of a reading are summed, not ORed (:func:`numpy.bincount`, exact in float64 below
#: 2^53), where an OR at repeated indices (``numpy.bitwise_or.at``) is several times slower.
_ADDED = (_CHOSEN.reshape(-1, 4) & ~_FIRST_BITS[:, None]).reshape(-1).astype(np.float64)
# An answer count (1 to 4) as powers of two and three: a product of counts is a sum of exponents.
_TWOS = np.array([0, 0, 1, 0, 2], dtype=np.intp)
_THREES = np.array([0, 0, 0, 1, 0], dtype=np.intp)
_POWERS_OF_THREE = 3 ** np.arange(LIMIT.bit_length(), dtype=np.intp)


def _answer_sets(arrays: ExamArrays, columns: NDArray[np.intp]) -> NDArray[np.uint8]:
    """The answer sets of every unit of the exams in ``columns``, shape (units, m)."""
    m = columns.size
    out = np.empty((_UNITS, m), dtype=np.uint8)
    pairs = arrays.touch.take(columns, axis=2)  # (2, 28, m); touch * 10 + prick fits in uint8
    pairs *= np.uint8(_N_VALUES)
    pairs += arrays.prick.take(columns, axis=2)
    sensory = out[: 2 * N_SENSORY].reshape(2, N_SENSORY, m)
    sensory[:, :_DERMATOMES] = _DERMATOME.take(pairs[:, :_DERMATOMES])
    sensory[:, _DERMATOMES] = _SACRAL.take(pairs[:, _DERMATOMES])
    _fix_below_first_impairment(sensory[:, :_DERMATOMES])
    out[2 * N_SENSORY : -2] = _MUSCLE.take(arrays.motor.take(columns, axis=2).reshape(-1, m))
    out[-2] = _BINARY.take(arrays.vac.take(columns))
    out[-1] = _BINARY.take(arrays.dap.take(columns))
    return out


def _fix_below_first_impairment(dermatomes: NDArray[np.uint8]) -> None:
    """Read every dermatome from C2 to S3 as not normal at and below the first dermatome of its
    side that is not normal in any reading.

    Such answers change neither the grade nor the motor ZPPs of any reading (ISNCSCI 2019): that
    side's sensory level is above them, so the exam is not E and the NLI is not below them; its
    motor level can pass a segment without a key muscle only with every dermatome above normal, so
    below that dermatome it stops at the first such segment whatever they are; and key muscles,
    VAC, DAP and S4-5 do not depend on them. Most not-testable sensory values of an injured exam
    lie there, below the injury: each would double the readings for nothing. ``dermatomes`` are
    the answer sets, shape (2, 27, m), changed in place."""
    stop = dermatomes == _NEVER_NORMAL
    first = np.where(stop.any(axis=1), stop.argmax(axis=1), _DERMATOMES)  # (side, m)
    below = first[:, None, :] <= np.arange(_DERMATOMES)[None, :, None]
    np.copyto(dermatomes, np.uint8(_NEVER_NORMAL), where=below)


def expand(
    arrays: ExamArrays, columns: NDArray[np.intp]
) -> tuple[Readings, NDArray[np.intp], NDArray[np.bool_]]:
    """The readings of the exams in ``columns`` that have at most :data:`LIMIT`.

    Returns
    -------
    readings : Readings
        Those of each expanded column together, columns in order.
    starts : ndarray of intp
        Per expanded column, the index of its first reading.
    expanded : ndarray of bool, shape (len(columns),)
        Which columns were expanded.
    """
    sets = _answer_sets(arrays, columns)
    counts = np.bitwise_count(sets)  # answers per set (a set is a bitmask of answers)
    # A float product: an exam full of NT has far more than 2^63 readings (and at most 4^78);
    # below LIMIT it is exact.
    product = counts.prod(axis=0, dtype=np.float64)
    small = product <= LIMIT
    keep = np.flatnonzero(small)
    if keep.size < columns.size:
        sets, counts, product = sets[:, keep], counts[:, keep], product.take(keep)
    totals = product.astype(np.intp)
    starts = np.cumsum(totals) - totals
    owner = np.repeat(np.arange(keep.size), totals)
    # Every reading starts as its exam's first answers; each answer's bits include those of the
    # answers below it, so ORing another answer of a unit gives that answer.
    first = _FIRST_BITS.take(sets + _UNIT_ROW)
    words = np.empty((len(_WORD_STARTS), keep.size), dtype=np.uint32)
    for word, units in enumerate(_WORD_UNITS):  # reduce() is faster than reduceat() here
        np.bitwise_or.reduce(first[units], axis=0, out=words[word])
    words = words.take(owner, axis=1)
    # Then each unit with several answers adds its answer's bits to the readings that choose it:
    # the readings of an exam count through its units' answers, the first unit fastest. The units
    # are listed exam by exam (the transposed counts), so an exam's units are consecutive.
    at = np.flatnonzero(counts.T > 1)
    if at.size:
        column, unit = np.divmod(at, _UNITS)
        flat = unit * keep.size + column  # flat (unit, column) index of each such unit
        count = counts.reshape(-1).take(flat)
        # The product of the counts of the exam's units before each one (at most LIMIT), as
        # sums of exponents since the exam's first unit (``head``).
        first_of_exam = np.empty(at.size, dtype=np.bool_)
        first_of_exam[0] = True
        np.not_equal(column[1:], column[:-1], out=first_of_exam[1:])
        head = np.maximum.accumulate(first_of_exam * np.arange(at.size))
        twos, threes = _TWOS.take(count), _THREES.take(count)
        twos, threes = np.cumsum(twos) - twos, np.cumsum(threes) - threes
        stride = _POWERS_OF_THREE.take(threes - threes.take(head)) << (twos - twos.take(head))
        row = (sets.reshape(-1).take(flat) + unit * 16) * 4
        spans = totals.take(column)
        first_target = _WORD_OF.take(unit) * owner.size + starts.take(column)
        which = np.repeat(np.arange(at.size), spans)
        local = np.arange(which.size) - (np.cumsum(spans) - spans).take(which)
        choice = local // stride.take(which) % count.take(which)
        added = np.bincount(
            first_target.take(which) + local,
            weights=_ADDED.take(row.take(which) + choice),
            minlength=words.size,
        )
        words += added.astype(np.uint32).reshape(words.shape)
    non_key = arrays.non_key[:, columns.take(keep)].astype(np.intp).take(owner, axis=1)
    return Readings(words, non_key), starts, small
