"""Neurological level of injury (NLI): the most caudal segment with normal sensory function on both
sides and antigravity (3 or more) motor function on both sides, normal sensory and motor function
above it (ISNCSCI 2019, section "Neurological level of injury"); the most rostral of the four
sensory and motor levels.

The search walks both sides together, segment by segment, so that one not-testable value is never
read two ways at once. Motor function at S4-5 (VAC) does not enter the NLI: an exam with normal
sensation everywhere has an intact NLI even when anal contraction is absent.
"""

from __future__ import annotations

from itertools import product
from typing import Final, NamedTuple

from .cells import ANTIGRAVITY, DERMATOME_NORMAL, MOTOR_GRADE, NORMAL, WEAK, Answers, Grade
from .exam import Exam
from .explanation import Step, Trace, level_name, record
from .possible import Collector, Emission, Stepped, advance
from .result import Possible
from .types import INTACT, KEY_MUSCLE_LEVELS, RESULT_LEVELS, SENSORY_LEVELS

RESULT = "neurologicalLevelOfInjury"
LEVEL_ORDER = (*RESULT_LEVELS, INTACT)
_RANK = {level: i for i, level in enumerate(LEVEL_ORDER)}
_MUSCLE_AT = {SENSORY_LEVELS.index(m): k for k, m in enumerate(KEY_MUSCLE_LEVELS)}


class NliSearch(NamedTuple):
    """An NLI search still walking down both sides: which judgements the segments passed took."""

    #: Passing a segment above the last one rested on a judgement.
    passed_starred: bool
    #: Passing the last segment rested on a judgement (an NLI found below it is starred).
    last_passed_starred: bool
    #: Reading the last segment as the NLI (its sensation normal, a key muscle antigravity) rested
    #: on a judgement: an NLI there, found because the next segment fails, is starred.
    last_level_starred: bool


#: The search starts at C2 on no judgement.
START: Final = NliSearch(False, False, False)
#: The answers at a segment without key muscle: motor function presumed normal on both sides.
NO_MUSCLE: Final[tuple[Grade, ...]] = ((NORMAL, False, False),)
#: One segment's input: (right dermatome, right grade classes, left dermatome, left grade classes).
SegmentInput = tuple[Answers, tuple[Grade, ...], Answers, tuple[Grade, ...]]


def segment_step(state: NliSearch, value: SegmentInput) -> Stepped[NliSearch]:
    """One segment of both sides. Two outputs: the NLI (0), and the NLI starred only by the
    judgements above it, as the AIS grading reads it (1). A weak key muscle or a dermatome not
    normal on either side finds the segment above (offset 0); normal sensation on both sides with
    a key muscle antigravity but not normal on one finds this segment (offset 1); otherwise the
    search walks on."""
    right_dermatome, right_grades, left_dermatome, left_grades = value
    acc, last, last_ag = state
    moving: list[NliSearch] = []
    found: list[Emission] = []
    sensory = tuple(product(right_dermatome, left_dermatome))
    for (r_grade, r_pass, r_ag), (l_grade, l_pass, l_ag) in product(right_grades, left_grades):
        if WEAK in (r_grade, l_grade):
            found += [(0, 0, acc or last_ag), (1, 0, acc)]
            continue
        for (r_ok, r_star), (l_ok, l_star) in sensory:
            if not (r_ok and l_ok):
                # Starred only when every side's failure rests on a judgement.
                failed = (not r_ok and r_star) and (not l_ok and l_star)
                found += [(0, 0, acc or last_ag or failed), (1, 0, acc)]
                continue
            sens_star = r_star or l_star
            if ANTIGRAVITY in (r_grade, l_grade):
                # A side read as antigravity only by judgement stars the NLI only when both
                # sides' motor levels fall here (the tie rule, applied after the search).
                normal_side_star = (r_grade == NORMAL and r_ag) or (l_grade == NORMAL and l_ag)
                found += [(0, 1, acc or last or sens_star or normal_side_star), (1, 1, acc or last)]
            else:
                moving.append(
                    NliSearch(acc or last, sens_star or r_pass or l_pass, sens_star or r_ag or l_ag)
                )
    return moving, found


