"""Classification of a fully determined exam: no not-testable value, no star, VAC and DAP known.

Most exams are like this. Every result then has exactly one value, and the ISNCSCI 2019 rules read
as the textbook states them; this module is that reading, kept short and fast. Exams with NT or
starred values go through the search modules, which follow every possible reading; a property test
holds the two to the same answers on determined exams.
"""

from __future__ import annotations

from .exam import Exam, SideExam
from .result import Classification, Possible
from .totals import totals
from .types import (
    INTACT,
    KEY_MUSCLE_LEVELS,
    NOT_APPLICABLE,
    RESULT_LEVELS,
    SENSORY_LEVELS,
    Binary,
)

_S45 = len(SENSORY_LEVELS) - 1
_MUSCLE_AT = {SENSORY_LEVELS.index(m): k for k, m in enumerate(KEY_MUSCLE_LEVELS)}
_MUSCLE_INDEX = tuple(RESULT_LEVELS.index(m) for m in KEY_MUSCLE_LEVELS)
_LEVEL_INDEX = {level: i for i, level in enumerate(RESULT_LEVELS)}
_LEVEL_INDEX[INTACT] = len(RESULT_LEVELS)
_ONE = {v: Possible(((v, False),)) for v in (*RESULT_LEVELS, INTACT, NOT_APPLICABLE, *"ABCDEI")}


def _scores(side: SideExam) -> tuple[list[int], list[int], list[int]]:
    # A determined exam has a score in every cell (``score or 0`` only satisfies the type checker).
    return (
        [c.score or 0 for c in side.touch],
        [c.score or 0 for c in side.prick],
        [c.score or 0 for c in side.motor],
    )


def _sensory_level(touch: list[int], prick: list[int]) -> str:
    """The level above the first dermatome not normal (2 for light touch and pin prick)."""
    for i in range(len(SENSORY_LEVELS)):
        if touch[i] != 2 or prick[i] != 2:
            return RESULT_LEVELS[i]
    return INTACT


def _motor_level(touch: list[int], prick: list[int], motor: list[int], vac: bool) -> str:
    """Key muscles decide where they exist (5 moves on, 3-4 stops here, 0-2 stops above);
    elsewhere the level follows sensation, and S4-5 needs VAC."""
    sensory_ok = True
    for i in range(len(SENSORY_LEVELS)):
        normal = touch[i] == 2 and prick[i] == 2
        k = _MUSCLE_AT.get(i)
        if k is not None:
            grade = motor[k]
            if grade < 3:
                return RESULT_LEVELS[i]
            if grade < 5:
                return SENSORY_LEVELS[i]
            sensory_ok = sensory_ok and normal
        elif not (sensory_ok and normal and (i != _S45 or vac)):
            return RESULT_LEVELS[i]
    return INTACT


def _neurological_level(r: tuple[list[int], ...], l: tuple[list[int], ...]) -> str:  # noqa: E741
    for i in range(len(SENSORY_LEVELS)):
        k = _MUSCLE_AT.get(i)
        weakest = 5 if k is None else min(r[2][k], l[2][k])
        if weakest < 3:
            return RESULT_LEVELS[i]
        if r[0][i] != 2 or r[1][i] != 2 or l[0][i] != 2 or l[1][i] != 2:
            return RESULT_LEVELS[i]
        if weakest < 5:
            return SENSORY_LEVELS[i]
    return INTACT


def _function_below(motor: list[int], level: str, non_key: str | None) -> bool:
    """Motor function more than three levels below ``level`` (the non-key muscle counts)."""
    floor = _LEVEL_INDEX[level] + 3
    if non_key is not None and _LEVEL_INDEX[non_key] > floor:
        return True
    return any(motor[k] > 0 for k, index in enumerate(_MUSCLE_INDEX) if index > floor)


def _sensory_zpp(touch: list[int], prick: list[int]) -> str:
    for i in range(_S45 - 1, -1, -1):
        if touch[i] > 0 or prick[i] > 0:
            return SENSORY_LEVELS[i]
    return RESULT_LEVELS[0]


def _motor_zpp(motor: list[int], level: str, non_key: str | None, grade: str) -> str:
    top = _LEVEL_INDEX[level]
    zpp = level
    for k in range(len(KEY_MUSCLE_LEVELS) - 1, -1, -1):
        if _MUSCLE_INDEX[k] > top and motor[k] > 0:
            zpp = KEY_MUSCLE_LEVELS[k]
            break
    # As the published reference reads ISNCSCI 2019 (see zone_of_partial_preservation).
    if grade == "C" and non_key is not None and _LEVEL_INDEX[non_key] > _LEVEL_INDEX[zpp] + 3:
        return non_key
    return zpp


def classify_determined(exam: Exam) -> Classification:
    """Classify an exam for which :func:`is_determined` holds."""
    r, l = _scores(exam.right), _scores(exam.left)  # noqa: E741
    vac, dap = exam.vac is Binary.YES, exam.dap is Binary.YES
    levels = (
        _sensory_level(r[0], r[1]),
        _sensory_level(l[0], l[1]),
        _motor_level(*r, vac),
        _motor_level(*l, vac),
    )
    nli = _neurological_level(r, l)
    right_sacral = r[0][_S45] > 0 or r[1][_S45] > 0
    left_sacral = l[0][_S45] > 0 or l[1][_S45] > 0
    incomplete = vac or dap or right_sacral or left_sacral
    right_nk, left_nk = exam.right.lowest_non_key_muscle, exam.left.lowest_non_key_muscle
    if all(v == INTACT for v in levels):
        grade = "E"
    elif not incomplete:
        grade = "A"
    elif not vac and not (
        _function_below(r[2], levels[2], right_nk) or _function_below(l[2], levels[3], left_nk)
    ):
        grade = "B"
    else:
        below = [r[2][k] for k, i in enumerate(_MUSCLE_INDEX) if i > _LEVEL_INDEX[nli]]
        below += [l[2][k] for k, i in enumerate(_MUSCLE_INDEX) if i > _LEVEL_INDEX[nli]]
        grade = "D" if 2 * sum(g >= 3 for g in below) >= len(below) else "C"
    return Classification(
        right_sensory=_ONE[levels[0]],
        left_sensory=_ONE[levels[1]],
        right_motor=_ONE[levels[2]],
        left_motor=_ONE[levels[3]],
        neurological_level=_ONE[nli],
        right_sensory_zpp=_ONE[NOT_APPLICABLE if dap or right_sacral else _sensory_zpp(r[0], r[1])],
        left_sensory_zpp=_ONE[NOT_APPLICABLE if dap or left_sacral else _sensory_zpp(l[0], l[1])],
        right_motor_zpp=_ONE[
            NOT_APPLICABLE if vac else _motor_zpp(r[2], levels[2], right_nk, grade)
        ],
        left_motor_zpp=_ONE[NOT_APPLICABLE if vac else _motor_zpp(l[2], levels[3], left_nk, grade)],
        ais=_ONE[grade],
        completeness=_ONE["I" if incomplete else "C"],
        totals=totals(exam),
    )
