"""AIS grades of N exams (ISNCSCI 2019, "ASIA Impairment Scale"; scalar:
:mod:`..asia_impairment_scale`).

Stars follow the scalar engine (and so the published reference): B starred if its sacral sensation
or its absent motor function is; C if any route to it is (OR merge); D only if every route is (AND
merge). The scalar loops over the possible levels; here the levels that lead to the same computation
(the same key muscles below) are grouped, so each group is a handful of array operations.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .codes import (
    ANTIGRAVITY,
    INT_BIT,
    LEVEL_BITS,
    MOTOR_AIS,
    MUSCLE_LEVEL,
    N_LEVELS,
    N_MOTOR,
    NO,
    PRESENT_COUNT,
    YES,
)

Result = tuple[NDArray[np.uint32], NDArray[np.uint32]]
Bools = NDArray[np.bool_]
A, B, C, D, E = (np.uint32(1 << g) for g in range(5))


def _group_of(offset: int) -> NDArray[np.intp]:
    """Per level (C1..S3), how many key muscles lie at or above ``level + offset``: the first key
    muscle below is muscle k (k = 10: none)."""
    return np.array(
        [sum(1 for m in MUSCLE_LEVEL if m <= level + offset) for level in range(N_LEVELS)],
        dtype=np.intp,
    )


_BELOW_NLI = _group_of(0)
_MORE_THAN_THREE_BELOW = _group_of(3)


def each_level(mask: NDArray[np.uint32]) -> Iterator[tuple[NDArray[np.intp], NDArray[np.intp]]]:
    """The set bits of N bitmasks as (rows, bit index) batches: first every row's lowest bit,
    then the next bit of the rows that have one, and so on. A row appears once per batch."""
    rows = np.flatnonzero(mask != 0)  # nonzero() is several times faster on booleans
    rest = mask.take(rows)
    while rows.size:
        lowest = rest & (~rest + np.uint32(1))
        # A power of two is exact in float32: its exponent field is the bit index plus 127.
        exponent = lowest.astype(np.float32).view(np.int32) >> 23
        yield rows, exponent.astype(np.intp) - 127
        rest ^= lowest
        keep = np.flatnonzero(rest != 0)  # take() is faster than boolean indexing
        rows, rest = rows.take(keep), rest.take(keep)


def level_pairs(
    mask: NDArray[np.uint32],
) -> tuple[NDArray[np.intp], NDArray[np.intp], list[slice]]:
    """The batches of :func:`each_level` one after another, as (rows, bit index) pairs, and the
    slice of each batch. What is computed per pair is then computed for all pairs at once (a few
    dozen NumPy calls, not a few dozen per batch) and stored batch by batch (:func:`or_into`)."""
    batches = list(each_level(mask))
    if not batches:
        return np.zeros(0, np.intp), np.zeros(0, np.intp), []
    ends = np.cumsum([rows.size for rows, _ in batches]).tolist()
    return (
        np.concatenate([rows for rows, _ in batches]),
        np.concatenate([level for _, level in batches]),
        [slice(a, b) for a, b in zip([0, *ends[:-1]], ends, strict=True)],
    )


def or_into(
    target: NDArray[Any], rows: NDArray[np.intp], values: NDArray[Any], batches: list[slice]
) -> None:
    """``target[rows] |= values``, where a row may occur once per batch (:func:`level_pairs`)."""
    for batch in batches:
        at = rows[batch]
        target[at] |= values[batch]


# "Can motor function lie more than three levels below?" as four bits: True reached, True
# unstarred, False reached, False unstarred.
_T, _T_PLAIN, _F, _F_PLAIN = 1, 2, 4, 8


def _scan_table() -> NDArray[np.intp]:
    """``_SCAN[answers * 16 + below]``: the bits of a scan starting at a key muscle with packed
    ``answers`` (:data:`.codes.MOTOR_AIS`) given the bits of the scan starting below it. The
    scalar scan stops at the first muscle whose function is certainly present."""
    table = np.zeros(9 * 16, dtype=np.intp)
    for answers in range(9):
        present, absent = divmod(answers, 3)
        for below in range(16):
            bits = (_T if present else 0) | (_T_PLAIN if present == 1 else 0)
            if absent:
                bits |= below & (_T | _T_PLAIN | _F)
                bits |= below & _F_PLAIN if absent == 1 else 0
            table[answers * 16 + below] = bits
    return table


_SCAN = _scan_table()
_MOTOR_AIS_ROW = MOTOR_AIS * 16  # the start of each motor code's entries in _SCAN


def _side_can_be(
    motor: NDArray[np.intp], levels: NDArray[np.uint32], non_key: NDArray[np.intp]
) -> NDArray[np.uint8]:
    """Over a side's possible motor levels, can motor function lie more than three levels below
    (True) or be absent there (False)? Returns the four bits ``_T``.. per exam."""
    found = np.zeros(levels.shape, dtype=np.uint8)
    walked = np.flatnonzero(levels != 0)  # only exams with a level to look below
    n = walked.size
    # scans[k]: the scan from key muscle k down; then two rows of constant answers: the non-key
    # muscle lies more than three levels below (True), the side is intact (False).
    scans = np.empty((N_MOTOR + 3, n), dtype=np.intp)
    scans[N_MOTOR] = _F | _F_PLAIN
    scans[N_MOTOR + 1] = _T | _T_PLAIN
    scans[N_MOTOR + 2] = _F | _F_PLAIN
    answers = _MOTOR_AIS_ROW.take(motor.take(walked, axis=1))
    for k in range(N_MOTOR - 1, -1, -1):
        scans[k] = _SCAN.take(answers[k] + scans[k + 1])
    flat = scans.reshape(-1)
    rows, level, batches = level_pairs(levels.take(walked))
    # The non-key muscle lies more than three levels below: the constant row of True.
    group = np.where(level + 3 < non_key.take(walked.take(rows)), N_MOTOR + 1, _GROUP3.take(level))
    or_into(found, walked.take(rows), flat.take(group * n + rows).astype(np.uint8), batches)
    return found


_GROUP3 = np.append(_MORE_THAN_THREE_BELOW, N_MOTOR + 2)  # INT: the intact row
_GROUP0 = _BELOW_NLI

# Per key muscle, four counts packed in bytes: may be grade 3 or more; ... without a judgement; must
# be; ... unless by a judgement (``cells.MOTOR_ANTIGRAVITY``).
_MOST, _MOST_PLAIN, _LEAST, _LEAST_PLAIN = 0, 8, 16, 24
_FEATURES = np.array(
    [
        (t > 0) << _MOST | (t == 1) << _MOST_PLAIN | (f == 0) << _LEAST | (f != 1) << _LEAST_PLAIN
        for t, f in (divmod(int(code), 3) for code in ANTIGRAVITY)
    ],
    dtype=np.int32,  # four counts of at most 20 muscles, one per byte
)  # by motor value code


def _count(counts: NDArray[np.int32], shift: int) -> NDArray[np.int32]:
    out: NDArray[np.int32] = (counts >> shift) & 0xFF
    return out


# The bits of :func:`_grade_by_strength`; the last two say that a reading with VAC gives C, and
# D (see :func:`certain_c_and_d`).
_D_REACH, _D_PLAIN, _C_REACH, _C_STAR, _C_BY_VAC, _D_BY_VAC = (np.uint8(1 << b) for b in range(6))


def _grade_by_strength(
    motor: NDArray[np.intp],
    nli: Result,
    routes: Sequence[tuple[Bools, Bools, bool]],
) -> NDArray[np.uint8]:
    """For each route (active, route star, VAC present): C or D by the share of key muscles below
    each possible NLI with grade 3 or more. C is starred if any route and NLI is (OR), D only if
    every route is (AND; the NLI's star does not enter it): per exam the bits D reached, D
    reached unstarred, C reached, C starred."""
    reach, starred = nli
    n = reach.shape[0]
    active = np.zeros(n, np.bool_)
    for on, _, _ in routes:
        active |= on
    # counts[k]: over the key muscles k..9 of both sides (those below a level of group k).
    features = _FEATURES.take(motor)
    features = features[:, :n] + features[:, n:]  # right sides, then left sides
    counts = np.zeros((N_MOTOR + 1, n), dtype=np.int32)
    for k in range(N_MOTOR - 1, -1, -1):  # faster than a cumsum across rows
        np.add(counts[k + 1], features[k], out=counts[k])
    rows, level, batches = level_pairs(active * (reach & np.uint32(LEVEL_BITS)))
    group = _GROUP0.take(level)
    below = counts.reshape(-1).take(group * n + rows)
    total = 2 * (N_MOTOR - group)
    d = 2 * _count(below, _MOST) >= total
    d_judged = 2 * _count(below, _MOST_PLAIN) < total
    c = 2 * _count(below, _LEAST) < total
    c_judged = 2 * _count(below, _LEAST_PLAIN) >= total
    level_star = ((starred.take(rows) >> level.astype(np.uint32)) & 1) != 0
    found = np.zeros(rows.size, dtype=np.uint8)
    for on, route_star, vac in routes:
        # C also rests on an NLI reached through a judgement where VAC makes the injury motor
        # incomplete (published case 120); D does not (scalar: _Grades.grade_by_strength).
        route = route_star.take(rows)
        star = route | level_star if vac else route
        here = on.take(rows)
        d_here, c_here = here & d, here & c
        found |= d_here * _D_REACH | (d_here & ~(route | d_judged)) * _D_PLAIN
        found |= c_here * _C_REACH | (c_here & (star | c_judged)) * _C_STAR
        if vac:
            # With VAC, some reading with this NLI has every key muscle below it at its lowest
            # (C), and one has all at their highest but at most one (the muscle that may stop the
            # NLI search there): D when that still makes half.
            margin = 2 * _count(below, _MOST) >= total + 2
            found |= c_here * _C_BY_VAC | (d_here & margin) * _D_BY_VAC
    out = np.zeros(n, dtype=np.uint8)
    or_into(out, rows, found, batches)
    return out


def asia_impairment_scale(
    levels: tuple[Result, Result],
    nli: Result,
    complete: Result,
    sensation: NDArray[np.intp],
    vac: NDArray[np.intp],
    motor: NDArray[np.intp],
    non_key: NDArray[np.intp],
) -> tuple[NDArray[np.uint32], NDArray[np.uint32], Bools]:
    """The possible AIS grades of N exams, and where a single reading is known to give C and
    one D (both by VAC), so that the grades need no check reading by reading.

    Parameters
    ----------
    levels : tuple
        The sensory levels, then the motor levels, each as (reached, starred) ndarrays of uint32,
        shape (2N,): the right sides of the N exams, then their left sides.
    nli : (reached, starred) ndarrays of uint32, shape (N,)
        The NLIs as the grading reads them.
    complete : (reached, starred) ndarrays of uint32, shape (N,)
        Completeness (C bit 0, I bit 1).
    sensation : ndarray of intp, shape (N,)
        Packed sacral sensation answers (:func:`.completeness.sacral_sensation`).
    vac : ndarray of intp, shape (N,)
    motor : ndarray of intp, shape (10, 2N)
        Key muscle value codes, right sides then left sides.
    non_key : ndarray of intp, shape (2N,)
        Level index of each side's lowest non-key muscle with motor function, -1 for none.

    Returns
    -------
    reached, starred : ndarray of uint32, shape (N,)
        Bitmasks over A..E (bits 0..4).
    c_and_d : ndarray of bool, shape (N,)
        Some reading (with VAC) gives C and some D: C and D are not paired from different
        readings (:mod:`.joint_grading`).
    """
    (sensory, sensory_star), (motor_level, motor_star) = levels
    n = vac.shape[0]
    intact = np.uint32(1 << INT_BIT)
    reach = complete[0] & A  # A where complete (C, bit 0) is possible, with its star
    starred = complete[1] & A
    all_intact = sensory[:n] & sensory[n:] & motor_level[:n] & motor_level[n:] & intact
    any_star = (sensory_star[:n] | sensory_star[n:] | motor_star[:n] | motor_star[n:]) & intact
    reach |= (all_intact != 0) * E
    starred |= ((all_intact & any_star) != 0) * E
    sensed = PRESENT_COUNT.take(sensation)
    # No VAC, sacral sensation: B, or C/D by motor function more than three levels below.
    route = (vac != YES) & (sensed > 0)
    sides = _side_can_be(motor, motor_level * np.tile(route, 2), non_key)
    right, left = sides[:n], sides[n:]
    rt, rtp, rf, rfp = ((right & bit) != 0 for bit in (_T, _T_PLAIN, _F, _F_PLAIN))
    lt, ltp, lf, lfp = ((left & bit) != 0 for bit in (_T, _T_PLAIN, _F, _F_PLAIN))
    b = route & rf & lf
    reach |= b * B
    starred |= (b & ((sensed == 2) | (rf & ~rfp) | (lf & ~lfp))) * B
    grades = _grade_by_strength(
        motor,
        nli,
        [
            # VAC present: motor incomplete (a binary finding carries no star).
            (vac != NO, np.zeros(vac.shape, np.bool_), True),
            # C is starred if either side's function below rests on a judgement (any route).
            (route & (rt | lt), (rt & ~rtp) | (lt & ~ltp), False),
        ],
    )
    c_reach, c_star = (grades & _C_REACH) != 0, (grades & _C_STAR) != 0
    d_reach, d_plain = (grades & _D_REACH) != 0, (grades & _D_PLAIN) != 0
    reach |= c_reach * C | d_reach * D
    starred |= (c_reach & c_star) * C | (d_reach & ~d_plain) * D
    c_and_d = (grades & (_C_BY_VAC | _D_BY_VAC)) == (_C_BY_VAC | _D_BY_VAC)
    return reach, starred, c_and_d
