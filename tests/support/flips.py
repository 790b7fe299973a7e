"""The flip definition of a star (tests only): does a result rest on the examiner's judgement?

ISNCSCI 2019 marks a value impaired by a non-SCI condition with ``*`` (the examiner asks for it to
be considered not normal) or ``**`` (considered normal), and a classification result that rests on
such a judgement carries ``*`` (taxonomy of non-SCI conditions, Rupp et al. 2021, Spinal Cord,
doi:10.1038/s41393-021-00646-0; Kirshblum et al. 2021, Spinal Cord, doi:10.1038/s41393-021-00648-y).
Operationally (issue 18): take the other judgement on one starred value and see whether the result
changes. The other judgement of

- ``v*`` (considered not normal) is normal: 2 (sensation) or 5 (motor); ``NT*`` likewise;
- ``v**`` (considered normal) is the value as measured, ``v``; ``NT**`` is not normal, ``NT*``.

The two values of one dermatome (light touch and pin prick) answer one question, "is the dermatome
normal?", so when both are starred they are also flipped together. A result *rests on a judgement*
when some flip changes its set of values.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from cordtrack.isncsci import EXAM_KEYS, RESULT_KEYS, classify, parse_exam
from cordtrack.isncsci.types import TOTAL_KEYS

SET_KEYS = tuple(k for k in RESULT_KEYS if k not in TOTAL_KEYS)


def other_judgement(key: str, raw: str) -> str:
    """The value a starred value reads as under the other judgement."""
    normal = "5" if key.endswith("Motor") else "2"
    value, considered_normal = raw.rstrip("*"), raw.endswith("**")
    if value == "NT":
        return "NT*" if considered_normal else normal
    return value if considered_normal else normal


def _partner(key: str) -> str | None:
    for a, b in (("Touch", "Prick"), ("Prick", "Touch")):
        if key.endswith(a):
            return key.removesuffix(a) + b
    return None


def flipped(flat: Mapping[str, object]) -> Iterator[dict[str, object]]:
    """The exam with each starred value, and each dermatome's two starred values together, read by
    the other judgement."""
    exam = {k: v for k, v in flat.items() if k in EXAM_KEYS}
    starred = [k for k, v in exam.items() if isinstance(v, str) and v.endswith("*")]
    for key in starred:
        yield {**exam, key: other_judgement(key, str(exam[key]))}
        partner = _partner(key)
        if partner in starred and key.endswith("Touch"):
            yield {
                **exam,
                key: other_judgement(key, str(exam[key])),
                partner: other_judgement(partner, str(exam[partner])),  # type: ignore[index]
            }


def names(rendered: str) -> frozenset[str]:
    return frozenset(rendered.replace("*", "").split(","))


def resting_on_judgement(flat: Mapping[str, object]) -> dict[str, bool]:
    """Per set-valued result: whether some flip changes its set of values."""
    base = classify(parse_exam(flat)).to_flat()
    changed = dict.fromkeys(SET_KEYS, False)
    for exam in flipped(flat):
        other = classify(parse_exam(exam)).to_flat()
        for key in SET_KEYS:
            changed[key] = changed[key] or names(other[key]) != names(base[key])
    return changed
