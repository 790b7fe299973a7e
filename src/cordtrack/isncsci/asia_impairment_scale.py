"""ASIA Impairment Scale (AIS) grade (ISNCSCI 2019, section "ASIA Impairment Scale").

- A, complete: no sacral sparing.
- B, sensory incomplete: sacral sensory sparing, no VAC, and no motor function more than three
  levels below the motor level on either side (the lowest non-key muscle with motor function
  counts, 2019).
- C, motor incomplete: VAC, or motor function more than three levels below the motor level on a
  side; fewer than half of the key muscles below the single NLI have grade 3 or more.
- D, motor incomplete with at least half of the key muscles below the NLI at grade 3 or more.
- E, normal: sensation and motor function normal in all segments (and VAC present).

Each branch follows every reading the exam's undetermined values allow. Stars (docs/isncsci.md,
"The star"): B rests on a judgement if its sacral sensation or its absent motor function does;
C if any route to it does (motor function below on either side read through a judgement, a
possible NLI reached through one when VAC makes the injury motor incomplete, or a count that
needs one); D only if every route to it does, through the motor function or the count.
"""

from __future__ import annotations

from .cells import MOTOR_ANTIGRAVITY, MOTOR_PRESENT_AIS, Answers
from .completeness import BINARY_PRESENT, sacral_sensation
from .exam import Exam, SideExam
from .explanation import Step, Trace, record
from .possible import Collector
from .result import Possible
from .types import AIS_GRADES, INTACT, KEY_MUSCLE_LEVELS, RESULT_LEVELS

RESULT = "asiaImpairmentScale"
_LEVEL_INDEX = {level: i for i, level in enumerate(RESULT_LEVELS)}
_MUSCLES = tuple((RESULT_LEVELS.index(m), k) for k, m in enumerate(KEY_MUSCLE_LEVELS))


def _function_below(side: SideExam, level: str, use_non_key: bool) -> Collector[bool]:
    """Can there be motor function more than three levels below ``level`` on this side?
    Collects True (function present) and False (absent), each with its star."""
    found: Collector[bool] = Collector()
    floor = _LEVEL_INDEX[level] + 3
    non_key = side.lowest_non_key_muscle if use_non_key else None
    if non_key is not None and _LEVEL_INDEX[non_key] > floor:
        found.add(True, False)
        return found
    absent_star = False
    for index, k in _MUSCLES:
        if index <= floor:
            continue
        absent = None
        for present, star in MOTOR_PRESENT_AIS[side.motor[k].raw]:
            if present:
                found.add(True, star)
            else:
                absent = star
        if absent is None:
            return found
        absent_star = absent_star or absent
    found.add(False, absent_star)
    return found


def _side_can_be(side: SideExam, levels: Possible, use_non_key: bool = True) -> Collector[bool]:
    """For one side, over its possible motor levels: True if motor function can lie more than three
    levels below, False if it can be absent there."""
    found: Collector[bool] = Collector()
    for level in levels.names:
        if level == INTACT:
            found.add(False, False)
            continue
        for present, star in _function_below(side, level, use_non_key).found.items():
            found.add(present, star)
    return found


