"""Zones of partial preservation of N exams (ISNCSCI 2019, "Zone of partial preservation"; scalar:
:mod:`..zone_of_partial_preservation`).

Both searches walk up from the sacral end with the star flags of the searches still walking, as
automata over packed "is function present?" answers (:mod:`.codes`) tabulating the scalar walks'
own step (:func:`..zone_of_partial_preservation.presence_step`). The motor search's input at a
level also says whether that level is a possible motor level (and starred), or lies above the
highest one (the walk has ended). The non-key muscle replacement is applied after the walk.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ..cells import Answers
from ..possible import Emission, Stepped
from ..zone_of_partial_preservation import START, presence_step
from .automaton import Automaton, Kind, Program, split
from .codes import (
    BINARY,
    EITHER_ABSENT,
    EITHER_PRESENT,
    LEVEL_BITS,
    MOTOR_ZPP,
    MUSCLE_LEVEL,
    N_LEVELS,
    N_MOTOR,
    N_SENSORY,
    NA_BIT,
    NO,
    YES,
    unpack,
)
from .tables import cached

Result = tuple[NDArray[np.uint32], NDArray[np.uint32]]
_PRESENT = tuple(unpack(code) for code in range(9))
_START = frozenset({START})
_S45 = N_SENSORY - 1
_NA = np.uint32(1 << NA_BIT)


def _build_sensory() -> tuple[Automaton, Program]:
    automaton = Automaton(
        {"dermatome": Kind(presence_step, _PRESENT)}, [_START], 1, lambda flag: [(0, flag)]
    )
    # Walk S3 up to C2 (dermatome i is level i + 1); walking past C2 gives C1 (bit 0).
    return automaton, automaton.program(
        [("dermatome", ((i + 1, i + 1),)) for i in range(_S45 - 1, -1, -1)], [0]
    )


_SENSORY, _SENSORY_PROGRAM = cached("sensory_zpp", _build_sensory)


def sensory_zpp(sensation: NDArray[np.uint8], dap: NDArray[np.intp]) -> Result:
    """The possible sensory ZPPs of one side of N exams.

    Parameters
    ----------
    sensation : ndarray of uint8, shape (28, N)
        Packed answers to "is there sensation (LT or PP)?" of each dermatome of the side, from
        S4-5 up to C2.
    dap : ndarray of intp, shape (N,)
        DAP codes (Yes, No, NT).

    Returns
    -------
    reached, starred : ndarray of uint32, shape (N,)
        Bitmasks over C1..S3 (bits 0..28) and NA (bit 30).
    """
    either = BINARY.take(dap) * 9 + sensation[0]
    present, absent = EITHER_PRESENT.take(either), EITHER_ABSENT.take(either)
    # A product with a mask rather than np.where: several times faster on mixed masks.
    start = (absent > 0) * np.uint8(_SENSORY.set_id(_START))
    inputs = sensation[1:]  # S3 up to C2
    reach, starred = split(_SENSORY_PROGRAM.run(inputs, start)[0])
    reach |= (present > 0) * _NA
    return reach, starred


# Motor: the walk up from S3 changes its state only at key muscles (elsewhere no function is
# found, the flags carry on). So the automaton walks the 10 key muscles; a muscle above the highest
# possible motor level ends the walk. A possible motor level found on the way is added with the
# flags of the walk as it reaches that level (those before the next muscle up): a second output
# records, per step of the walk, that the walk reached it (bit = step) and whether without a
# judgement, and the levels of those steps' gaps are looked up after the walk.


def _motor_walk(flag: bool, value: tuple[bool, Answers]) -> Stepped[bool]:
    """The scalar walk's step at a key muscle, and a second output: the walk reached it."""
    ended, answers = value
    reached: list[Emission] = [(1, 0, flag)]  # the gap below this muscle, whatever its value
    if ended:
        return (), reached
    moving, found = presence_step(flag, answers)
    return moving, [*found, *reached]


_WALK = tuple(range(N_MOTOR - 1, -1, -1))  # S1 up to C5
_MOTOR_ZPP = MOTOR_ZPP.astype(np.uint8)  # the automata read uint8 inputs


def _build_motor() -> tuple[Automaton, Program]:
    automaton = Automaton(
        {"muscle": Kind(_motor_walk, tuple((e, a) for e in (False, True) for a in _PRESENT))},
        [_START],
        2,
        lambda flag: [(1, flag)],
    )
    return automaton, automaton.program(
        [
            ("muscle", ((MUSCLE_LEVEL[k], MUSCLE_LEVEL[k]), (step, step)))
            for step, k in enumerate(_WALK)
        ],
        [0, N_MOTOR],
    )


