"""``classify_batch``: every ISNCSCI 2019 output of N exams, assembled as in
:mod:`cordtrack.isncsci.classification` but with array operations only.

The exams are classified in chunks (:data:`CHUNK` rows) so that the working arrays stay in cache
and memory stays bounded; within a chunk every step is a NumPy operation over all its exams.
"""

from __future__ import annotations

from typing import Final

import numpy as np
from numpy.typing import NDArray

from .asia_impairment_scale import C, asia_impairment_scale
from .codes import N_SENSORY, SEGMENT, SEGMENT_SENSATION, SEGMENT_TOTALS
from .completeness import completeness, sacral_sensation
from .encode import ExamArrays
from .motor_level import motor_levels, muscle_inputs
from .neurological_level import neurological_levels
from .result import SET_KEYS, BatchResult
from .sensory_level import sensory_levels
from .totals import totals
from .zone_of_partial_preservation import motor_zpp, sensory_zpp

#: Exams classified at once: large enough to amortise NumPy's per-call cost, small enough for the
#: working arrays (a few dozen of N 8-byte values) to stay in the CPU caches.
CHUNK: Final = 1 << 14
_S45 = N_SENSORY - 1


def classify_batch(arrays: ExamArrays, *, chunk: int = CHUNK) -> BatchResult:
    """Classify N encoded exams.

    Parameters
    ----------
    arrays : ExamArrays
        From :func:`~cordtrack.isncsci.batch.encode` or :func:`~.encode_columns`.
    chunk : int
        Exams per chunk.

    Returns
    -------
    BatchResult
        Row ``i`` gives exactly ``classify(parse_exam(exam_i)).to_flat()`` once rendered.
    """
    n = len(arrays)
    reached = np.zeros((len(SET_KEYS), n), dtype=np.uint32)
    starred = np.zeros((len(SET_KEYS), n), dtype=np.uint32)
    total_values = np.zeros((14, n), dtype=np.int16)
    not_determinable = np.zeros((14, n), dtype=np.bool_)
    for start in range(0, n, chunk):
        part = slice(start, min(start + chunk, n))
        results, (values, nd) = _classify_chunk(arrays, part)
        for i, (r, s) in enumerate(results):
            reached[i, part], starred[i, part] = r, s
        total_values[:, part], not_determinable[:, part] = values, nd
    return BatchResult(reached, starred, total_values, not_determinable, arrays.rows)


def _classify_chunk(
    arrays: ExamArrays, part: slice
) -> tuple[
    list[tuple[NDArray[np.uint32], NDArray[np.uint32]]],
    tuple[NDArray[np.int16], NDArray[np.bool_]],
]:
    # Everything asked of each dermatome, in one lookup for both sides (see codes.SEGMENT);
    # touch * 10 + prick fits in uint8, so the pair code is computed before widening.
    touch, prick = arrays.touch[:, :, part], arrays.prick[:, :, part]  # (2, 28, n) uint8
    segments = SEGMENT.take((touch * np.uint8(10) + prick).astype(np.intp))
    dermatome = segments & 7
    sensation = (segments >> SEGMENT_SENSATION) & 15
    sensory_totals = (segments >> SEGMENT_TOTALS).sum(axis=1, dtype=np.int32)
    touch45, prick45 = touch[:, _S45].astype(np.intp), prick[:, _S45].astype(np.intp)
    motor = arrays.motor[:, :, part].astype(np.intp)  # (2, 10, n)
    vac = arrays.vac[part].astype(np.intp)
    dap = arrays.dap[part].astype(np.intp)
    non_key = arrays.non_key[:, part].astype(np.intp)
    muscles = (muscle_inputs(dermatome[0], motor[0]), muscle_inputs(dermatome[1], motor[1]))
    right_sensory, left_sensory = sensory_levels(dermatome[0]), sensory_levels(dermatome[1])
    right_motor, right_for_zpp = motor_levels(dermatome[0], muscles[0], vac)
    left_motor, left_for_zpp = motor_levels(dermatome[1], muscles[1], vac)
    nli, nli_for_grading = neurological_levels(
        (dermatome[0], dermatome[1]), muscles, right_motor, left_motor
    )
    sacral = sacral_sensation((touch45[0], touch45[1]), (prick45[0], prick45[1]), dap)
    complete = completeness(sacral, vac, dap, (touch45[0], touch45[1]), (prick45[0], prick45[1]))
    ais = asia_impairment_scale(
        (right_sensory, left_sensory, right_motor, left_motor),
        nli_for_grading,
        complete,
        sacral,
        vac,
        (motor[0], motor[1]),
        (non_key[0], non_key[1]),
    )
    c_possible = (ais[0] & C) != 0
    certain = ais[0] == C
    motor_zpps = [
        motor_zpp(m, for_zpp, vac, nk, (nk >= 0) & c_possible, certain)
        for m, for_zpp, nk in zip(motor, (right_for_zpp, left_for_zpp), non_key, strict=True)
    ]
    results = [
        right_sensory,
        left_sensory,
        right_motor,
        left_motor,
        nli,
        sensory_zpp(sensation[0], dap),
        sensory_zpp(sensation[1], dap),
        *motor_zpps,
        ais,
        complete,
    ]
    return results, totals((sensory_totals[0], sensory_totals[1]), (motor[0], motor[1]))
