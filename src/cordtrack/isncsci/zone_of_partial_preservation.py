"""Zones of partial preservation (ZPP): the most caudal segments with some sensory or motor
function below the sensory or motor level, on each side (ISNCSCI 2019, section "Zone of partial
preservation").

Since the 2019 revision a ZPP is recorded on a side when the corresponding sacral function is
absent,
whatever the AIS: the sensory ZPP when there is no S4-5 sensation on that side and no DAP, the motor
ZPP when there is no VAC. Otherwise it is ``NA``. Each search walks up from the sacral end and stops
at the first segment with function present; if none is found below the level, the ZPP is the level.
"""

from __future__ import annotations

from typing import Final

from .cells import (
    MOTOR_PRESENT_ZPP,
    SENSATION_PRESENT_PAIR,
    SENSATION_PRESENT_ZPP,
    Answers,
    either,
)
from .completeness import BINARY_PRESENT
from .exam import Exam, SideExam
from .explanation import Step, Trace, level_name, record
from .possible import Collector, Emission, Stepped, advance
from .result import Possible
from .types import (
    KEY_MUSCLE_LEVELS,
    NOT_APPLICABLE,
    RESULT_LEVELS,
    SENSORY_LEVELS,
)

ORDER = (NOT_APPLICABLE, *RESULT_LEVELS)
_S45 = len(SENSORY_LEVELS) - 1
_LEVEL_INDEX = {level: i for i, level in enumerate(RESULT_LEVELS)}
_MUSCLE_AT_LEVEL = {RESULT_LEVELS.index(m): k for k, m in enumerate(KEY_MUSCLE_LEVELS)}


def presence_step(starred: bool, answers: Answers) -> Stepped[bool]:
    """One segment of a ZPP walk up from the sacral end, from a walk still going (``starred``:
    whether the segments passed rest on a judgement): function present there finds the segment
    itself (offset 1), function absent walks on up. Both ZPP walks, scalar and batch, take this
    step."""
    moving: list[bool] = []
    found: list[Emission] = []
    for present, star in answers:
        if present:
            found.append((0, 1, starred or star))
        else:
            moving.append(starred or star)
    return moving, found


#: A walk starts at S3 on no judgement.
START: Final = False


def sensory_zpp(exam: Exam, side: SideExam, result: str, trace: Trace = None) -> Possible:
    found: Collector[str] = Collector()
    sacral = either(
        BINARY_PRESENT[exam.dap],
        either(
            SENSATION_PRESENT_ZPP[side.touch[_S45].raw], SENSATION_PRESENT_ZPP[side.prick[_S45].raw]
        ),
    )
    outcomes = {present for present, _ in sacral}
    if True in outcomes:
        found.add(NOT_APPLICABLE, False)
        record(
            trace,
            result,
            "S4_5",
            "zpp-not-applicable",
            "Sensation at S4-5 on this side or deep anal pressure may be present: "
            "a sensory ZPP does not apply.",
        )
    if False in outcomes:
        walking = frozenset({START})
        for i in range(_S45 - 1, -1, -1):
            answers = SENSATION_PRESENT_PAIR[side.touch[i].raw, side.prick[i].raw]
            segment = SENSORY_LEVELS[i]
            walking = advance(presence_step, walking, answers, (found,), (segment, segment))
            if trace is not None:
                _explain_sensory(trace, result, segment, answers)
            if not walking:
                break
        else:
            for flag in walking:
                found.add(RESULT_LEVELS[0], flag)
    return found.possible(ORDER)


def motor_zpp(
    exam: Exam,
    side: SideExam,
    motor_levels: Possible,
    non_key_counts: bool,
    result: str,
    trace: Trace = None,
    *,
    non_key_certain: bool = True,
) -> Possible:
    """``non_key_counts``: whether the lowest non-key muscle with motor function may count as motor
    function in this search. Where it does, it replaces a ZPP found from key muscles when it lies
    more than three levels below it (the published reference's reading; see case 66).
    ``non_key_certain``: whether it counts in every reading of the exam; where it does not, the ZPP
    found from key muscles stays possible beside it (so that resolving a not-testable value never
    yields a ZPP outside the undetermined exam's set, where the reference would)."""
    found: Collector[str] = Collector()
    vac = {present for present, _ in BINARY_PRESENT[exam.vac]}
    if True in vac:
        found.add(NOT_APPLICABLE, False)
        record(
            trace,
            result,
            None,
            "zpp-not-applicable",
            "Voluntary anal contraction may be present: a motor ZPP does not apply.",
        )
    if False not in vac:
        return found.possible(ORDER)
    levels = {v: s for v, s in motor_levels.values if v in _LEVEL_INDEX}
    if not levels:
        return found.possible(ORDER)
    top = min(_LEVEL_INDEX[v] for v in levels)
    walking = frozenset({START})
    for j in range(len(RESULT_LEVELS) - 1, top - 1, -1):
        level = RESULT_LEVELS[j]
        if level in levels:
            for flag in walking:
                found.add(level, flag or levels[level])
            record(
                trace,
                result,
                level,
                "zpp-motor-level",
                f"{level_name(level)} is a possible motor level with no motor function found "
                f"below it: the motor ZPP is {level_name(level)}.",
            )
        muscle = _MUSCLE_AT_LEVEL.get(j)
        answers: Answers
        if muscle is not None:
            answers = MOTOR_PRESENT_ZPP[side.motor[muscle].raw]
        else:
            answers = ((False, False),)
        walking = advance(presence_step, walking, answers, (found,), (level, level))
        if trace is not None and muscle is not None:
            _explain_motor(trace, result, level, answers, False)
        if not walking:
            break
    non_key = side.lowest_non_key_muscle
    if non_key_counts and non_key is not None:
        below = _LEVEL_INDEX[non_key]
        for level in [v for v in found.found if v != NOT_APPLICABLE]:
            if below > _LEVEL_INDEX[level] + 3:
                if non_key_certain:
                    del found.found[level]
                found.add(non_key, False)
                if trace is not None:
                    _explain_motor(trace, result, non_key, ((True, False),), True)
    return found.possible(ORDER)


def _explain_sensory(trace: list[Step], result: str, segment: str, answers: Answers) -> None:
    outcomes = {p for p, _ in answers}
    name = level_name(segment)
    if outcomes == {True}:
        rule = "zpp-sensory-present"
        text = f"{name} has some sensation: it is the most caudal such dermatome, the sensory ZPP."
    elif outcomes == {False}:
        rule = "zpp-sensory-absent"
        text = f"{name} has no sensation; look one dermatome higher."
    else:
        rule = "zpp-sensory-undetermined"
        text = (
            f"{name} may or may not have sensation: both {name} and higher dermatomes are possible."
        )
    record(trace, result, segment, rule, text)


def _explain_motor(
    trace: list[Step], result: str, level: str, answers: Answers, non_key: bool
) -> None:
    outcomes = {p for p, _ in answers}
    what = "the lowest non-key muscle with motor function" if non_key else f"key muscle {level}"
    if outcomes == {True}:
        rule = "zpp-motor-present"
        text = f"{level}: {what} has motor function: it is the motor ZPP."
    elif outcomes == {False}:
        rule = "zpp-motor-absent"
        text = f"{level}: {what} has no motor function; look one segment higher."
    else:
        rule = "zpp-motor-undetermined"
        text = f"{level}: {what} may or may not have motor function: both outcomes are kept."
    record(trace, result, level, rule, text)
