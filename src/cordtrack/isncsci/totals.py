"""The 14 motor and sensory totals (ISNCSCI 2019 worksheet: UER, UEL, LER, LEL, UEMS, LEMS, the side
motor totals and the light-touch and pin-prick totals).

A total is the sum of its raw scores, starred or not (the star changes how a value is read for
classification, not what was measured). When any value that feeds it was not testable, the total is
not determinable (``None``, rendered ``ND``).
"""

from __future__ import annotations

from .exam import Cell, Exam


def _sum(cells: tuple[Cell, ...]) -> int | None:
    try:
        return sum([cell.score for cell in cells])  # type: ignore[misc]
    except TypeError:  # a not-testable value (score None) feeds this total
        return None


def _add(a: int | None, b: int | None) -> int | None:
    return None if a is None or b is None else a + b


def totals(exam: Exam) -> dict[str, int | None]:
    r, l = exam.right, exam.left  # noqa: E741
    right_upper, left_upper = _sum(r.motor[:5]), _sum(l.motor[:5])
    right_lower, left_lower = _sum(r.motor[5:]), _sum(l.motor[5:])
    right_touch, left_touch = _sum(r.touch), _sum(l.touch)
    right_prick, left_prick = _sum(r.prick), _sum(l.prick)
    return {
        "rightUpperMotorTotal": right_upper,
        "leftUpperMotorTotal": left_upper,
        "rightLowerMotorTotal": right_lower,
        "leftLowerMotorTotal": left_lower,
        "rightTouchTotal": right_touch,
        "leftTouchTotal": left_touch,
        "rightPrickTotal": right_prick,
        "leftPrickTotal": left_prick,
        "rightMotorTotal": _add(right_upper, right_lower),
        "leftMotorTotal": _add(left_upper, left_lower),
        "upperMotorTotal": _add(right_upper, left_upper),
        "lowerMotorTotal": _add(right_lower, left_lower),
        "touchTotal": _add(right_touch, left_touch),
        "prickTotal": _add(right_prick, left_prick),
    }
