"""The 14 motor and sensory totals (ISNCSCI 2019 worksheet: UER, UEL, LER, LEL, UEMS, LEMS, the side
motor totals and the light-touch and pin-prick totals).

A total is the sum of its raw scores, starred or not (the star changes how a value is read for
classification, not what was measured). When any value that feeds it was not testable, the total is
not determinable (``None``, rendered ``ND``).
"""

from __future__ import annotations

from .exam import Cell, Exam
from .explanation import Step, record


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


_PARTS = {
    "rightUpperMotorTotal": "right upper-limb key muscles C5 to T1 (0-25)",
    "leftUpperMotorTotal": "left upper-limb key muscles C5 to T1 (0-25)",
    "rightLowerMotorTotal": "right lower-limb key muscles L2 to S1 (0-25)",
    "leftLowerMotorTotal": "left lower-limb key muscles L2 to S1 (0-25)",
    "rightTouchTotal": "right light touch, C2 to S4-5 (0-56)",
    "leftTouchTotal": "left light touch, C2 to S4-5 (0-56)",
    "rightPrickTotal": "right pin prick, C2 to S4-5 (0-56)",
    "leftPrickTotal": "left pin prick, C2 to S4-5 (0-56)",
    "rightMotorTotal": "right upper and lower motor totals (0-50)",
    "leftMotorTotal": "left upper and lower motor totals (0-50)",
    "upperMotorTotal": "upper extremity motor score, UEMS: right and left (0-50)",
    "lowerMotorTotal": "lower extremity motor score, LEMS: right and left (0-50)",
    "touchTotal": "light touch total: right and left (0-112)",
    "prickTotal": "pin prick total: right and left (0-112)",
}


def explain_totals(values: dict[str, int | None], trace: list[Step]) -> None:
    """One step per total: what it adds up, and why it may be not determinable."""
    for key, what in _PARTS.items():
        value = values[key]
        if value is None:
            text = f"Sum of {what}: not determinable (ND), a value that feeds it was not testable."
        else:
            text = f"Sum of {what}: {value}. Starred values count as measured."
        record(trace, key, None, "total", text)
