"""Explanations: the ordered steps that produced each result, in plain clinical language.

Every search in the engine can record what it examined and which rule it applied; the exam page
shows these steps beside each result so that a clinician can check a grade and learn the standard.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a classification: the result it belongs to, the segment examined (if any), the
    rule applied and a sentence for the reader."""

    result: str
    segment: str | None
    rule: str
    text: str


Trace = list[Step] | None


def record(trace: Trace, result: str, segment: str | None, rule: str, text: str) -> None:
    """Append a step when tracing; a no-op otherwise (the fast path passes ``None``)."""
    if trace is not None:
        trace.append(Step(result, segment, rule, text))


def level_name(level: str) -> str:
    """Human spelling of a level: ``S4_5`` is written S4-5, ``INT`` intact."""
    if level == "INT":
        return "intact"
    return level.replace("_", "-")


def verdict(answers: tuple[tuple[bool, bool], ...]) -> str:
    """``yes``, ``no`` or ``either``: what a value's possible answers add up to."""
    outcomes = {answer for answer, _ in answers}
    if len(outcomes) > 1:
        return "either"
    return "yes" if True in outcomes else "no"


def starred(answers: tuple[tuple[bool, bool], ...]) -> bool:
    """True when every answer rests on a starred (non-SCI) value."""
    return all(star for _, star in answers)
