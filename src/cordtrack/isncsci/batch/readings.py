"""Every reading of a few exams, laid out as determined exams for the batch engine itself.

Where the bitmask searches may pair the values of different readings (:mod:`.joint_grading`), the
exact AIS grades and motor ZPPs of an exam are the union over its readings (docs/isncsci.md, "What
the engine promises"). For an exam with few undetermined values the batch engine classifies those
readings directly, as determined exams, in one more call: every not-testable or starred value
replaced, in turn, by each value its reading allows, one per class that the grade and the motor
ZPP tell apart (sensation normal or not, and at S4-5 also absent; a key muscle 0, 1-2, 3-4 or 5:
present, graded 3 or more, normal), and VAC or DAP ``NT`` by Yes and No. Only the AIS and the motor
ZPPs of these readings are used.
"""

from __future__ import annotations

from typing import Final

import numpy as np
from numpy.typing import NDArray

from ..exam import MOTOR_CELLS, SENSORY_CELLS
from ..joint_grading import scores
from .codes import BINARY_VALUES, MOTOR_VALUES, N_MOTOR, N_SENSORY, SENSORY_VALUES
from .encode import ExamArrays

#: Most readings an exam may have to be classified this way (the others go value by value through
#: :func:`cordtrack.isncsci.joint_grading.joint_grades`).
LIMIT: Final = 256
_REPRESENTATIVE = (0, 1, 1, 3, 3, 5)  # a key muscle grade's class, by one grade of it


def _table(values: tuple[str, ...], options: list[list[str]]) -> tuple[NDArray[np.intp], ...]:
    width = max(len(o) for o in options)
    table = np.zeros((len(values), width), dtype=np.intp)
    for code, opts in enumerate(options):
        table[code, : len(opts)] = [values.index(v) for v in opts]
    return table, np.array([len(o) for o in options], dtype=np.intp)


_SENSORY_OPTIONS, _SENSORY_COUNT = _table(
    SENSORY_VALUES, [[str(s) for s in scores(SENSORY_CELLS[v], 2)] for v in SENSORY_VALUES]
)
# Above S4-5 the grades and motor ZPPs ask of sensation only whether it is normal (sensory, motor
# and neurological levels): 0 stands for 0 and 1 there. (S4-5 also answers "is any present?".)
_NORMAL_OPTIONS, _NORMAL_COUNT = _table(
    SENSORY_VALUES,
    [
        [str(s) for s in sorted({0 if s < 2 else 2 for s in scores(SENSORY_CELLS[v], 2)})]
        for v in SENSORY_VALUES
    ],
)
_MOTOR_OPTIONS, _MOTOR_COUNT = _table(
    MOTOR_VALUES,
    [
        [str(s) for s in sorted({_REPRESENTATIVE[s] for s in scores(MOTOR_CELLS[v], 5)})]
        for v in MOTOR_VALUES
    ],
)
_BINARY_OPTIONS, _BINARY_COUNT = _table(
    BINARY_VALUES,
    [["Yes"], ["No"], ["Yes", "No"]],  # Binary order: Yes, No, NT
)


# One table of every kind of cell's readings, so that a cell's readings are one lookup whatever
# its kind: row ``kind * _CODES + code``, the kinds being sensory above S4-5, sensory at S4-5,
# key muscle, VAC/DAP.
_KINDS = (
    (_NORMAL_OPTIONS, _NORMAL_COUNT),
    (_SENSORY_OPTIONS, _SENSORY_COUNT),
    (_MOTOR_OPTIONS, _MOTOR_COUNT),
    (_BINARY_OPTIONS, _BINARY_COUNT),
)
_CODES = max(options.shape[0] for options, _ in _KINDS)
_OPTIONS = np.zeros((len(_KINDS) * _CODES, max(o.shape[1] for o, _ in _KINDS)), dtype=np.uint8)
_COUNT = np.ones(len(_KINDS) * _CODES, dtype=np.intp)
for _k, (_options, _count) in enumerate(_KINDS):
    _OPTIONS[_k * _CODES : _k * _CODES + _options.shape[0], : _options.shape[1]] = _options
    _COUNT[_k * _CODES : _k * _CODES + _count.size] = _count
#: Per cell row (touch right, left, prick right, left: C2..S3 then S4-5; key muscles right,
#: left; VAC; DAP), the first row of its kind in the tables.
_KIND_ROW = np.array(
    [
        *([0] * (N_SENSORY - 1) + [_CODES]) * 4,
        *[2 * _CODES] * (2 * N_MOTOR),
        3 * _CODES,
        3 * _CODES,
    ],
    dtype=np.intp,
)[:, None]
_LOG = np.log(np.maximum(np.arange(_OPTIONS.shape[1] + 1), 1))


