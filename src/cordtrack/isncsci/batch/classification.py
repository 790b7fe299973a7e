"""``classify_batch``: every ISNCSCI 2019 output of N exams, assembled as in
:mod:`cordtrack.isncsci.classification` but with array operations only.

The exams are classified in chunks (:data:`CHUNK` rows) so that the working arrays stay in cache
and memory stays bounded; within a chunk every step is a NumPy operation over all its exams. The
chunks are independent, so they run on a few threads at once (see :func:`classify_batch`).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

from . import joint_grading
from .asia_impairment_scale import C, asia_impairment_scale
from .codes import (
    N_MOTOR,
    N_SENSORY,
    SEGMENT,
    SEGMENT_PRICK,
    SEGMENT_SEARCH,
    SEGMENT_SENSATION,
    SEGMENT_TOUCH,
)
from .completeness import completeness, sacral_sensation
from .encode import ExamArrays
from .motor_level import motor_levels, muscle_inputs
from .neurological_level import neurological_levels
from .result import SET_KEYS, BatchResult
from .sensory_level import sensory_levels
from .totals import totals
from .zone_of_partial_preservation import motor_zpp, sensory_zpp

#: Most exams classified at once: large enough to amortise NumPy's per-call cost and the GIL
#: handed between threads at every NumPy call (measured with two threads, median of nine runs:
#: 10^5 exams 0.76M/s in chunks of 16,384, 0.98-1.11M in chunks of 32,768, 1.10-1.24M in
#: chunks of 65,536; 10^6 exams 1.10M, 1.17M, and 0.95M in chunks of 131,072), small enough for
#: the working arrays (about 46 MiB, the largest 30 MiB) to stay in the allocator's heap rather
#: than be mapped afresh, with page faults, for every chunk.
CHUNK: Final = 1 << 16
#: Most threads used by default: each adds a chunk's working arrays (a few MiB) and beyond a few
#: cores the chunks compete for memory bandwidth rather than for compute.
MAX_WORKERS: Final = 8
_S45 = N_SENSORY - 1
Result = tuple[NDArray[np.uint32], NDArray[np.uint32]]
Totals = tuple[NDArray[np.int16], NDArray[np.bool_]]


def default_workers() -> int:
    """Threads :func:`classify_batch` uses by default: the CPUs this process may run on, at most
    :data:`MAX_WORKERS`."""
    try:
        cpus = len(os.sched_getaffinity(0))  # the CPUs this process may use (taskset, cgroups)
    except AttributeError:  # not on every platform
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, MAX_WORKERS))


def classify_batch(
    arrays: ExamArrays, *, chunk: int = CHUNK, workers: int | None = None
) -> BatchResult:
    """Classify N encoded exams.

    Parameters
    ----------
    arrays : ExamArrays
        From :func:`~cordtrack.isncsci.batch.encode` or :func:`~.encode_columns`.
    chunk : int
        Most exams per chunk (the chunks are made as even as they can be).
    workers : int, optional
        Threads classifying chunks at once; None for :func:`default_workers`, 1 for one chunk
        after another in the calling thread. The result does not depend on it, nor on ``chunk``.

    Returns
    -------
    BatchResult
        Row ``i`` gives exactly ``classify(parse_exam(exam_i)).to_flat()`` once rendered.
    """
    if chunk < 1:
        raise ValueError(f"chunk must be at least 1, not {chunk}")
    if workers is not None and workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    n = len(arrays)
    # Every column is written by exactly one chunk: no zero-filling first.
    reached = np.empty((len(SET_KEYS), n), dtype=np.uint32)
    starred = np.empty((len(SET_KEYS), n), dtype=np.uint32)
    total_values = np.empty((14, n), dtype=np.int16)
    not_determinable = np.empty((14, n), dtype=np.bool_)

    count = -(-n // chunk)  # chunks needed
    threads = min(default_workers() if workers is None else workers, count)
    if threads > 1:  # as many chunks per thread, so that the threads finish together
        count = -(-count // threads) * threads
    size = -(-n // count) if n else chunk
    starts = range(0, n, size)

    def classify_part(start: int) -> None:
        # Each chunk writes only its own columns of the outputs: no two threads share an element.
        part = slice(start, min(start + size, n))
        results, (values, nd) = _classify_chunk(arrays, part)
        for i, (r, s) in enumerate(results):
            reached[i, part], starred[i, part] = r, s
        total_values[:, part], not_determinable[:, part] = values, nd

    if threads <= 1:  # one chunk (or one worker): a pool would only add its start-up cost
        for start in starts:
            classify_part(start)
    else:
        # Threads, not processes: NumPy releases the GIL inside its ufunc loops and take(), where
        # nearly all of a chunk's time goes, so the chunks run in parallel on shared arrays
        # without copying them to other processes.
        with ThreadPoolExecutor(threads, thread_name_prefix="classify_batch") as pool:
            list(pool.map(classify_part, starts))  # re-raises a chunk's exception
    return BatchResult(reached, starred, total_values, not_determinable, arrays.rows)


def _classify_chunk(arrays: ExamArrays, part: slice) -> tuple[list[Result], Totals]:
    # The searches of one side run on both sides at once, as 2n columns: the right sides of the
    # chunk's exams, then their left sides. Half as many NumPy calls, each on twice the data:
    # less time in the interpreter, which also holds the GIL that the threads share.
    n = part.stop - part.start
    touch, prick = arrays.touch[:, :, part], arrays.prick[:, :, part]  # (2, 28, n) uint8
    dermatome, sensation, (touch_marks, prick_marks) = _dermatomes(touch, prick)
    touch45, prick45 = touch[:, _S45].astype(np.intp), prick[:, _S45].astype(np.intp)
    motor = np.empty((N_MOTOR, 2, n), dtype=np.intp)  # lookup indices
    motor[...] = arrays.motor[:, :, part].transpose(1, 0, 2)
    motor = motor.reshape(N_MOTOR, 2 * n)
    vac8 = arrays.vac[part]
    vac = vac8.astype(np.intp)
    dap = arrays.dap[part].astype(np.intp)
    non_key = arrays.non_key[:, part].astype(np.intp).reshape(2 * n)
    muscles = muscle_inputs(dermatome, motor)
    sensory = sensory_levels(dermatome)
    motor_level, for_zpp = motor_levels(dermatome, muscles, np.tile(vac8, 2))
    nli, nli_for_grading = neurological_levels(
        _sides(dermatome, n), _sides(muscles, n), *_sides_of(motor_level, n)
    )
    sacral = sacral_sensation((touch45[0], touch45[1]), (prick45[0], prick45[1]), dap)
    complete = completeness(sacral, vac, dap, (touch45[0], touch45[1]), (prick45[0], prick45[1]))
    ais_reach, ais_starred, c_and_d = asia_impairment_scale(
        (sensory, motor_level), nli_for_grading, complete, sacral, vac, motor, non_key
    )
    ais = (ais_reach, ais_starred)
    # The few exams whose grades or motor ZPPs may pair values of different readings are decided
    # reading by reading, by the scalar engine's own code (joint_grading).
    rows = joint_grading.needing(
        ais[0], nli[0], (motor_level[0][:n], motor_level[0][n:]), non_key, c_and_d
    )
    keep = joint_grading.exact_masks(arrays, rows + part.start) if rows.size else None
    if keep is not None:
        ais = (ais[0].copy(), ais[1].copy())
        for a in ais:
            a[rows] &= keep[0]
    c_possible = (ais[0] & C) != 0
    certain = ais[0] == C
    if keep is not None:
        certain[rows] = False
    motor_zpps = motor_zpp(
        motor,
        for_zpp,
        np.tile(vac, 2),
        non_key,
        (non_key >= 0) & np.tile(c_possible, 2),
        np.tile(certain, 2),
    )
    if keep is not None:
        for z in motor_zpps:
            z[rows] &= keep[1][0]
            z[rows + n] &= keep[1][1]
    sensory_zpps = sensory_zpp(sensation, np.tile(dap, 2))
    results = [
        *_sides_of(sensory, n),
        *_sides_of(motor_level, n),
        nli,
        *_sides_of(sensory_zpps, n),
        *_sides_of(motor_zpps, n),
        ais,
        complete,
    ]
    return results, totals(touch_marks, prick_marks, motor)


def _dermatomes(
    touch: NDArray[np.uint8], prick: NDArray[np.uint8]
) -> tuple[NDArray[np.uint8], NDArray[np.uint8], tuple[NDArray[np.uint32], NDArray[np.uint32]]]:
    """Everything asked of each dermatome, from one lookup (see codes.SEGMENT), over 2n columns:
    the dermatome classes (C2 to S4-5) and the sensation answers (S4-5 up to C2, the order of the
    sensory ZPP's walk), shape (28, 2n), and the light touch and pin prick marks summed over the
    dermatomes, shape (2n,)."""
    n = touch.shape[2]
    # touch * 10 + prick fits in uint8, so the pair code is computed before widening.
    pairs = np.empty((N_SENSORY, 2, n), dtype=np.uint8)
    np.multiply(touch.transpose(1, 0, 2), np.uint8(10), out=pairs)
    pairs += prick.transpose(1, 0, 2)
    pair = pairs.reshape(N_SENSORY, 2 * n)
    # One dermatome at a time: its lookup indices and table entries stay in the CPU's cache,
    # where those of all 28 at once (tens of MiB) would not. The searches read their byte (the
    # top one): uint8 inputs, an eighth of the memory traffic of intp.
    search = np.empty((N_SENSORY, 2 * n), dtype=np.uint8)
    marks = np.zeros(2 * n, dtype=np.uint32)
    for d in range(N_SENSORY):
        segment = SEGMENT.take(pair[d].astype(np.intp))
        marks += segment
        search[d] = segment >> np.uint32(SEGMENT_SEARCH)
    field = np.uint32((1 << (SEGMENT_PRICK - SEGMENT_TOUCH)) - 1)
    touch_marks = (marks >> np.uint32(SEGMENT_TOUCH)) & field
    prick_marks = (marks >> np.uint32(SEGMENT_PRICK)) & field
    # Sensation rows reversed as they are computed, so that the walk reads contiguous rows: take()
    # copies a reversed view whole before gathering from it.
    dermatome, sensation = search & np.uint8(7), search[::-1] >> np.uint8(SEGMENT_SENSATION)
    return dermatome, sensation, (touch_marks, prick_marks)


def _sides(both: NDArray[Any], n: int) -> tuple[NDArray[Any], NDArray[Any]]:
    """The right and left sides of 2n columns."""
    return both[..., :n], both[..., n:]


def _sides_of(result: Result, n: int) -> tuple[Result, Result]:
    """The right and left sides' (reached, starred) of a result over 2n columns."""
    return (result[0][:n], result[1][:n]), (result[0][n:], result[1][n:])
