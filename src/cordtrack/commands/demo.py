"""Classify the published ISNCSCI 2019 test cases and compare with their expected results.

Prints one line per case (its id, the neurological level of injury and AIS grade found, and how
many of the 25 result fields agree with the case's expected "totals"), then the agreement count,
e.g. "128/128 cases, 3200/3200 fields agree".

exit status: 0 every field agrees, 1 some disagree, 2 usage error
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping
from pathlib import Path

from cordtrack.isncsci import RESULT_KEYS, ExamValidationError, classify, parse_exam

from . import UsageError

NAME = "demo"
HELP = "classify the published ISNCSCI 2019 cases and report agreement"

_WIDE = 26  # level lists such as C1,C2,...,L1 are cut to this width in the table


#: The 128 published ISNCSCI 2019 cases, shipped with the package (source and licence in
#: ``cordtrack/isncsci/data/README.md``).
PUBLISHED_CASES = (
    Path(__file__).resolve().parents[1] / "isncsci" / "data" / "published-cases-2019.json"
)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--cases", metavar="PATH", type=Path, default=PUBLISHED_CASES,
        help="a JSON array of cases with expected 'totals' (default: the 128 published cases "
        "shipped with CordTrack)",
    )  # fmt: skip


def run(args: argparse.Namespace) -> int:
    cases = _load(args.cases)
    print(f"{'id':>4}  {'NLI':<{_WIDE}}  {'AIS':<9}  agreement")
    cases_agree = fields_agree = 0
    for case in cases:
        expected = case.get("totals")
        if not isinstance(expected, Mapping):
            raise UsageError(f"{args.cases}: case {case.get('id')} has no expected 'totals'")
        try:
            found = classify(parse_exam(case)).to_flat()
        except ExamValidationError as exc:
            print(f"{case.get('id')!s:>4}  invalid exam: {exc}")
            continue
        differ = [key for key in RESULT_KEYS if found[key] != expected.get(key)]
        agree = len(RESULT_KEYS) - len(differ)
        fields_agree += agree
        cases_agree += not differ
        note = f"{agree}/{len(RESULT_KEYS)}" + (f"  differ: {', '.join(differ)}" if differ else "")
        nli = _cut(found["neurologicalLevelOfInjury"])
        print(f"{case.get('id')!s:>4}  {nli:<{_WIDE}}  {found['asiaImpairmentScale']:<9}  {note}")
    total_fields = len(cases) * len(RESULT_KEYS)
    print(f"\n{cases_agree}/{len(cases)} cases, {fields_agree}/{total_fields} fields agree")
    return 0 if fields_agree == total_fields else 1


def _load(path: Path) -> list[dict[str, object]]:
    try:
        with path.open(encoding="utf-8") as f:
            cases = json.load(f)
    except FileNotFoundError:
        raise UsageError(f"cases file not found: {path}") from None
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None
    except ValueError as exc:
        raise UsageError(f"{path} is not JSON: {exc}") from None
    if not isinstance(cases, list) or not all(isinstance(c, dict) for c in cases):
        raise UsageError(f"{path} is not a JSON array of cases")
    return cases


def _cut(levels: str) -> str:
    return levels if len(levels) <= _WIDE else levels[: _WIDE - 1] + "…"