def expand(
    arrays: ExamArrays, columns: NDArray[np.intp]
) -> tuple[ExamArrays, NDArray[np.intp], NDArray[np.bool_]]:
    """The readings of the exams in ``columns`` that have at most :data:`LIMIT`.

    Returns
    -------
    readings : ExamArrays
        Determined exams, those of each expanded column together, columns in order.
    starts : ndarray of intp
        Per expanded column, the index of its first reading.
    expanded : ndarray of bool, shape (len(columns),)
        Which columns were expanded.
    """
    m = columns.size
    n_cells = 2 * N_SENSORY
    codes = np.concatenate(
        [
            arrays.touch[:, :, columns].reshape(n_cells, m),
            arrays.prick[:, :, columns].reshape(n_cells, m),
            arrays.motor[:, :, columns].reshape(2 * N_MOTOR, m),
            arrays.vac[columns][None, :],
            arrays.dap[columns][None, :],
        ]
    )
    _fix_below_first_impairment(codes[: 2 * n_cells], m)
    rows = codes + _KIND_ROW  # per cell, its row in the tables (intp)
    counts = _COUNT.take(rows)
    # Compared in logarithms first: an exam full of NT has far more than 2^63 readings.
    small = _LOG.take(counts).sum(axis=0) <= np.log(LIMIT) + 1e-9
    keep = np.flatnonzero(small)
    counts, rows = counts[:, keep], rows[:, keep]
    totals = counts.prod(axis=0)
    strides = np.cumprod(np.vstack([np.ones((1, keep.size), np.intp), counts[:-1]]), axis=0)
    owner = np.repeat(np.arange(keep.size), totals)
    starts = (np.cumsum(totals) - totals).astype(np.intp)
    # Every reading starts as its exam's codes with each value at its first reading (a starred
    # value becomes a plain one); then the few values with several readings take each in turn.
    out = _OPTIONS[:, 0].take(rows).take(owner, axis=1)
    cell, column = np.nonzero(counts > 1)
    if cell.size:
        spans = totals.take(column)
        which = np.repeat(np.arange(cell.size), spans)
        local = np.arange(which.size) - (np.cumsum(spans) - spans).take(which)
        at_cell, at_column = cell.take(which), column.take(which)
        choice = (local // strides[at_cell, at_column]) % counts[at_cell, at_column]
        out[at_cell, starts.take(at_column) + local] = _OPTIONS[rows[at_cell, at_column], choice]
    touch = out[:n_cells].reshape(2, N_SENSORY, -1)
    prick = out[n_cells : 2 * n_cells].reshape(2, N_SENSORY, -1)
    motor = out[2 * n_cells : 2 * n_cells + 2 * N_MOTOR].reshape(2, N_MOTOR, -1)
    readings = ExamArrays(
        touch=np.ascontiguousarray(touch),
        prick=np.ascontiguousarray(prick),
        motor=np.ascontiguousarray(motor),
        vac=np.ascontiguousarray(out[-2]),
        dap=np.ascontiguousarray(out[-1]),
        non_key=np.ascontiguousarray(arrays.non_key[:, columns[keep]].take(owner, axis=1)),
        rows=np.arange(owner.size, dtype=np.int64),
    )
    return readings, starts, small


#: Per sensory value code: not normal in every reading (a score below 2, starred ``*`` or not).
_NEVER_NORMAL = (_NORMAL_COUNT == 1) & (_NORMAL_OPTIONS[:, 0] != SENSORY_VALUES.index("2"))
_NEVER_NORMAL_BITS = np.uint16(sum(1 << int(code) for code in np.flatnonzero(_NEVER_NORMAL)))
_ZERO = SENSORY_VALUES.index("0")
_DERMATOMES = np.arange(N_SENSORY - 1)[:, None]  # C2..S3, as a column


def _fix_below_first_impairment(codes: NDArray[np.uint8], m: int) -> None:
    """Read every sensory value from C2 to S3 one way at and below the first dermatome of its side
    that is not normal in every reading.

    Such values change neither the grade nor the motor ZPPs of any reading (ISNCSCI 2019): that
    side's sensory level is above them, so the exam is not E and the NLI is not below them; its
    motor level can pass a segment without a key muscle only with every dermatome above normal, so
    below that dermatome it stops at the first such segment whatever they are; and key muscles,
    VAC, DAP and S4-5 do not depend on them. Most not-testable sensory values of an injured exam
    lie there, below the injury: each would double the readings for nothing. ``codes`` are the
    light touch then pin prick rows, right then left, 28 dermatomes each, changed in place:
    each such value becomes ``0`` (any one value would do, since none changes those results)."""
    cells = codes.reshape(2, 2, N_SENSORY, m)[:, :, :-1]  # (LT/PP, side, C2..S3, m)
    never = (_NEVER_NORMAL_BITS >> cells) & np.uint16(1)  # bit ``code`` of the set of codes
    stop = (never[0] | never[1]).astype(np.bool_)  # (side, C2..S3, m)
    first = np.where(stop.any(axis=1), stop.argmax(axis=1), N_SENSORY)  # (side, m)
    np.copyto(cells, np.uint8(_ZERO), where=first[None, :, None, :] <= _DERMATOMES)
