"""Completeness: an injury is incomplete when any sacral sparing exists — light touch or pin prick
at S4-5 on either side, deep anal pressure (DAP), or voluntary anal contraction (VAC); otherwise it
is complete (ISNCSCI 2019, section "Complete or incomplete").
"""

from __future__ import annotations

from .cells import SENSATION_PRESENT_SACRAL, Answers, either
from .exam import Exam
from .explanation import Trace, record
from .possible import Collector
from .result import Possible
from .types import Binary

RESULT = "injuryComplete"
ORDER = ("C", "I")
_S45 = -1  # S4-5 is the last dermatome
BINARY_PRESENT: dict[Binary, Answers] = {
    Binary.YES: ((True, False),),
    Binary.NO: ((False, False),),
    Binary.NT: ((True, False), (False, False)),
}


def sacral_sensation(exam: Exam) -> Answers:
    """Is any sacral sensation present: S4-5 light touch or pin prick on either side, or DAP?"""
    answers = BINARY_PRESENT[exam.dap]
    for side in (exam.right, exam.left):
        answers = either(answers, SENSATION_PRESENT_SACRAL[side.touch[_S45].raw])
        answers = either(answers, SENSATION_PRESENT_SACRAL[side.prick[_S45].raw])
    return answers


def sacral_sparing(exam: Exam) -> Answers:
    """Is any sacral sparing present (sacral sensation or VAC)?"""
    return either(sacral_sensation(exam), BINARY_PRESENT[exam.vac])


def completeness(exam: Exam, trace: Trace = None) -> Possible:
    found: Collector[str] = Collector()
    # A plainly not-testable sacral finding leaves "complete" undetermined without any judgement.
    plain_nt = Binary.NT in (exam.vac, exam.dap) or any(
        cell.raw == "NT"
        for side in (exam.right, exam.left)
        for cell in (side.touch[_S45], side.prick[_S45])
    )
    for spared, star in sacral_sparing(exam):
        found.add("I" if spared else "C", star and (spared or not plain_nt))
    if trace is not None:
        record(
            trace,
            RESULT,
            "S4_5",
            "sacral-sparing",
            f"Sacral sparing (S4-5 light touch right {exam.right.touch[_S45].raw} left "
            f"{exam.left.touch[_S45].raw}, pin prick right {exam.right.prick[_S45].raw} left "
            f"{exam.left.prick[_S45].raw}, DAP {exam.dap.value}, VAC {exam.vac.value}): "
            + _verdict(found),
        )
    return found.possible(ORDER)


def _verdict(found: Collector[str]) -> str:
    if "C" in found and "I" in found:
        return "undetermined, so the injury may be complete or incomplete."
    if "I" in found:
        return "present, so the injury is incomplete."
    return "absent, so the injury is complete."
