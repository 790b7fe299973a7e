"""The AIS grade and the motor ZPPs of determined exams, by the textbook definitions, on bitmasks
(ISNCSCI 2019; the same definitions as the scalar :mod:`..determined` and the test suite's
enumeration oracle).

Used for the readings of :mod:`.readings`: the exams whose grades or motor ZPPs must be decided
reading by reading have their readings laid out as determined exams, and only these two results
of each reading are needed. A reading is held as a few words of bits (:class:`Readings`), the
answers the two results ask of each value, so that every definition is a handful of bitwise
operations over all readings at once rather than a walk segment by segment: this path stays a
small share of the batch engine's time (issue 18: ``make bench``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
from numpy.typing import NDArray

from .codes import MUSCLE_AT, MUSCLE_LEVEL, N_LEVELS, N_MOTOR, N_SENSORY, NA_BIT

U32 = NDArray[np.uint32]
_INT = N_LEVELS  # the index of INT among the levels, as in the bitmasks
_S45 = N_SENSORY - 1  # the dermatome S4-5; as a level index, S3
A, B, C, D, E = range(5)

# --- the layout of a reading's words -----------------------------------------------------------
#: Rows of :attr:`Readings.words`: per side (right, left) the dermatomes that are normal (bit
#: ``d`` for dermatome ``d``, C2..S4-5) and whether S4-5 light touch or pin prick is felt
#: (:data:`FELT_BIT`), then per side the key muscles (bit ``k``: graded 1 or more; ``10 + k``: 3
#: or more; ``20 + k``: 5), then VAC and DAP.
NORMAL, MUSCLES, OTHER = 0, 2, 4
FELT_BIT: Final = N_SENSORY + 1
PRESENT, ANTIGRAVITY, FULL = 0, N_MOTOR, 2 * N_MOTOR  # bit offsets of a muscle word
VAC_BIT, DAP_BIT = 0, 1  # bits of the OTHER word: present (Yes)

_ONE = np.uint32(1)
_MUSCLE_MASK = np.uint32((1 << N_MOTOR) - 1)
_DERMATOME_MASK = np.uint32((1 << N_SENSORY) - 1)
#: Dermatome bits of the segments that carry no key muscle, and bit 28 past S4-5: a walk that
#: passes every dermatome stops there (INT).
_NO_MUSCLE = np.uint32(
    sum(1 << d for d in range(N_SENSORY) if d not in MUSCLE_AT) | (1 << N_SENSORY)
)
# Key muscles 0-4 lie at dermatomes C5..T1 and 5-9 at L2..S1, each run consecutive: a muscle
# bitmask is moved onto the dermatome bits by two shifts.
_RUNS = sorted(MUSCLE_AT)
_UPPER_AT, _LOWER_AT = np.uint32(_RUNS[0]), np.uint32(_RUNS[5])
assert [*range(_RUNS[0], _RUNS[0] + 5), *range(_RUNS[5], _RUNS[5] + 5)] == _RUNS
#: Per level (and INT), the key muscles below it; and those more than three levels below it.
_BELOW = np.array(
    [sum(1 << k for k, m in enumerate(MUSCLE_LEVEL) if m > level) for level in range(_INT + 1)],
    dtype=np.uint32,
)
_FAR_BELOW = np.array(
    [
        sum(1 << k for k, m in enumerate(MUSCLE_LEVEL) if m > level + 3) if level < _INT else 0
        for level in range(_INT + 1)
    ],
    dtype=np.uint32,
)
#: Per set of key muscles, the level of the most caudal one (-1 for none).
_MOST_CAUDAL = np.array(
    [MUSCLE_LEVEL[m.bit_length() - 1] if m else -1 for m in range(1 << N_MOTOR)], dtype=np.intp
)


@dataclass(frozen=True)
class Readings:
    """R determined readings, as the grade and the motor ZPP read them.

    Attributes
    ----------
    words : ndarray of uint32, shape (5, R)
        Rows :data:`NORMAL` + side, :data:`MUSCLES` + side and :data:`OTHER` (module docstring).
    non_key : ndarray of intp, shape (2, R)
        ``RESULT_LEVELS`` index of each side's lowest non-key muscle with motor function, or -1.
    """

    words: U32
    non_key: NDArray[np.intp]

    def __len__(self) -> int:
        return int(self.words.shape[1])


def _spread(muscles: U32) -> U32:
    """A key muscle bitmask moved onto the bits of the muscles' dermatomes."""
    out: U32 = ((muscles & np.uint32(0x1F)) << _UPPER_AT) | ((muscles >> np.uint32(5)) << _LOWER_AT)
    return out


