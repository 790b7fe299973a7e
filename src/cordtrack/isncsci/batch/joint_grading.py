"""C, D and the motor ZPPs over single readings, for the few exams of a chunk that need it
(ISNCSCI 2019, "ASIA Impairment Scale"; scalar: :mod:`..joint_grading`).

The bitmask searches combine the grade's inputs over all readings separately, as the scalar
searches do; where :func:`~cordtrack.isncsci.joint_grading.needs_joint_grades` says they may have
paired values of different readings (AIS C and D both listed with an undetermined NLI or motor
level; or a lowest non-key muscle and a grade that may or may not be C), the scalar
:func:`~cordtrack.isncsci.joint_grading.joint_grades` decides for that exam. Such exams are few
(about 3% of exams at the generator's default rates), and each is handled by the same code as in
the scalar engine, so the two cannot differ.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ..exam import MOTOR_CELLS, SENSORY_CELLS, Exam, SideExam
from ..joint_grading import joint_grades
from ..types import RESULT_LEVELS, Binary
from . import readings
from .codes import BINARY_VALUES, MOTOR_VALUES, NA_BIT, SENSORY_VALUES
from .determined import grades_and_motor_zpps
from .encode import ExamArrays

Result = tuple[NDArray[np.uint32], NDArray[np.uint32]]
_C, _D = np.uint32(1 << 2), np.uint32(1 << 3)
_SENSORY = tuple(SENSORY_CELLS[v] for v in SENSORY_VALUES)
_MOTOR = tuple(MOTOR_CELLS[v] for v in MOTOR_VALUES)


def _single(mask: NDArray[np.uint32]) -> NDArray[np.bool_]:
    out: NDArray[np.bool_] = (mask & (mask - np.uint32(1))) == 0
    return out


def needing(
    ais: NDArray[np.uint32],
    nli: NDArray[np.uint32],
    motor: tuple[NDArray[np.uint32], NDArray[np.uint32]],
    non_key: NDArray[np.intp],
    c_and_d: NDArray[np.bool_],
) -> NDArray[np.intp]:
    """Rows whose grades or motor ZPPs need single readings (as ``needs_joint_grades``, less the
    rows where a reading with VAC is known to give C and one D: there the check would change
    nothing)."""
    c = (ais & _C) != 0
    both = c & ((ais & _D) != 0) & ~c_and_d
    levels_single = _single(nli) & _single(motor[0]) & _single(motor[1])
    n = ais.shape[0]
    any_non_key = (non_key[:n] >= 0) | (non_key[n:] >= 0)
    out: NDArray[np.intp] = np.flatnonzero(
        (both & ~levels_single) | (c & (ais != _C) & any_non_key)
    )
    return out


def exam_at(arrays: ExamArrays, column: int) -> Exam:
    """The exam in column ``column`` of the arrays, as the scalar engine reads it."""
    sides = []
    for s in range(2):
        non_key = int(arrays.non_key[s, column])
        sides.append(
            SideExam(
                tuple(_SENSORY[c] for c in arrays.touch[s, :, column].tolist()),
                tuple(_SENSORY[c] for c in arrays.prick[s, :, column].tolist()),
                tuple(_MOTOR[c] for c in arrays.motor[s, :, column].tolist()),
                RESULT_LEVELS[non_key] if non_key >= 0 else None,
            )
        )
    vac = Binary(BINARY_VALUES[int(arrays.vac[column])])
    dap = Binary(BINARY_VALUES[int(arrays.dap[column])])
    return Exam.create(sides[0], sides[1], vac, dap)


def exact_masks(
    arrays: ExamArrays, columns: NDArray[np.intp]
) -> tuple[NDArray[np.uint32], NDArray[np.uint32]]:
    """Per column, the AIS grades and the motor ZPPs (right, left) that single readings give, as
    masks to keep: by grading every reading (:mod:`.readings`, :mod:`.determined`) where there
    are at most :data:`.readings.LIMIT`, else by the scalar :func:`joint_grades`.

    Returns
    -------
    ais : ndarray of uint32, shape (m,)
    zpp : ndarray of uint32, shape (2, m)
    """
    m = columns.size
    ais = np.full(m, 0xFFFFFFFF, dtype=np.uint32)
    zpp = np.full((2, m), 0xFFFFFFFF, dtype=np.uint32)
    expanded, starts, small = readings.expand(arrays, columns)
    if starts.size:
        # Each reading is a determined exam: its grade and motor ZPPs by the definitions.
        grade, motor_zpp = grades_and_motor_zpps(expanded)
        one = np.uint32(1)
        ais[small] = np.bitwise_or.reduceat(one << grade.astype(np.uint32), starts)
        zpp[:, small] = np.bitwise_or.reduceat(one << motor_zpp.astype(np.uint32), starts, axis=1)
    for at in np.flatnonzero(~small).tolist():
        joint = joint_grades(exam_at(arrays, int(columns[at])))
        ais[at] = 0x1F & ~((0 if joint.c else int(_C)) | (0 if joint.d else int(_D)))
        for side in range(2):
            zpp[side, at] = (1 << NA_BIT) | sum(1 << i for i in joint.motor_zpp[side])
            if arrays.non_key[side, columns[at]] < 0:
                zpp[side, at] = 0xFFFFFFFF  # the searches are exact without a non-key muscle
    return ais, zpp