def final_values(state: NliSearch) -> list[tuple[int, bool]]:
    """A search that walked past S4-5 finds the NLI intact, in both outputs."""
    star = state.passed_starred or state.last_passed_starred
    return [(0, star), (1, star)]


def neurological_level(
    exam: Exam, right_motor: Possible, left_motor: Possible, trace: Trace = None
) -> tuple[Possible, Possible]:
    """The possible NLIs of an exam, given its motor levels; and the same NLIs starred only by the
    judgements made on segments above the NLI, as the AIS grading reads them."""
    found: Collector[str] = Collector()
    for_grading: Collector[str] = Collector()
    outputs = (found, for_grading)
    states = frozenset({START})
    right, left = exam.right, exam.left
    for i, segment in enumerate(SENSORY_LEVELS):
        muscle = _MUSCLE_AT.get(i)
        value: SegmentInput = (
            DERMATOME_NORMAL[right.touch[i].raw, right.prick[i].raw],
            NO_MUSCLE if muscle is None else MOTOR_GRADE[right.motor[muscle].raw],
            DERMATOME_NORMAL[left.touch[i].raw, left.prick[i].raw],
            NO_MUSCLE if muscle is None else MOTOR_GRADE[left.motor[muscle].raw],
        )
        states = advance(segment_step, states, value, outputs, (RESULT_LEVELS[i], segment))
        if trace is not None:
            _explain(trace, segment, RESULT_LEVELS[i], value, muscle is not None)
        if not states:
            break
    else:
        for state in states:
            for output, star in final_values(state):
                outputs[output].add(INTACT, star)
    right_stars, left_stars = dict(right_motor.values), dict(left_motor.values)
    right_top, left_top = _RANK[right_motor.values[0][0]], _RANK[left_motor.values[0][0]]
    for level in found.found:
        if level in right_stars and level in left_stars:
            rank = _RANK[level]
            if _tie_starred(
                right_stars[level], right_top < rank, left_stars[level], left_top < rank
            ):
                found.found[level] = True
    return found.possible(LEVEL_ORDER), for_grading.possible(LEVEL_ORDER)


def _tie_starred(right_star: bool, right_above: bool, left_star: bool, left_above: bool) -> bool:
    """The star tie rule, for a level both sides' motor levels may be: a side whose level there
    rests on a judgement stars the NLI when that side's level may also be more rostral (published
    case 126: left ``C5,C6*``, the NLI ``C5,C6*``), or when both sides' levels there are starred.
    A side whose level is there without a judgement, the other's level never more rostral, makes
    the NLI that level whatever the judgement: C1 with an unstarred 0 at C2 on one side (issue 18),
    T9 with an unstarred T10 on one side and ``NT*`` on the other."""
    return (right_star and (left_star or right_above)) or (left_star and (right_star or left_above))


def _explain(
    trace: list[Step], segment: str, above: str, value: SegmentInput, has_muscle: bool
) -> None:
    name = level_name(segment)
    sensory = tuple(product(value[0], value[2]))
    motor = tuple(product(value[1], value[3]))
    sens = {right[0] and left[0] for right, left in sensory}
    grades = {_worse(right[0], left[0]) for right, left in motor}
    if sens == {True} and grades == {NORMAL}:
        rule = "nli-normal"
        extra = " and both key muscles are normal" if has_muscle else ""
        text = f"{name}: sensation is normal on both sides{extra}; the NLI is at least {name}."
    elif sens == {False} or grades == {WEAK}:
        rule = "nli-above"
        text = (
            f"{name}: sensation or key muscle strength is not normal on a side; the NLI is the "
            f"segment above, {level_name(above)}."
        )
    elif sens == {True} and grades == {ANTIGRAVITY}:
        rule = "nli-here"
        text = (
            f"{name}: sensation is normal on both sides and the weaker key muscle is "
            f"antigravity but not normal: the NLI is {name}."
        )
    else:
        rule = "nli-undetermined"
        text = (
            f"{name}: not-testable values leave this segment undetermined; every outcome is kept."
        )
    record(trace, RESULT, segment, rule, text)


def _worse(a: str, b: str) -> str:
    rank = {WEAK: 0, ANTIGRAVITY: 1, NORMAL: 2}
    return a if rank[a] <= rank[b] else b
