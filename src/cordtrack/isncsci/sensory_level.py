"""Sensory level: the most caudal dermatome with normal light touch and pin prick, all rostral
dermatomes also normal (ISNCSCI 2019, section "Sensory level").

The search walks from C2 down. A normal dermatome moves the level down; the first dermatome that is
not normal puts the level at the segment above it (C1 when C2 is not normal); normal down to S4-5
makes the side intact (``INT``). A not-testable dermatome may be either, so both continuations are
followed and every level they reach is possible.
"""

from __future__ import annotations

from typing import Final

from .cells import DERMATOME_NORMAL, Answers
from .exam import SideExam
from .explanation import Step, Trace, level_name, record, starred, verdict
from .possible import Collector, Emission, Stepped, advance
from .result import Possible
from .types import INTACT, RESULT_LEVELS, SENSORY_LEVELS

LEVEL_ORDER = (*RESULT_LEVELS, INTACT)


def dermatome_step(starred: bool, answers: Answers) -> Stepped[bool]:
    """One dermatome of the search, from a search still walking (``starred``: whether the
    dermatomes passed rest on a judgement): a normal answer walks on, one that is not normal finds
    the level above the dermatome (offset 0). The batch engine tabulates this same step."""
    moving: list[bool] = []
    found: list[Emission] = []
    for normal, star in answers:
        if normal:
            moving.append(starred or star)
        else:
            found.append((0, 0, starred or star))
    return moving, found


#: A search starts walking, on no judgement.
START: Final = False


def sensory_level(side: SideExam, result: str, trace: Trace = None) -> Possible:
    """The possible sensory levels of one side. ``result`` names it in the trace."""
    found: Collector[str] = Collector()
    walking = frozenset({START})  # star flags of the searches still moving down
    touch, prick = side.touch, side.prick
    for i, dermatome in enumerate(SENSORY_LEVELS):
        answers = DERMATOME_NORMAL[touch[i].raw, prick[i].raw]
        walking = advance(dermatome_step, walking, answers, (found,), (RESULT_LEVELS[i], dermatome))
        if trace is not None:
            _explain(
                trace, result, dermatome, touch[i].raw, prick[i].raw, answers, RESULT_LEVELS[i]
            )
        if not walking:
            break
    else:
        for flag in walking:
            found.add(INTACT, flag)
        record(
            trace,
            result,
            None,
            "sensory-intact",
            "Every dermatome from C2 to S4-5 can be normal: the side can be sensory intact.",
        )
    return found.possible(LEVEL_ORDER)


def _explain(
    trace: list[Step],
    result: str,
    dermatome: str,
    touch: str,
    prick: str,
    answers: Answers,
    above: str,
) -> None:
    name = level_name(dermatome)
    values = f"light touch {touch}, pin prick {prick}"
    outcome = verdict(answers)
    rule = f"dermatome-{outcome}"
    if outcome == "yes":
        why = ""
        if starred(answers):
            rule += "-judged"
            why = " (by the examiner's judgement of a non-SCI impairment)"
        text = f"{name}: {values} is normal{why}; the level is at least {name}, look further down."
    elif outcome == "no":
        text = (
            f"{name}: {values} is not normal (normal is 2 for both); the sensory level is the "
            f"segment above, {level_name(above)}."
        )
    else:
        text = (
            f"{name}: {values} includes a value that was not testable; {name} may be normal or "
            f"not, so {level_name(above)} is possible and the search also continues down."
        )
    record(trace, result, dermatome, rule, text)