class _Grades:
    """C and D as found over routes and NLIs: C starred if any finding is, D only if all are."""

    def __init__(self) -> None:
        self.c: bool | None = None
        self.d: bool | None = None

    def grade_by_strength(self, exam: Exam, nli: Possible, route_star: bool, vac: bool) -> None:
        """C or D by the share of key muscles below each possible NLI with grade 3 or more."""
        cells = [(index, exam.right.motor[k].raw) for index, k in _MUSCLES]
        cells += [(index, exam.left.motor[k].raw) for index, k in _MUSCLES]
        for level, level_star in nli.values:
            if level == INTACT:
                continue
            star = route_star or (vac and level_star)
            below = [MOTOR_ANTIGRAVITY[raw] for index, raw in cells if index > _LEVEL_INDEX[level]]
            total = len(below)
            most = sum(1 for a in below if any(ok for ok, _ in a))
            most_plain = sum(1 for a in below if (True, False) in a)
            least = sum(1 for a in below if all(ok for ok, _ in a))
            least_plain = sum(1 for a in below if (False, False) not in a)
            if 2 * most >= total:
                # D rests on the route and the muscles' grades, not on the NLI's star: a D
                # reached below an NLI read through a judgement is D below the other NLI too
                # wherever the count allows (the reference agrees; tests/property/test_star_rule).
                d_star = route_star or 2 * most_plain < total
                self.d = d_star if self.d is None else (self.d and d_star)
            if 2 * least < total:
                c_star = star or 2 * least_plain >= total
                self.c = c_star if self.c is None else (self.c or c_star)

    def into(self, found: Collector[str]) -> None:
        if self.c is not None:
            found.add("C", self.c)
        if self.d is not None:
            found.add("D", self.d)


def non_key_muscle_counts(side: SideExam, ais: Possible) -> bool:
    """Whether a side's lowest non-key muscle with motor function may enter its motor ZPP.

    ISNCSCI 2019 uses non-key muscles to tell AIS B from C; the published reference lets the muscle
    into the motor ZPP only where the grade can be C (published case 66).
    """
    return side.lowest_non_key_muscle is not None and "C" in ais.names


def asia_impairment_scale(
    exam: Exam,
    levels: dict[str, Possible],
    nli: Possible,
    complete: Possible,
    trace: Trace = None,
) -> Possible:
    """``levels`` holds the four sensory and motor level results by their flat keys; ``nli`` the
    NLIs starred by the judgements above them; ``complete`` the completeness (AIS A is complete)."""
    found: Collector[str] = Collector()
    completeness = dict(complete.values)
    if "C" in completeness:
        found.add("A", completeness["C"])
    if all(INTACT in p.names for p in levels.values()):
        found.add("E", any(dict(p.values)[INTACT] for p in levels.values()))
    right = _side_can_be(exam.right, levels["rightMotor"])
    left = _side_can_be(exam.left, levels["leftMotor"])
    grades = _Grades()
    sensation: Answers = sacral_sensation(exam)
    for vac, vac_star in BINARY_PRESENT[exam.vac]:
        for sensed, sensed_star in sensation:
            if not vac and not sensed:
                continue
            if vac:
                grades.grade_by_strength(exam, nli, vac_star, vac=True)
            else:
                if False in right and False in left:
                    found.add("B", sensed_star or right.found[False] or left.found[False])
                if True in right or True in left:
                    # C rests on a judgement if either side's function below does (any route).
                    star = right.found.get(True, False) or left.found.get(True, False)
                    grades.grade_by_strength(exam, nli, star, vac=False)
    grades.into(found)
    if trace is not None:
        _explain(trace, levels, found)
    return found.possible(AIS_GRADES)


_TEXT = {
    "A": "No sacral sparing (no S4-5 sensation, no DAP, no VAC): complete, AIS A.",
    "B": (
        "Sacral sensation without VAC, and no motor function more than three levels below the "
        "motor level on either side: sensory incomplete, AIS B."
    ),
    "C": (
        "Motor incomplete (VAC, or motor function more than three levels below a motor level), "
        "with fewer than half of the key muscles below the NLI at grade 3 or more: AIS C."
    ),
    "D": (
        "Motor incomplete, with at least half of the key muscles below the NLI at grade 3 or "
        "more: AIS D."
    ),
    "E": "Sensation and motor function normal in every segment, with VAC: AIS E.",
}


def _explain(trace: list[Step], levels: dict[str, Possible], found: Collector[str]) -> None:
    motor = f"motor levels: right {levels['rightMotor']}, left {levels['leftMotor']}"
    for grade in AIS_GRADES:
        if grade in found:
            record(trace, RESULT, None, f"ais-{grade.lower()}", f"{_TEXT[grade]} ({motor})")
