"""Sorting CordTrack's differences from the published reference (npm isncsci 2.0.6) into the
documented classes (docs/isncsci.md, "Where CordTrack and the reference differ").

Used by ``test_reference_agreement.py`` and, on large generated corpora, by
``python tests/reference/differences.py N [SEED [ORACLE_LIMIT]]`` (prints the count per class;
a lower ORACLE_LIMIT proves fewer differences by enumeration, for speed). Values first:
a field whose sets of values differ must be one of

- ``ais-grade-no-reading-gives``: the reference lists an AIS grade (C or D) that no reading of the
  exam gives; CordTrack lists the others;
- ``motor-zpp-single-reading``: a side with a lowest non-key muscle and a grade that may or may
  not be C; CordTrack lists the motor ZPPs single readings give (the reference drops the key-muscle
  ZPP, or adds the non-key muscle where no reading with it is C);

and where the exam has few enough readings, CordTrack's set must be the enumeration oracle's.
Where the values agree and only star flags differ, the difference must be one of (the flip
definition: ``tests/support/flips.py``; docs/isncsci.md, "The star")

- ``star-follows-the-flip``: whether the result carries a star at all, CordTrack agrees with the
  flip definition (the other judgement on a starred value changes the result, or does not) and
  the reference does not;
- ``star-on-other-values``: both star the result, on different values;
- ``grade-star-by-route``: CordTrack stars an AIS grade every route to which rests on a
  judgement, where the other judgement reaches the same grades by another route;
- ``judgement-excludes-values``: the other judgement would add a value (the flip changes the
  result) while every value listed is reached by some route without a judgement, so CordTrack
  stars none of them and the reference stars one;

counted per class and field (``star:<class>:<field>``).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent / "support"))

from flips import resting_on_judgement  # noqa: E402
from oracle import count_readings, possible  # noqa: E402

from cordtrack.isncsci import RESULT_KEYS, classify, parse_exam  # noqa: E402

ORACLE_LIMIT = 3_000


def reference(exams: list[dict[str, object]]) -> list[dict[str, str]]:
    lines = "".join(json.dumps(e) + "\n" for e in exams)
    out = subprocess.run(
        ["node", str(HERE / "classify.cjs")],
        input=lines, capture_output=True, text=True, check=True, timeout=3600,
    ).stdout  # fmt: skip
    return [json.loads(line) for line in out.splitlines()]


def values(rendered: str) -> set[str]:
    return set(rendered.replace("*", "").split(","))


def value_class(exam: Mapping[str, object], key: str, mine: str, ref: str) -> str | None:
    """The documented class of a difference in sets of values, None if it has none."""
    ours, theirs = values(mine), values(ref)
    if key == "asiaImpairmentScale" and ours < theirs and theirs - ours <= {"C", "D"}:
        return "ais-grade-no-reading-gives"
    if key.endswith("MotorZpp"):
        side = key.removesuffix("MotorZpp")
        if exam.get(f"{side}LowestNonKeyMuscleWithMotorFunction"):
            return "motor-zpp-single-reading"
    return None


def star_class(exam: Mapping[str, object], key: str, mine: str, ref: str) -> str | None:
    """The documented class of a difference in star flags only, None if it has none."""
    ours, theirs = "*" in mine, "*" in ref
    if ours and theirs:
        return "star-on-other-values"
    rests = resting_on_judgement(exam)[key]
    if ours == rests:
        return "star-follows-the-flip"
    if key == "asiaImpairmentScale" and ours:
        return "grade-star-by-route"
    if theirs and rests:
        return "judgement-excludes-values"
    return None


def compare(
    exams: Iterable[dict[str, object]],
    refs: Iterable[Mapping[str, str]],
    oracle_limit: int = ORACLE_LIMIT,
) -> tuple[Counter[str], list[tuple[object, str, str, str]]]:
    """Counts per class (value classes, then ``star:<class>:<field>`` where only stars differ, and
    ``exams``, ``identical``) and the unexplained differences."""
    counts: Counter[str] = Counter()
    bad: list[tuple[object, str, str, str]] = []
    for exam, ref in zip(exams, refs, strict=True):
        mine = classify(parse_exam(exam)).to_flat()
        counts["exams"] += 1
        counts["identical"] += all(mine[k] == ref[k] for k in RESULT_KEYS)
        oracle = None
        for key in RESULT_KEYS:
            if mine[key] == ref[key]:
                continue
            if values(mine[key]) == values(ref[key]):
                star = star_class(exam, key, mine[key], ref[key])
                if star is None:
                    bad.append((exam.get("id"), key, mine[key], ref[key]))
                else:
                    counts[f"star:{star}:{key}"] += 1
                continue
            kind = value_class(exam, key, mine[key], ref[key])
            if kind is not None and oracle is None and count_readings(exam) <= oracle_limit:
                oracle = possible(exam, limit=oracle_limit)[0]
            if kind is None or (oracle is not None and values(mine[key]) != oracle[key]):
                bad.append((exam.get("id"), key, mine[key], ref[key]))
            else:
                counts[kind] += 1
                counts[f"{kind}:proved-by-oracle"] += oracle is not None
    return counts, bad


def main() -> None:
    from cordtrack.isncsci.generator import generate_exams

    n, seed = int(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 2026
    limit = int(sys.argv[3]) if len(sys.argv) > 3 else ORACLE_LIMIT
    totals: Counter[str] = Counter()
    unexplained = 0
    for start in range(0, n, 50_000):
        exams = list(generate_exams(min(50_000, n - start), seed=seed + start))
        counts, bad = compare(exams, reference(exams), limit)
        totals.update(counts)
        unexplained += len(bad)
        for item in bad[:5]:
            print("unexplained:", item, file=sys.stderr)
    print(json.dumps({**dict(sorted(totals.items())), "unexplained": unexplained}, indent=1))


if __name__ == "__main__":
    main()
