"""Demonstrations: the published ISNCSCI cases, or a synthetic registry in the database.

cordtrack demo [--cases FILE]
    Classify the published ISNCSCI 2019 test cases and compare with their expected results:
    one line per case (its id, the NLI and AIS found, how many of the 25 result fields agree
    with the case's "totals"), then the agreement count ("126/128 cases, 3198/3200 fields
    agree; 2 fields differ as documented"). A documented difference is a published value that
    CordTrack does not give on purpose (the published AIS lists a grade that no reading of the
    exam gives; docs/isncsci.md): counted apart, its reason printed. Exit 0 every field agrees
    or differs as documented, 1 some disagree, 2 usage error.

cordtrack demo --patients N [--sites NTH,STH | --sites 10] [--seed S] [--cohort]
    Generate N synthetic patients in the registry's database (DATABASE_URL, default
    var/cordtrack.sqlite3), spread over the sites (codes, created when missing; a number k
    names k sites SYA, SYB, ...): journeys at every stage, exams classified by the engine,
    treatments with their lots, adverse events, visits, instruments; recovery follows the
    natural-history figures with no treatment effect. --cohort makes every patient a treated
    one followed past 12 months. Same seed, same day: same patients; a seed already used for
    these sites is refused. Needs CORDTRACK_DEMO=1 (never synthetic patients in a real
    registry). Exit 0 done, 2 usage error.
"""

from __future__ import annotations

import argparse
import json
import string
import sys
import textwrap
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from . import UsageError

if TYPE_CHECKING:
    from cordtrack.isncsci.published import Difference

NAME = "demo"
HELP = "classify the published cases, or generate synthetic patients"

_WIDE = 26  # level lists such as C1,C2,...,L1 are cut to this width in the table
_MAX_SITES = 600  # SYA..SYZ, then SBA..SXZ: never the same code twice


#: The 128 published ISNCSCI 2019 cases, shipped with the package (source and licence in
#: ``cordtrack/isncsci/data/README.md``).
PUBLISHED_CASES = (
    Path(__file__).resolve().parents[1] / "isncsci" / "data" / "published-cases-2019.json"
)


def configure(parser: argparse.ArgumentParser) -> None:
    what = parser.add_mutually_exclusive_group()
    what.add_argument(
        "--cases", metavar="PATH", type=Path, default=PUBLISHED_CASES,
        help="a JSON array of cases with expected 'totals' (default: the 128 published cases "
        "shipped with CordTrack)",
    )  # fmt: skip
    what.add_argument("--patients", metavar="N", type=int, help="synthetic patients to generate")
    parser.add_argument(
        "--sites",
        default="NTH,STH",
        help="site codes, comma-separated, or a number of sites (default NTH,STH)",
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--cohort", action="store_true",
                        help="only treated patients followed past 12 months")  # fmt: skip


def site_codes(text: str) -> list[str]:
    """``"NTH,STH"`` -> the codes; ``"3"`` -> SYA, SYB, SYC. Raises UsageError when invalid."""
    if text.strip().isdigit():
        count = int(text)
        if not 1 <= count <= _MAX_SITES:
            raise UsageError(f"--sites: between 1 and {_MAX_SITES} sites")
        letters = string.ascii_uppercase
        return [f"S{letters[i // 26]}{letters[i % 26]}" if i >= 26 else f"SY{letters[i]}"
                for i in range(count)]  # fmt: skip
    codes = [c.strip() for c in text.split(",") if c.strip()]
    bad = [
        c for c in codes if not (c.isascii() and c.isalpha() and c.isupper() and 2 <= len(c) <= 5)
    ]
    if not codes or bad:
        raise UsageError(f"--sites: site codes are 2 to 5 capital letters, got {text!r}")
    return codes


def run(args: argparse.Namespace) -> int:
    if args.patients is not None:
        return _generate(args)
    return _published_cases(args.cases)


def _generate(args: argparse.Namespace) -> int:
    if args.patients < 1:
        raise UsageError("--patients must be at least 1")
    codes = site_codes(args.sites)

    from django.core.exceptions import ImproperlyConfigured

    from . import setup_django

    setup_django()
    from cordtrack.server.synthetic import generate

    started = time.perf_counter()

    def progress(done: int, total: int) -> None:
        print(f"{done}/{total} patients ({time.perf_counter() - started:.0f} s)", file=sys.stderr)

    try:
        made = generate(args.patients, codes, args.seed, cohort=args.cohort, progress=progress)
    except (ImproperlyConfigured, ValueError) as exc:
        raise UsageError(str(exc)) from None
    rate = made.patients / made.seconds if made.seconds else 0.0
    print(json.dumps({"patients": made.patients, "sites": codes, "seed": args.seed,
                      "seconds": round(made.seconds, 1), "patients_per_second": round(rate),
                      "rows": made.counts}, indent=2))  # fmt: skip
    return 0


def _published_cases(path: Path) -> int:
    from cordtrack.isncsci import RESULT_KEYS, ExamValidationError, classify, parse_exam
    from cordtrack.isncsci.published import DIFFERENCES

    cases = _load(path)
    print(f"{'id':>4}  {'NLI':<{_WIDE}}  {'AIS':<9}  agreement")
    cases_agree = fields_agree = documented = 0
    notes: list[str] = []
    for case in cases:
        expected = case.get("totals")
        if not isinstance(expected, Mapping):
            raise UsageError(f"{path}: case {case.get('id')} has no expected 'totals'")
        try:
            found = classify(parse_exam(case)).to_flat()
        except ExamValidationError as exc:
            print(f"{case.get('id')!s:>4}  invalid exam: {exc}")
            continue
        differ = [key for key in RESULT_KEYS if found[key] != expected.get(key)]
        as_documented = [
            d for d in DIFFERENCES if _documented(d, case, found) and d.field in differ
        ]
        for d in as_documented:
            differ.remove(d.field)
            notes.append(
                f"case {d.id} {d.field}: published {d.published}, CordTrack {d.cordtrack}."
                f" {d.reason}"
            )
        agree = len(RESULT_KEYS) - len(differ)
        fields_agree += agree - len(as_documented)
        documented += len(as_documented)
        cases_agree += not differ and not as_documented
        note = f"{agree}/{len(RESULT_KEYS)}" + (f"  differ: {', '.join(differ)}" if differ else "")
        note += "  (differs as documented)" if as_documented else ""
        nli = _cut(found["neurologicalLevelOfInjury"])
        print(f"{case.get('id')!s:>4}  {nli:<{_WIDE}}  {found['asiaImpairmentScale']:<9}  {note}")
    total_fields = len(cases) * len(RESULT_KEYS)
    summary = f"\n{cases_agree}/{len(cases)} cases, {fields_agree}/{total_fields} fields agree"
    if documented:
        summary += f"; {documented} fields differ as documented:"
    print(summary)
    for line in notes:
        print(textwrap.fill(line, width=100, initial_indent="  ", subsequent_indent="    "))
    return 0 if fields_agree + documented == total_fields else 1


def _documented(d: Difference, case: Mapping[str, object], found: Mapping[str, str]) -> bool:
    """Whether a case's field differs from its published value exactly as ``d`` documents."""
    totals = case.get("totals")
    published = totals.get(d.field) if isinstance(totals, Mapping) else None
    return (d.id, d.published, d.cordtrack) == (case.get("id"), published, found[d.field])


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
