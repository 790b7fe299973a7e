"""Explanations: the ordered steps that produced each result, in plain clinical language.

Every search in the engine can record what it examined and which rule it applied; the exam page
shows these steps beside each result so that a clinician can check a grade and learn the standard.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a classification: the result it belongs to, the segment examined (if any; a run
    of segments ends at ``through``), the rule applied and a sentence for the reader."""

    result: str
    segment: str | None
    rule: str
    text: str
    through: str | None = None


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


#: Runs of identical, unremarkable steps read better as one sentence on the exam page.
RUN_SUMMARIES = {
    "dermatome-yes": "light touch and pin prick are normal on every dermatome",
    "region-normal": "no key muscle; sensation is normal, so motor function is presumed normal",
    "key-muscle-normal": "every key muscle counts as normal",
    "nli-normal": "sensation and key muscles are normal on both sides",
    "zpp-sensory-absent": "no sensation on any dermatome; the search moves up",
    "zpp-motor-absent": "no motor function in any key muscle; the search moves up",
}


def compact(steps: list[Step]) -> list[Step]:
    """Merge consecutive steps of the same result and an unremarkable rule into one step."""
    out: list[Step] = []
    run: list[Step] = []

    def flush() -> None:
        if len(run) == 1:
            out.append(run[0])
        elif run:
            first, last = run[0], run[-1]
            span = f"{level_name(first.segment or '')} to {level_name(last.segment or '')}"
            out.append(
                Step(
                    first.result,
                    first.segment,
                    first.rule,
                    f"{span}: {RUN_SUMMARIES[first.rule]}.",
                    last.segment,
                )
            )
        run.clear()

    for step in steps:
        if run and (step.result, step.rule) != (run[0].result, run[0].rule):
            flush()
        if step.rule in RUN_SUMMARIES:
            run.append(step)
        else:
            flush()
            out.append(step)
    flush()
    return out
