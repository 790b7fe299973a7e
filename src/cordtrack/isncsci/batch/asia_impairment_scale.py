"""AIS grades of N exams (ISNCSCI 2019, "ASIA Impairment Scale"; scalar:
:mod:`..asia_impairment_scale`).

Stars follow the scalar engine (and so the published reference): B starred if its sacral sensation
or its absent motor function is; C if any route to it is (OR merge); D only if every route is (AND
merge). The scalar loops over the possible levels; here the levels that lead to the same computation
(the same key muscles below) are grouped, so each group is a handful of array operations.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

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
    rows = np.flatnonzero(mask)
    rest = mask[rows]
    while rows.size:
        lowest = rest & (~rest + np.uint32(1))
        yield rows, np.frexp(lowest.astype(np.float64))[1].astype(np.intp) - 1
        rest ^= lowest
        keep = rest != 0
        rows, rest = rows[keep], rest[keep]


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


def _side_can_be(
    motor: NDArray[np.intp], levels: NDArray[np.uint32], non_key: NDArray[np.intp]
) -> NDArray[np.intp]:
    """Over a side's possible motor levels, can motor function lie more than three levels below
    (True) or be absent there (False)? Returns the four bits ``_T``.. per exam."""
    found = np.zeros(levels.shape, dtype=np.intp)
    walked = np.flatnonzero(levels)  # only exams with a level to look below
    n = walked.size
    # scans[k]: the scan from key muscle k down; then two rows of constant answers: the non-key
    # muscle lies more than three levels below (True), the side is intact (False).
    scans = np.empty((N_MOTOR + 3, n), dtype=np.intp)
    scans[N_MOTOR] = _F | _F_PLAIN
    scans[N_MOTOR + 1] = _T | _T_PLAIN
    scans[N_MOTOR + 2] = _F | _F_PLAIN
    answers = MOTOR_AIS.take(motor.take(walked, axis=1)) * 16
    for k in range(N_MOTOR - 1, -1, -1):
        scans[k] = _SCAN.take(answers[k] + scans[k + 1])
    flat = scans.reshape(-1)
    below = non_key.take(walked)
    for rows, level in each_level(levels.take(walked)):
        group = _GROUP3.take(level)
        group[level + 3 < below[rows]] = N_MOTOR + 1
        found[walked[rows]] |= flat.take(group * n + rows)
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
    dtype=np.intp,
)  # by motor value code


def _count(counts: NDArray[np.intp], shift: int) -> NDArray[np.intp]:
    out: NDArray[np.intp] = (counts >> shift) & 0xFF
    return out


class _Grades:
    """C (starred if any route is) and D (starred only if every route is), over routes and NLIs."""

    def __init__(self, motor: tuple[NDArray[np.intp], NDArray[np.intp]], nli: Result) -> None:
        n = nli[0].shape[0]
        self.nli = nli
        self.c_reach, self.c_star = np.zeros(n, np.bool_), np.zeros(n, np.bool_)
        self.d_reach, self.d_plain = np.zeros(n, np.bool_), np.zeros(n, np.bool_)
        # counts[k]: over the key muscles k..9 of both sides (those below a level of group k).
        features = _FEATURES.take(motor[0]) + _FEATURES.take(motor[1])
        self.counts = np.zeros((N_MOTOR + 1, n), dtype=np.intp)
        for k in range(N_MOTOR - 1, -1, -1):
            np.add(self.counts[k + 1], features[k], out=self.counts[k])

    def grade_by_strength(self, routes: Sequence[tuple[Bools, Bools, bool]]) -> None:
        """For each route (active, route star, VAC present): C or D by the share of key muscles
        below each possible NLI with grade 3 or more."""
        reach, starred = self.nli
        n = reach.shape[0]
        active = np.zeros(n, np.bool_)
        for on, _, _ in routes:
            active |= on
        flat = self.counts.reshape(-1)
        for rows, level in each_level(np.where(active, reach & np.uint32(LEVEL_BITS), 0)):
            group = _GROUP0.take(level)
            counts = flat.take(group * n + rows)
            total = 2 * (N_MOTOR - group)
            d = 2 * _count(counts, _MOST) >= total
            d_judged = 2 * _count(counts, _MOST_PLAIN) < total
            c = 2 * _count(counts, _LEAST) < total
            c_judged = 2 * _count(counts, _LEAST_PLAIN) >= total
            level_star = ((starred[rows] >> level.astype(np.uint32)) & 1) != 0
            d_reach, d_plain = self.d_reach[rows], self.d_plain[rows]
            c_reach, c_star = self.c_reach[rows], self.c_star[rows]
            for on, route_star, vac in routes:
                star = route_star[rows] | level_star if vac else route_star[rows]
                here = on[rows]
                d_here, c_here = here & d, here & c
                d_reach |= d_here
                d_plain |= d_here & ~(star | d_judged)
                c_reach |= c_here
                c_star |= c_here & (star | c_judged)
            self.d_reach[rows], self.d_plain[rows] = d_reach, d_plain
            self.c_reach[rows], self.c_star[rows] = c_reach, c_star


def asia_impairment_scale(
    levels: tuple[Result, Result, Result, Result],
    nli: Result,
    complete: Result,
    sensation: NDArray[np.intp],
    vac: NDArray[np.intp],
    motor: tuple[NDArray[np.intp], NDArray[np.intp]],
    non_key: tuple[NDArray[np.intp], NDArray[np.intp]],
) -> Result:
    """The possible AIS grades of N exams.

    Parameters
    ----------
    levels : tuple
        Right and left sensory levels, then right and left motor levels, each as (reached,
        starred) ndarrays of uint32, shape (N,).
    nli : (reached, starred) ndarrays of uint32, shape (N,)
        The NLIs as the grading reads them.
    complete : (reached, starred) ndarrays of uint32, shape (N,)
        Completeness (C bit 0, I bit 1).
    sensation : ndarray of intp, shape (N,)
        Packed sacral sensation answers (:func:`.completeness.sacral_sensation`).
    vac : ndarray of intp, shape (N,)
    motor : pair of ndarray of intp, shape (10, N)
        Key muscle value codes, right then left.
    non_key : pair of ndarray of intp, shape (N,)
        Level index of each side's lowest non-key muscle with motor function, -1 for none.

    Returns
    -------
    reached, starred : ndarray of uint32, shape (N,)
        Bitmasks over A..E (bits 0..4).
    """
    right_sensory, left_sensory, right_motor, left_motor = levels
    intact = np.uint32(1 << INT_BIT)
    reach = complete[0] & A  # A where complete (C, bit 0) is possible, with its star
    starred = complete[1] & A
    all_intact = (right_sensory[0] & left_sensory[0] & right_motor[0] & left_motor[0]) & intact
    any_star = (right_sensory[1] | left_sensory[1] | right_motor[1] | left_motor[1]) & intact
    reach |= (all_intact != 0) * E
    starred |= ((all_intact & any_star) != 0) * E
    sensed = sensation // 3
    # No VAC, sacral sensation: B, or C/D by motor function more than three levels below.
    route = (vac != YES) & (sensed > 0)
    right = _side_can_be(motor[0], right_motor[0] * route, non_key[0])
    left = _side_can_be(motor[1], left_motor[0] * route, non_key[1])
    rt, rtp, rf, rfp = ((right & bit) != 0 for bit in (_T, _T_PLAIN, _F, _F_PLAIN))
    lt, ltp, lf, lfp = ((left & bit) != 0 for bit in (_T, _T_PLAIN, _F, _F_PLAIN))
    b = route & rf & lf
    reach |= b * B
    starred |= (b & ((sensed == 2) | (rf & ~rfp) | (lf & ~lfp))) * B
    grades = _Grades(motor, nli)
    grades.grade_by_strength(
        [
            # VAC present: motor incomplete (a binary finding carries no star).
            (vac != NO, np.zeros(vac.shape, np.bool_), True),
            (route & (rt | lt), (~rt | ~rtp) & (~lt | ~ltp), False),
        ]
    )
    reach |= grades.c_reach * C | grades.d_reach * D
    starred |= (grades.c_reach & grades.c_star) * C | (grades.d_reach & ~grades.d_plain) * D
    return reach, starred
