"""ASIA Impairment Scale (AIS) grade (ISNCSCI 2019, section "ASIA Impairment Scale").

- A, complete: no sacral sparing.
- B, sensory incomplete: sacral sensory sparing, no VAC, and no motor function more than three
  levels below the motor level on either side (the lowest non-key muscle with motor function counts,
  2019).
- C, motor incomplete: VAC, or motor function more than three levels below the motor level on a
  side; fewer than half of the key muscles below the single NLI have grade 3 or more.
- D, motor incomplete with at least half of the key muscles below the NLI at grade 3 or more.
- E, normal: sensation and motor function normal in all segments (and VAC present).

Each branch follows every reading that the exam's undetermined values allow.
"""

from __future__ import annotations

from .cells import MOTOR_ANTIGRAVITY, MOTOR_PRESENT_AIS, Answers
from .completeness import BINARY_PRESENT, sacral_sensation
from .exam import Exam, SideExam
from .explanation import Trace, record
from .possible import Collector
from .result import Possible
from .types import AIS_GRADES, INTACT, KEY_MUSCLE_LEVELS, RESULT_LEVELS

RESULT = "asiaImpairmentScale"
_LEVEL_INDEX = {level: i for i, level in enumerate(RESULT_LEVELS)}
_MUSCLES = tuple((RESULT_LEVELS.index(m), k) for k, m in enumerate(KEY_MUSCLE_LEVELS))


def _function_below(
    side: SideExam, level: str, use_non_key: bool = True
) -> tuple[Collector, str | None]:
    """Can there be motor function more than three levels below ``level`` on this side?

    Returns the collector of answers (True: function present) and the segment that decided it.
    """
    found = Collector()
    floor = _LEVEL_INDEX[level] + 3
    non_key = side.lowest_non_key_muscle if use_non_key else None
    if non_key is not None and non_key in _LEVEL_INDEX and _LEVEL_INDEX[non_key] > floor:
        found.add(True, False)
        return found, non_key
    absent_star = False
    for index, k in _MUSCLES:
        if index <= floor:
            continue
        answers = MOTOR_PRESENT_AIS[side.motor[k].raw]
        absent = None
        for present, star in answers:
            if present:
                found.add(True, star)
            else:
                absent = star
        if absent is None:
            return found, KEY_MUSCLE_LEVELS[k]
        absent_star = absent_star or absent
    found.add(False, absent_star)
    return found, None


def _side_can_be(
    side: SideExam, levels: Possible, use_non_key: bool = True
) -> tuple[Collector, Collector]:
    """For one side: (no function below some possible motor level, function below one)."""
    no_function, function = Collector(), Collector()
    for level, _ in levels.values:
        if level == INTACT:
            no_function.add("yes", False)
            continue
        answers, _ = _function_below(side, level, use_non_key)
        for present, star in answers.found.items():
            (function if present else no_function).add("yes", star)
    return no_function, function


def _grade_by_strength(
    exam: Exam, nli: Possible, found: Collector, star: bool, with_level_star: bool
) -> None:
    """C or D by the share of key muscles below the NLI with grade 3 or more.

    Within one route to motor incompleteness, C is starred when it rests on a judgement at any
    possible NLI, D only when it does at every possible NLI (the published reference's reading,
    pinned by published case 130). ``with_level_star``: whether a starred NLI
    stars the grade (it does when VAC makes the injury motor incomplete).
    """
    cells = [(index, exam.right.motor[k].raw) for index, k in _MUSCLES]
    cells += [(index, exam.left.motor[k].raw) for index, k in _MUSCLES]
    route: dict[str, bool] = {}
    for level, level_star in nli.values:
        if level == INTACT:
            continue
        level_star = star or (level_star and with_level_star)
        below = [MOTOR_ANTIGRAVITY[raw] for index, raw in cells if index > _LEVEL_INDEX[level]]
        total = len(below)
        most = sum(1 for a in below if any(ok for ok, _ in a))
        most_plain = sum(1 for a in below if (True, False) in a)
        least = sum(1 for a in below if all(ok for ok, _ in a))
        least_plain = sum(1 for a in below if (False, False) not in a)
        if 2 * most >= total:
            route["D"] = route.get("D", True) and (level_star or 2 * most_plain < total)
        if 2 * least < total:
            route["C"] = route.get("C", False) or level_star or 2 * least_plain >= total
    for grade, starred in route.items():
        found.add(grade, starred)


def non_key_muscle_counts(side: SideExam, motor: Possible, ais: Possible) -> bool:
    """Whether a side's lowest non-key muscle with motor function enters its motor ZPP.

    ISNCSCI 2019 uses non-key muscles to tell AIS B from C; the published reference lets the muscle
    into the motor ZPP only where the grade can be C (published case 66).
    """
    return side.lowest_non_key_muscle is not None and "C" in ais.names


def asia_impairment_scale(
    exam: Exam, levels: dict[str, Possible], nli: Possible, trace: Trace = None
) -> Possible:
    """``levels`` holds the four sensory and motor level results by their flat keys."""
    found = Collector()
    if all(INTACT in p.names for p in levels.values()):
        found.add("E", any(dict(p.values)[INTACT] for p in levels.values()))
        record(trace, RESULT, None, "ais-e",
               "Sensation and motor function can be normal in every segment, with VAC: AIS E.")
    right_none, right_some = _side_can_be(exam.right, levels["rightMotor"])
    left_none, left_some = _side_can_be(exam.left, levels["leftMotor"])
    sensation: Answers = sacral_sensation(exam)
    for vac, vac_star in BINARY_PRESENT[exam.vac]:
        for sensed, sensed_star in sensation:
            if not vac and not sensed:
                found.add("A", sensed_star)
                continue
            if vac:
                _grade_by_strength(exam, nli, found, vac_star, True)
                continue
            if "yes" in right_none and "yes" in left_none:
                found.add("B", sensed_star or right_none.found["yes"] or left_none.found["yes"])
            if "yes" in right_some or "yes" in left_some:
                star = min(right_some.found.get("yes", True), left_some.found.get("yes", True))
                _grade_by_strength(exam, nli, found, star, False)
    if trace is not None:
        _explain(trace, exam, levels, found)
    return found.possible(AIS_GRADES)


def _explain(trace: list, exam: Exam, levels: dict[str, Possible], found: Collector) -> None:  # type: ignore[type-arg]
    grades = [g for g in AIS_GRADES if g in found]
    text = {
        "A": "No sacral sparing: complete, AIS A.",
        "B": ("Sacral sensation without VAC and no motor function more than three levels below the "
              "motor level on either side: AIS B."),
        "C": ("Motor incomplete (VAC or motor function more than three levels below a motor level) "
              "with fewer than half of the key muscles below the NLI at grade 3 or more: AIS C."),
        "D": ("Motor incomplete with at least half of the key muscles below the NLI at grade 3 or "
              "more: AIS D."),
        "E": "Normal sensation and motor function everywhere: AIS E.",
    }
    motor = ", ".join(f"{k}: {levels[k].render()}" for k in ("rightMotor", "leftMotor"))
    for grade in grades:
        record(trace, RESULT, None, f"ais-{grade.lower()}", text[grade] + f" ({motor})")
