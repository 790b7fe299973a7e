"""How each worksheet value answers the questions the classification asks of it.

A value can answer a question definitely (``2`` is normal sensation), or leave it open (``NT``:
not testable, so normal or not). A value marked for a non-SCI impairment answers through the
examiner's judgement: ``**`` "consider normal", ``*`` "consider not normal" (ISNCSCI 2019, worksheet
notes on non-SCI conditions). Each table maps a raw value to its possible answers, each with a
flag saying whether it rests on such a judgement (which stars the results it leads to).

The questions differ by output, and so do the tables:
- is a dermatome *normal* (both LT and PP 2)? for sensory levels, motor levels in regions without
  key
  muscles, and the NLI;
- is a key muscle normal (5), at least antigravity (3 or 4), or weaker? for motor levels and NLI;
- is any *function present* (score above 0)? for sacral sparing, zones of partial preservation and
  motor incompleteness (AIS B vs C);
- is a key muscle at least grade 3? for AIS C vs D.
"""

from __future__ import annotations

from typing import Final

from .exam import MOTOR_CELLS, SENSORY_CELLS, Cell
from .types import Star

#: One possible answer: (answer, rests on a starred value).
Answer = tuple[bool, bool]
Answers = tuple[Answer, ...]

YES: Final[Answers] = ((True, False),)
NO: Final[Answers] = ((False, False),)
YES_STARRED: Final[Answers] = ((True, True),)
NO_STARRED: Final[Answers] = ((False, True),)
EITHER: Final[Answers] = ((True, False), (False, False))

# Motor grade classes for level searches: the muscle is normal (5), antigravity (3-4) so the motor
# level may rest here, or weaker (0-2) so the level is the segment above (ISNCSCI 2019, motor
# level).
NORMAL: Final = "normal"
ANTIGRAVITY: Final = "antigravity"
WEAK: Final = "weak"
Grade = tuple[str, bool, bool]


def _sensory_class(cell: Cell) -> str:
    """Sort a sensory value for the "is this dermatome normal?" question."""
    if cell.score is None:
        return {Star.NONE: "NT", Star.NOT_NORMAL: "NT*", Star.NORMAL: "NT**"}[cell.star]
    if cell.star is Star.NORMAL:
        return "**"
    return "2" if cell.score == 2 else "abnormal"


def _dermatome_normal(touch: Cell, prick: Cell) -> Answers:
    """Is a dermatome normal, given its light touch and pin prick?

    A measured impairment decides at once (not normal). Otherwise a value "not testable, consider
    not normal" (``NT*``) makes it not normal on the examiner's judgement. Otherwise a plain NT
    leaves
    it open, the normal reading resting on a judgement only if a measured ``**`` value was needed.
    Otherwise ``**`` values make it normal on the examiner's judgement.
    """
    kinds = {_sensory_class(touch), _sensory_class(prick)}
    if "abnormal" in kinds:
        return NO
    if "NT*" in kinds:
        return NO_STARRED
    if "NT" in kinds:
        return ((True, "**" in kinds), (False, False))
    if "**" in kinds or "NT**" in kinds:
        return YES_STARRED
    return YES


def _present(cell: Cell, *, starred_zero: Answers, considered_normal_zero: Answers) -> Answers:
    if cell.score is None:
        return YES if cell.star is Star.NORMAL else EITHER
    if cell.score > 0:
        return YES
    if cell.star is Star.NOT_NORMAL:
        return starred_zero
    if cell.star is Star.NORMAL:
        return considered_normal_zero
    return NO


def _motor_grade(cell: Cell) -> tuple[Grade, ...]:
    """The grade classes a key muscle value allows, each as (class, passing star, antigravity star).

    The passing star says a ``normal`` reading rests on a judgement; the antigravity star says that
    reading the muscle as grade 3 or more does (``0**`` does, ``4**`` does not).
    """
    if cell.star is Star.NORMAL:
        return ((NORMAL, True, cell.score is not None and cell.score < 3),)
    if cell.score is None:
        if cell.star is Star.NOT_NORMAL:
            return ((WEAK, False, False), (ANTIGRAVITY, True, True))
        return ((NORMAL, False, False), (ANTIGRAVITY, False, False), (WEAK, False, False))
    if cell.score == 5:
        return ((NORMAL, False, False),)
    if cell.score >= 3:
        return ((ANTIGRAVITY, False, False),)
    if cell.star is Star.NOT_NORMAL:
        # Weakness from a non-SCI cause: the SCI alone might have left the muscle antigravity.
        return ((WEAK, False, False), (ANTIGRAVITY, True, True))
    return ((WEAK, False, False),)


def _antigravity(cell: Cell) -> Answers:
    if cell.star is Star.NORMAL:
        # "Consider normal" needs the judgement only for a grade below 3.
        return YES_STARRED if cell.score is not None and cell.score < 3 else YES
    if cell.score is None:
        return EITHER
    if cell.score >= 3:
        return YES
    if cell.star is Star.NOT_NORMAL:
        return ((False, True), (True, True))
    return NO


