"""Motor level: the most caudal key muscle with grade 3 or more, every key muscle above it normal
(grade 5) (ISNCSCI 2019, section "Motor level").

Where no key muscle can be tested (C1-C4, T2-L1, S2-S5) the motor level is presumed to follow the
sensory level, provided the motor function above is normal. So the search walks down segment by
segment: at a key muscle, grade 5 moves on, grade 3-4 puts the level here and grade 0-2 puts it at
the segment above; in the other regions the level moves on only while every dermatome from C2 down
is normal. S4-5 motor function is voluntary anal contraction: the side is motor intact only with VAC
present. An undetermined value follows every continuation it allows.
"""

from __future__ import annotations

from .cells import ANTIGRAVITY, DERMATOME_NORMAL, MOTOR_GRADE, NORMAL, WEAK, Answers, Grade
from .exam import SideExam
from .explanation import Step, Trace, level_name, record
from .possible import Collector
from .result import Possible
from .types import INTACT, KEY_MUSCLE_LEVELS, RESULT_LEVELS, SENSORY_LEVELS, Binary

LEVEL_ORDER = (*RESULT_LEVELS, INTACT)
_MUSCLE_AT = {SENSORY_LEVELS.index(m): k for k, m in enumerate(KEY_MUSCLE_LEVELS)}
_LAST = len(SENSORY_LEVELS) - 1
VAC_ANSWERS: dict[Binary, Answers] = {
    Binary.YES: ((True, False),),
    Binary.NO: ((False, False),),
    Binary.NT: ((True, False), (False, False)),
}

# A search state: (every dermatome so far normal, that rests on a star, stars of the segments passed
# before the last one, star of passing the last one, star of reading the last one as antigravity).
State = tuple[bool, bool, bool, bool, bool]


def motor_level(
    side: SideExam, vac: Binary, result: str, trace: Trace = None
) -> tuple[Possible, Possible]:
    """The possible motor levels of one side, and the same levels starred as the motor ZPP reads
    them: by the judgements that placed the level, not by one that ended the search below it.

    A level found because the next segment fails is starred only if that level's own function
    needed a judgement (a ``0**`` muscle, a ``1**`` dermatome) or a segment above it did.
    """
    found: Collector[str] = Collector()
    for_zpp: Collector[str] = Collector()
    states: set[State] = {(True, False, False, False, False)}
    touch, prick, motor = side.touch, side.prick, side.motor
    for i, segment in enumerate(SENSORY_LEVELS):
        above = RESULT_LEVELS[i]
        dermatome = DERMATOME_NORMAL[touch[i].raw, prick[i].raw]
        muscle = _MUSCLE_AT.get(i)
        moving: set[State] = set()
        if muscle is not None:
            grades = MOTOR_GRADE[motor[muscle].raw]
            for sens_ok, sens_star, acc, last, last_ag in states:
                for grade, pass_star, ag_star in grades:
                    if grade == WEAK:
                        found.add(above, acc or last_ag)
                        for_zpp.add(above, acc or last_ag)
                    elif grade == ANTIGRAVITY:
                        found.add(segment, acc or last or pass_star)
                        for_zpp.add(segment, acc or last or pass_star)
                    else:
                        for normal, derm_star in dermatome:
                            ok = sens_ok and normal
                            moving.add(
                                (
                                    ok,
                                    ok and (sens_star or derm_star),
                                    acc or last,
                                    pass_star,
                                    ag_star,
                                )
                            )
            if trace is not None:
                _explain_muscle(trace, result, segment, motor[muscle].raw, grades, above)
        else:
            if i == _LAST:
                dermatome = with_vac(dermatome, vac)
            for sens_ok, sens_star, acc, last, last_ag in states:
                for normal, derm_star in dermatome:
                    if sens_ok and normal:
                        star = sens_star or derm_star
                        moving.add((True, star, acc or last, star, star))
                    else:
                        # A dermatome that stops the search on a judgement stars the level only
                        # where the motor level is the sensory level (no key muscle there).
                        fail_star = sens_ok and derm_star and above not in KEY_MUSCLE_LEVELS
                        found.add(above, acc or last_ag or fail_star)
                        for_zpp.add(above, acc or last_ag)
            if trace is not None:
                _explain_region(trace, result, segment, dermatome, above, i == _LAST)
        states = moving
        if not states:
            break
    else:
        for _, _, acc, last, _ in states:
            found.add(INTACT, acc or last)
            for_zpp.add(INTACT, acc or last)
    return found.possible(LEVEL_ORDER), for_zpp.possible(LEVEL_ORDER)


def with_vac(dermatome: Answers, vac: Binary) -> Answers:
    """S4-5 counts as motor-normal only with normal sensation and VAC present."""
    out: dict[bool, bool] = {}
    for normal, star in dermatome:
        for present, _ in VAC_ANSWERS[vac]:
            ok = normal and present
            # An absent VAC is a plain finding; a sensory answer keeps its own star.
            starred = star if (ok or not normal) else False
            out[ok] = out.get(ok, True) and starred
    return tuple(out.items())


def _explain_muscle(
    trace: list[Step], result: str, segment: str, raw: str, grades: tuple[Grade, ...], above: str
) -> None:
    kinds = {grade for grade, _, _ in grades}
    if kinds == {NORMAL}:
        rule = "key-muscle-normal"
        text = (
            f"{segment} key muscle grade {raw} counts as normal; the motor level is at least "
            f"{segment}."
        )
    elif kinds == {ANTIGRAVITY}:
        rule = "key-muscle-antigravity"
        text = (
            f"{segment} key muscle grade {raw} is 3 or more but not normal, and the muscles above "
            f"are normal: the motor level is {segment}."
        )
    elif kinds == {WEAK}:
        rule = "key-muscle-weak"
        text = (
            f"{segment} key muscle grade {raw} is below 3: the motor level is the segment above, "
            f"{level_name(above)}."
        )
    else:
        rule = "key-muscle-undetermined"
        text = (
            f"{segment} key muscle grade {raw} is undetermined (not testable, or judged): each "
            f"motor level its possible grades allow is kept."
        )
    record(trace, result, segment, rule, text)


def _explain_region(
    trace: list[Step], result: str, segment: str, dermatome: Answers, above: str, last: bool
) -> None:
    name = level_name(segment)
    outcomes = {normal for normal, _ in dermatome}
    what = "sensation and voluntary anal contraction" if last else "sensation"
    if outcomes == {True}:
        rule = "region-normal"
        text = (
            f"{name} has no key muscle; its {what} is normal, so motor function is presumed "
            f"normal here too."
        )
    elif outcomes == {False}:
        rule = "region-not-normal"
        text = (
            f"{name} has no key muscle and its {what} is not normal (or a dermatome above was "
            f"not): the motor level follows the sensory level, {level_name(above)}."
        )
    else:
        rule = "region-undetermined"
        text = f"{name} has no key muscle and its {what} is undetermined: both outcomes are kept."
    record(trace, result, segment, rule, text)
