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

from collections.abc import Sequence
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
    ).astype(np.intp)
    above = (_NORMAL_OPTIONS, _NORMAL_COUNT, N_SENSORY - 1)
    s45 = (_SENSORY_OPTIONS, _SENSORY_COUNT, 1)
    kinds = [
        *(above, s45) * 4,  # touch right, left, prick right, left: C2..S3, then S4-5
        (_MOTOR_OPTIONS, _MOTOR_COUNT, 2 * N_MOTOR),
        (_BINARY_OPTIONS, _BINARY_COUNT, 2),
    ]
    counts = np.concatenate(
        [
            count.take(codes[a : a + k])
            for (_, count, k), a in zip(kinds, _offsets(kinds), strict=True)
        ]
    )
    # Compared in logarithms first: an exam full of NT has far more than 2^63 readings.
    small = np.log(counts).sum(axis=0) <= np.log(LIMIT) + 1e-9
    keep = np.flatnonzero(small)
    counts, codes = counts[:, keep], codes[:, keep]
    totals = counts.prod(axis=0)
    strides = np.cumprod(np.vstack([np.ones((1, keep.size), np.intp), counts[:-1]]), axis=0)
    owner = np.repeat(np.arange(keep.size), totals)
    starts = (np.cumsum(totals) - totals).astype(np.intp)
    # Every reading starts as its exam's codes with each value at its first reading (a starred
    # value becomes a plain one); then the few values with several readings take each in turn.
    first = np.concatenate(
        [
            options[codes[a : a + k], 0]
            for (options, _, k), a in zip(kinds, _offsets(kinds), strict=True)
        ]
    )
    out = first.astype(np.uint8).take(owner, axis=1)
    cell, column = np.nonzero(counts > 1)
    if cell.size:
        spans = totals.take(column)
        which = np.repeat(np.arange(cell.size), spans)
        local = np.arange(which.size) - (np.cumsum(spans) - spans).take(which)
        at_cell, at_column = cell.take(which), column.take(which)
        choice = (local // strides[at_cell, at_column]) % counts[at_cell, at_column]
        table = np.full(at_cell.shape, 0, dtype=np.intp)
        for (options, _, k), a in zip(kinds, _offsets(kinds), strict=True):
            mine = (at_cell >= a) & (at_cell < a + k)
            table[mine] = options[codes[at_cell[mine], at_column[mine]], choice[mine]]
        out[at_cell, starts.take(at_column) + local] = table
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


def _offsets(kinds: Sequence[tuple[object, object, int]]) -> list[int]:
    out, at = [], 0
    for _, _, k in kinds:
        out.append(at)
        at += k
    return out