def _lowest_bit(x: U32) -> U32:
    out: U32 = x & (~x + _ONE)
    return out


def _index(bit: U32) -> NDArray[np.intp]:
    """The index of a single set bit."""
    out: NDArray[np.intp] = np.bitwise_count(bit - _ONE).astype(np.intp)
    return out


def grades_and_motor_zpps(readings: Readings) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """The AIS grade (A..E as 0..4) and each side's motor ZPP bit (a level index, or
    :data:`~.codes.NA_BIT`) of every reading.

    Returns
    -------
    grade : ndarray of intp, shape (R,)
    motor_zpp : ndarray of intp, shape (2, R)
    """
    words = readings.words
    normal, muscles, other = words[NORMAL : NORMAL + 2], words[MUSCLES : MUSCLES + 2], words[OTHER]
    vac = (other & _ONE) != 0
    present = muscles & _MUSCLE_MASK
    antigravity = (muscles >> np.uint32(ANTIGRAVITY)) & _MUSCLE_MASK
    weak = ~(muscles >> np.uint32(FULL)) & _MUSCLE_MASK  # graded below 5
    # Sensory level: the level above the first dermatome that is not normal (dermatome d is
    # level d + 1), INT when every one is (the bit past S4-5).
    first_abnormal = _lowest_bit((~normal & _DERMATOME_MASK) | np.uint32(1 << N_SENSORY))
    sensory = _index(first_abnormal)
    # Motor level with VAC present (ISNCSCI 2019): walking down, a key muscle graded 5 goes on,
    # 3-4 is the level, 0-2 puts it one above; a segment without a key muscle goes on while every
    # dermatome so far is normal, else the level is the one above. The walk stops at the first
    # of these stops: the lowest bit of their union.
    stop = _lowest_bit((_NO_MUSCLE & (~first_abnormal + _ONE)) | _spread(weak))
    motor_nli = _index(stop) + ((stop & _spread(antigravity)) != 0)
    # VAC does not enter the NLI: its motor levels are those with VAC present. Without VAC the
    # walk stops at S4-5 instead of reaching INT (the level is S3); nothing else differs.
    motor_level = motor_nli - ((motor_nli == _INT) & ~vac)
    nli = np.minimum(sensory.min(axis=0), motor_nli.min(axis=0))
    felt = (normal[0] | normal[1]) & np.uint32(1 << FELT_BIT)
    spared = (other != 0) | (felt != 0)  # VAC, DAP, or S4-5 felt on either side
    # Motor function more than three levels below the motor level: a key muscle graded above 0,
    # or the lowest non-key muscle with motor function (never below INT).
    function_below = (present & _FAR_BELOW.take(motor_level)) != 0
    function_below |= (readings.non_key > motor_level + 3) & (motor_level != _INT)
    incomplete = vac | function_below[0] | function_below[1]
    below = _BELOW.take(nli)
    total = 2 * np.bitwise_count(below)
    strong = np.bitwise_count(antigravity[0] & below) + np.bitwise_count(antigravity[1] & below)
    grade = np.where(
        spared, np.where(incomplete, np.where(2 * strong >= total, D, C), B), A
    ).astype(np.intp)
    intact = (sensory == _INT).all(axis=0) & (motor_level == _INT).all(axis=0)
    grade[intact] = E
    # Motor ZPP: the most caudal key muscle with function below the motor level, else the motor
    # level; where the grade is C, the lowest non-key muscle more than three levels below that
    # (as the published reference reads ISNCSCI 2019, case 66); NA with VAC.
    zpp = np.maximum(_MOST_CAUDAL.take(present & _BELOW.take(motor_level)), motor_level)
    non_key = readings.non_key
    zpp = np.where((grade == C) & (non_key > zpp + 3), non_key, zpp)
    zpp[:, vac] = NA_BIT
    return grade, zpp