#: Is the dermatome normal? keyed by (light touch, pin prick) raw values.
DERMATOME_NORMAL: Final[dict[tuple[str, str], Answers]] = {
    (t, p): _dermatome_normal(tc, pc)
    for t, tc in SENSORY_CELLS.items()
    for p, pc in SENSORY_CELLS.items()
}
# "Is any function present?" The readings decide the answers (docs/isncsci.md, "What the engine
# promises"): ``0*`` may be 0 or more (a non-SCI condition only takes function away), so present and
# absent are both possible; ``0**`` is normal, so present. The stars say which answers rest on
# the examiner's judgement. ISNCSCI 2019 (Rupp et al. 2021, Top Spinal Cord Inj Rehabil
# 27(2):1-22) has the examiner say whether a value impaired by a non-SCI condition is to be
# classified as normal or not; the taxonomy of non-SCI conditions (Rupp et al. 2021, Spinal Cord,
# doi:10.1038/s41393-021-00646-0) carries an asterisk on to every result that rests on that
# judgement, and Kirshblum et al. 2021 (Spinal Cord 60:11-17) classify worked cases so. Neither
# says, question by question, whether reading a starred 0 as absent is a judgement: the published
# cases do, and each table below cites the ones that fix it (held by tests/golden).
#
# - sensory ZPP (ISNCSCI 2019: the most caudal dermatome with some sensation on the side): ``0*``
#   present or absent, both by judgement, since the measured 0 is not the SCI's finding either
#   way (the condition may hide sensation the SCI spared; published case 88, sensory ZPPs
#   ``NA,T5*,S3*``); ``0**`` present, no star (judged normal, and normal sensation is some: the
#   ZPP needs no more than "some");
SENSATION_PRESENT_ZPP: Final[dict[str, Answers]] = {
    raw: _present(c, starred_zero=((False, True), (True, True)), considered_normal_zero=YES)
    for raw, c in SENSORY_CELLS.items()
}
# - sacral sensation (ISNCSCI 2019: sensory incomplete with LT or PP at S4-5 or DAP; AIS A vs B):
#   ``0*`` as for the ZPP, both answers judged (case 88: ``C*,I*``, ``A*,B*``); ``0**`` present
#   by judgement, since here the sacral sparing itself, and with it the whole AIS A/B decision,
#   rests on the examiner's call (case 100: an S4-5 ``0**`` gives ``I*`` and ``B*``);
SENSATION_PRESENT_SACRAL: Final[dict[str, Answers]] = {
    raw: _present(c, starred_zero=((False, True), (True, True)), considered_normal_zero=YES_STARRED)
    for raw, c in SENSORY_CELLS.items()
}
# - motor ZPP (ISNCSCI 2019: the most caudal key muscle with some motor function on the side): a
#   key muscle ``0*`` absent as measured, no star (0 is what was graded: the ZPP stops above it
#   as on any 0), or present by judgement (the condition may hide function the SCI spared; case
#   101: ``T1,L2*``); ``0**`` present by judgement (a 0 read as normal, case 104: ``L2*``);
MOTOR_PRESENT_ZPP: Final[dict[str, Answers]] = {
    raw: _present(
        c, starred_zero=((False, False), (True, True)), considered_normal_zero=YES_STARRED
    )
    for raw, c in MOTOR_CELLS.items()
}
# - motor function more than three levels below the motor level (ISNCSCI 2019, AIS B vs C: motor
#   incomplete needs it, or VAC): ``0*`` absent by judgement (grade B then rests on reading the
#   hidden function as absent), present without a star (some reading of the ``0*`` gives it;
#   case 101: ``B*,C``); ``0**`` present by judgement (case 104: ``C*``).
MOTOR_PRESENT_AIS: Final[dict[str, Answers]] = {
    raw: _present(
        c, starred_zero=((False, True), (True, False)), considered_normal_zero=YES_STARRED
    )
    for raw, c in MOTOR_CELLS.items()
}
MOTOR_GRADE: Final[dict[str, tuple[Grade, ...]]] = {
    raw: _motor_grade(c) for raw, c in MOTOR_CELLS.items()
}
MOTOR_ANTIGRAVITY: Final[dict[str, Answers]] = {
    raw: _antigravity(c) for raw, c in MOTOR_CELLS.items()
}


def either(first: Answers, second: Answers) -> Answers:
    """Answers to "is either present?" (sensation is present when LT or PP is)."""
    out: dict[bool, bool] = {}
    for a, sa in first:
        for b, sb in second:
            present = a or b
            star = ((sa if a else True) and (sb if b else True)) if present else (sa or sb)
            out[present] = out.get(present, True) and star
    return tuple(out.items())


#: Is any sensation present at a dermatome (for the sensory ZPP)? keyed by (light touch, pin prick).
SENSATION_PRESENT_PAIR: Final[dict[tuple[str, str], Answers]] = {
    (t, p): either(SENSATION_PRESENT_ZPP[t], SENSATION_PRESENT_ZPP[p])
    for t in SENSORY_CELLS
    for p in SENSORY_CELLS
}
