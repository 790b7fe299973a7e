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

from typing import Final, NamedTuple

from .cells import ANTIGRAVITY, DERMATOME_NORMAL, MOTOR_GRADE, NORMAL, WEAK, Answers, Grade
from .exam import SideExam
from .explanation import Step, Trace, level_name, record
from .possible import Collector, Emission, Stepped, advance
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


class MotorSearch(NamedTuple):
    """A motor level search still walking down: what the segments passed tell of the level."""

    #: Every dermatome from C2 down so far is normal (a region without a key muscle passes only
    #: while it is: the motor level is presumed to follow the sensory level there).
    sensation_normal: bool
    #: That normal sensation rests on the examiner's judgement (a ``**`` value, say).
    sensation_starred: bool
    #: Passing a segment above the last one rested on a judgement.
    passed_starred: bool
    #: Passing the last segment rested on a judgement (a level found below it is starred).
    last_passed_starred: bool
    #: Reading the last segment as antigravity (so the level, if the next one fails) rested on a
    #: judgement: ``0**`` does, ``4**`` does not.
    last_antigravity_starred: bool


#: A search starts walking from C2 with normal sensation above it, on no judgement.
START: Final = MotorSearch(True, False, False, False, False)


def muscle_step(
    state: MotorSearch, value: tuple[Answers, tuple[Grade, ...]]
) -> Stepped[MotorSearch]:
    """One segment with a key muscle, given its dermatome's answers and the muscle's grade
    classes. Two outputs: the motor level (0) and the level as the ZPP reads it (1), the same
    values. A weak muscle (0-2) finds the segment above (offset 0); an antigravity one (3-4)
    finds this segment (offset 1); a normal one (5) walks on, sensation kept for the regions
    below."""
    dermatome, grades = value
    sens_ok, sens_star, acc, last, last_ag = state
    moving: list[MotorSearch] = []
    found: list[Emission] = []
    for grade, pass_star, ag_star in grades:
        if grade == WEAK:
            found += [(0, 0, acc or last_ag), (1, 0, acc or last_ag)]
        elif grade == ANTIGRAVITY:
            star = acc or last or pass_star
            found += [(0, 1, star), (1, 1, star)]
        else:
            for normal, derm_star in dermatome:
                ok = sens_ok and normal
                moving.append(
                    MotorSearch(
                        ok, ok and (sens_star or derm_star), acc or last, pass_star, ag_star
                    )
                )
    return moving, found


def region_step(state: MotorSearch, value: tuple[Answers, bool]) -> Stepped[MotorSearch]:
    """One segment without a key muscle, given its dermatome's answers (with VAC at S4-5:
    :func:`with_vac`) and whether the segment above has a key muscle. The search walks on while
    every dermatome so far is normal; otherwise the level is the segment above (offset 0)."""
    dermatome, key_above = value
    sens_ok, sens_star, acc, last, last_ag = state
    moving: list[MotorSearch] = []
    found: list[Emission] = []
    for normal, derm_star in dermatome:
        if sens_ok and normal:
            star = sens_star or derm_star
            moving.append(MotorSearch(True, star, acc or last, star, star))
        else:
            # A dermatome that stops the search on a judgement stars the level only where the
            # motor level is the sensory level (no key muscle above).
            fail_star = sens_ok and derm_star and not key_above
            found += [(0, 0, acc or last_ag or fail_star), (1, 0, acc or last_ag)]
    return moving, found


def final_values(state: MotorSearch) -> list[tuple[int, bool]]:
    """A search that walked past S4-5 finds the side intact, in both outputs."""
    star = state.passed_starred or state.last_passed_starred
    return [(0, star), (1, star)]


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
    outputs = (found, for_zpp)
    states = frozenset({START})
    touch, prick, motor = side.touch, side.prick, side.motor
    for i, segment in enumerate(SENSORY_LEVELS):
        above = RESULT_LEVELS[i]
        dermatome = DERMATOME_NORMAL[touch[i].raw, prick[i].raw]
        muscle = _MUSCLE_AT.get(i)
        if muscle is not None:
            grades = MOTOR_GRADE[motor[muscle].raw]
            states = advance(muscle_step, states, (dermatome, grades), outputs, (above, segment))
            if trace is not None:
                _explain_muscle(trace, result, segment, motor[muscle].raw, grades, above)
        else:
            if i == _LAST:
                dermatome = with_vac(dermatome, vac)
            value = (dermatome, above in KEY_MUSCLE_LEVELS)
            states = advance(region_step, states, value, outputs, (above, segment))
            if trace is not None:
                _explain_region(trace, result, segment, dermatome, above, i == _LAST)
        if not states:
            break
    else:
        for state in states:
            for output, star in final_values(state):
                outputs[output].add(INTACT, star)
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
