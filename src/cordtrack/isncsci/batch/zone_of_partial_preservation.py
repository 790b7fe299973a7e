"""Zones of partial preservation of N exams (ISNCSCI 2019, "Zone of partial preservation"; scalar:
:mod:`..zone_of_partial_preservation`).

Both searches walk up from the sacral end with the star flags of the searches still walking, as
automata over packed "is function present?" answers (:mod:`.codes`). The motor search's input at a
level also says whether that level is a possible motor level (and starred), or lies above the
highest one (the walk has ended). The non-key muscle replacement is applied after the walk.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable

import numpy as np
from numpy.typing import NDArray

from ..cells import Answers
from .automaton import Automaton, Emission, Kind, split
from .codes import (
    BINARY,
    EITHER,
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

Result = tuple[NDArray[np.uint32], NDArray[np.uint32]]
_PRESENT = tuple(unpack(code) for code in range(9))
_START = frozenset({False})
_S45 = N_SENSORY - 1
_NA = np.uint32(1 << NA_BIT)


def _walk(flag: bool, answers: Answers) -> tuple[Iterable[Hashable], Iterable[Emission]]:
    moving: list[bool] = []
    found: list[Emission] = []
    for present, star in answers:
        if present:
            found.append((0, 0, flag or star))
        else:
            moving.append(flag or star)
    return moving, found


_SENSORY = Automaton({"dermatome": Kind(_walk, _PRESENT)}, [_START], 1, lambda flag: [(0, flag)])
# Walk S3 up to C2 (dermatome i is level i + 1); walking past C2 gives C1 (bit 0).
_SENSORY_PROGRAM = _SENSORY.program(
    [("dermatome", ((i + 1, i + 1),)) for i in range(_S45 - 1, -1, -1)], [0]
)


def sensory_zpp(sensation: NDArray[np.intp], dap: NDArray[np.intp]) -> Result:
    """The possible sensory ZPPs of one side of N exams.

    Parameters
    ----------
    sensation : ndarray of intp, shape (28, N)
        Packed answers to "is there sensation (LT or PP)?" of each dermatome of the side.
    dap : ndarray of intp, shape (N,)
        DAP codes (Yes, No, NT).

    Returns
    -------
    reached, starred : ndarray of uint32, shape (N,)
        Bitmasks over C1..S3 (bits 0..28) and NA (bit 30).
    """
    sacral = EITHER.take(BINARY.take(dap) * 9 + sensation[_S45])
    present, absent = np.divmod(sacral, 3)
    start = np.where(absent > 0, _SENSORY.set_id(_START), 0)
    inputs = sensation[_S45 - 1 :: -1]
    reach, starred = split(_SENSORY_PROGRAM.run(inputs, start)[0])
    reach |= np.where(present > 0, _NA, np.uint32(0))
    return reach, starred


# Motor: the walk up from S3 changes its state only at key muscles (elsewhere no function is
# found, the flags carry on). So the automaton walks the 10 key muscles; a muscle above the highest
# possible motor level ends the walk. A possible motor level found on the way is
# added with the flags of the walk as it reaches that level (those before the next muscle up).


def _motor_walk(
    flag: bool, value: tuple[bool, Answers]
) -> tuple[Iterable[Hashable], Iterable[Emission]]:
    ended, answers = value
    return ((), ()) if ended else _walk(flag, answers)


_MOTOR = Automaton(
    {"muscle": Kind(_motor_walk, tuple((e, a) for e in (False, True) for a in _PRESENT))},
    [_START],
    1,
    lambda flag: [],
)
_WALK = tuple(range(N_MOTOR - 1, -1, -1))  # S1 up to C5
_MOTOR_PROGRAM = _MOTOR.program(
    [("muscle", ((MUSCLE_LEVEL[k], MUSCLE_LEVEL[k]),)) for k in _WALK], [0], fuse=False
)
#: Per step of the walk, the levels it reaches before that muscle's function is read (from the
#: level below the previous muscle up to the muscle's own level); then the levels above C5.
_UPPER = (*MUSCLE_LEVEL[1:], N_LEVELS)  # per muscle, the level of the muscle below it (or past S3)
_GAPS = (
    *(sum(1 << j for j in range(MUSCLE_LEVEL[k], _UPPER[k])) for k in _WALK),
    (1 << MUSCLE_LEVEL[0]) - 1,
)
#: Per step, the gap's levels as reached and reached-unstarred bits.
_GAP_MASKS = np.array([g | g << 32 for g in _GAPS], dtype=np.uint64)[:, None]
_WALK_LEVELS = np.array([MUSCLE_LEVEL[k] for k in _WALK], dtype=np.intp)[:, None]
_LOW, _HIGH = 0xFFFFFFFF, 0xFFFFFFFF << 32
#: Per state set, which found levels it passes on: reached if the walk goes on, unstarred too if
#: it goes on without a judgement.
_ADDS = np.array(
    [(_LOW if s else 0) | (_HIGH if False in s else 0) for s in _MOTOR.sets], dtype=np.uint64
)


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
    # Possible levels as reached bits, and the unstarred ones as reached-unstarred bits.
    found = levels.astype(np.uint64) | ((levels & ~for_zpp[1]).astype(np.uint64) << np.uint64(32))
    # The walk ends above the highest possible motor level (the lowest set bit).
    highest = np.frexp((levels & (~levels + np.uint32(1))).astype(np.float64))[1] - 1
    # Only exams without VAC for sure and with a possible motor level walk (the others are NA).
    rows = np.flatnonzero((vac != YES) & (levels != 0))
    found, highest = found.take(rows), highest.take(rows)
    # Per key muscle (walk order) and exam: its present answers, or "ended" (input + 9) above the
    # highest possible motor level.
    codes = MOTOR_ZPP.take(motor[::-1].take(rows, axis=1))  # _WALK: S1 up to C5
    codes += (highest[None, :] > _WALK_LEVELS) * len(_PRESENT)
    # The state set before each muscle, and after the last: the possible levels between muscles
    # are added afterwards with the flags of the walk that reached them.
    sets = np.empty((N_MOTOR + 1, rows.size), dtype=np.intp)
    sets[0] = _MOTOR.set_id(_START)
    walked = [np.zeros(rows.shape, dtype=np.uint64)]
    for step in range(N_MOTOR):
        sets[step + 1] = _MOTOR_PROGRAM.advance(step, [codes[step]], sets[step], walked)
    between = _ADDS.take(sets) & _GAP_MASKS
    between &= found
    walked[0] |= np.bitwise_or.reduce(between, axis=0)
    acc = np.zeros(levels.shape, dtype=np.uint64)
    acc[rows] = walked[0]
    reach, starred = split(acc)
    reach |= np.where(vac != NO, _NA, np.uint32(0))
    # The lowest non-key muscle replaces a ZPP more than three levels above it (published case 66).
    bad = reach & below_non_key(non_key)
    replace = non_key_counts & (bad != 0)
    drop = np.where(replace & non_key_certain, bad, np.uint32(0))
    reach &= ~drop
    starred &= ~drop
    add = np.where(replace, np.uint32(1) << np.maximum(non_key, 0).astype(np.uint32), 0)
    reach |= add
    starred &= ~add
    return reach, starred