_MOTOR, _MOTOR_PROGRAM = cached("motor_zpp", _build_motor)
#: Per step of the walk, the levels it reaches before that muscle's function is read (from the
#: level below the previous muscle up to the muscle's own level); then the levels above C5.
_UPPER = (*MUSCLE_LEVEL[1:], N_LEVELS)  # per muscle, the level of the muscle below it (or past S3)
_GAPS = (
    *(sum(1 << j for j in range(MUSCLE_LEVEL[k], _UPPER[k])) for k in _WALK),
    (1 << MUSCLE_LEVEL[0]) - 1,
)
#: The levels of the gaps of a set of steps (bit = step), for the reached and the
#: reached-unstarred bits.
_GAP_LEVELS = np.array(
    [sum(g for step, g in enumerate(_GAPS) if steps >> step & 1) for steps in range(1 << 11)],
    dtype=np.uint64,
)
_GAP_PLAIN = _GAP_LEVELS << np.uint64(32)
_WALK_LEVELS = np.array([MUSCLE_LEVEL[k] for k in _WALK], dtype=np.intp)[:, None]


def below_non_key(non_key: NDArray[np.intp]) -> NDArray[np.uint32]:
    """Bitmask of the levels more than three levels above each exam's lowest non-key muscle.

    Parameters
    ----------
    non_key : ndarray of intp, shape (N,)
        Level index of the lowest non-key muscle with motor function, -1 for none.

    Returns
    -------
    ndarray of uint32, shape (N,)
        Bits of the levels ``v`` with ``non_key > v + 3`` (none when there is no such muscle).
    """
    shift = np.maximum(non_key - 3, 0).astype(np.uint32)
    out: NDArray[np.uint32] = (np.uint32(1) << shift) - np.uint32(1)
    return out


def motor_zpp(
    motor: NDArray[np.intp],
    for_zpp: Result,
    vac: NDArray[np.intp],
    non_key: NDArray[np.intp],
    non_key_counts: NDArray[np.bool_],
    non_key_certain: NDArray[np.bool_],
) -> Result:
    """The possible motor ZPPs of one side of N exams.

    Parameters
    ----------
    motor : ndarray of intp, shape (10, N)
        Key muscle value codes of the side.
    for_zpp : (reached, starred) ndarrays of uint32, shape (N,)
        The side's motor levels as the ZPP reads them.
    vac : ndarray of intp, shape (N,)
        VAC codes.
    non_key : ndarray of intp, shape (N,)
        Level index of the lowest non-key muscle with motor function, -1 for none.
    non_key_counts, non_key_certain : ndarray of bool, shape (N,)
        Whether the non-key muscle may enter the ZPP, and whether it does in every reading.

    Returns
    -------
    reached, starred : ndarray of uint32, shape (N,)
        Bitmasks over C1..S3 (bits 0..28) and NA (bit 30).
    """
    levels = for_zpp[0] & np.uint32(LEVEL_BITS)
    # Only exams without VAC for sure and with a possible motor level walk (the others are NA).
    rows = np.flatnonzero((vac != YES) & (levels != 0))
    walking = levels.take(rows)
    # Possible levels as reached bits, and the unstarred ones as reached-unstarred bits.
    found = walking.astype(np.uint64)
    found |= (walking & ~for_zpp[1].take(rows)).astype(np.uint64) << np.uint64(32)
    # The walk ends above the highest possible motor level (the lowest set bit). A power of two
    # is exact in float32: its exponent field is the bit index plus 127.
    lowest = walking & (~walking + np.uint32(1))
    highest = (lowest.astype(np.float32).view(np.int32) >> 23) - 127
    # Per key muscle (walk order) and exam: its present answers, or "ended" (input + 9) above the
    # highest possible motor level.
    # _WALK order: S1 up to C5 (reversed after the take: take() copies a reversed input first).
    codes = _MOTOR_ZPP.take(motor.take(rows, axis=1))[::-1]
    codes += (highest[None, :] > _WALK_LEVELS) * np.uint8(len(_PRESENT))
    walked, steps = _MOTOR_PROGRAM.run(
        codes, _MOTOR_PROGRAM.start(_MOTOR.set_id(_START), rows.size)
    )
    # The possible levels between muscles, with the flags of the walk that reached them.
    steps = steps.astype(np.intp)
    walked |= found & (
        _GAP_LEVELS.take(steps & (_GAP_LEVELS.size - 1))
        | _GAP_PLAIN.take((steps >> 32) & (_GAP_LEVELS.size - 1))
    )
    acc = np.zeros(levels.shape, dtype=np.uint64)
    acc[rows] = walked
    reach, starred = split(acc)
    reach |= (vac != NO) * _NA
    # The lowest non-key muscle replaces a ZPP more than three levels above it (published case 66).
    bad = reach & below_non_key(non_key)
    replace = non_key_counts & (bad != 0)
    drop = (replace & non_key_certain) * bad
    reach &= ~drop
    starred &= ~drop
    add = replace * (np.uint32(1) << np.maximum(non_key, 0).astype(np.uint32))
    reach |= add
    starred &= ~add
    return reach, starred
