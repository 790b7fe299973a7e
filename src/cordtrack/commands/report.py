"""Outcome and safety reports of one or more sites (the same figures as the report pages).

``cordtrack report outcomes --site NTH --format json`` prints the cohort report (responder
definition, rates with Wilson 95% intervals, lost-to-follow-up bounds, strata beside the natural
history, Kaplan-Meier steps); with ``--protocol`` naming a randomised protocol (``CT-MSC-RCT``) it
prints the arm comparison instead (per-arm figures, differences with 95% intervals, CONSORT
flow); ``safety`` the adverse-event rates with exact intervals. ``--format pdf`` writes the PDF
to ``-o FILE`` (required for pdf). Reads the database named by DATABASE_URL (default
var/cordtrack.sqlite3).

exit status: 0 done, 2 usage error (unknown site, pdf without -o)
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from cordtrack.clinical.numbers import real_number

from . import UsageError

NAME = "report"
HELP = "cohort outcome and safety reports of a site, as JSON or PDF"
DEFINITION_HELP = "responder definition (outcomes): " + ", ".join(
    ("ais1_12m", "ais2_12m", "ais1_6m", "lems10_12m", "uems10_12m", "scim10_12m")
)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("kind", choices=["outcomes", "safety"])
    parser.add_argument("--site", action="append", required=True, metavar="CODE",
                        help="site code; repeat for several sites")  # fmt: skip
    parser.add_argument("--format", choices=["json", "pdf"], default="json")
    parser.add_argument("-o", "--output", type=Path, help="write here instead of stdout")
    parser.add_argument("--definition", default="ais1_12m", help=DEFINITION_HELP)
    parser.add_argument("--at-least", type=float, help="threshold of a score-gain definition")
    for name in ("protocol", "cell-type", "route", "baseline-ais", "phase"):
        parser.add_argument(f"--{name}", default="", help=f"cohort filter: {name}")
    parser.add_argument(
        "--answers", choices=["all", "validated"], default="all",
        help="validated: leave out questionnaires answered to a working (not validated) "
        "translation (ADR 0044); the report says so in its filters",
    )  # fmt: skip


def run(args: argparse.Namespace) -> int:

    from . import setup_django

    setup_django()
    from cordtrack.server.reports import figures, serialize
    from cordtrack.server.reports.context import outcomes_context, safety_context
    from cordtrack.server.reports.pdf import render_pdf

    known = figures.known_sites()
    unknown = [code for code in args.site if code not in known]
    if unknown:
        raise UsageError(f"unknown site {', '.join(unknown)} (known: {', '.join(known)})")
    if args.format == "pdf" and args.output is None:
        raise UsageError("--format pdf needs -o FILE")
    if args.definition not in figures.DEFINITIONS:
        raise UsageError(f"unknown definition {args.definition!r}; {DEFINITION_HELP}")
    # As the report page's field: argparse's float() takes "nan" and "inf", where no gain compares.
    threshold = 0.0 if args.at_least is None else real_number(args.at_least)
    if threshold is None or threshold < 0:
        raise UsageError(f"--at-least must be a finite number of at least 0, got {args.at_least}")
    sites = tuple(args.site)
    from cordtrack.server.intake.models import Protocol

    randomised = Protocol.objects.filter(code=args.protocol, design="randomised").exists()
    if args.kind == "outcomes" and randomised:
        # A randomised protocol: figures per arm, their differences and a CONSORT flow.
        from cordtrack.server.reports.arms import arm_report

        data = arm_report(
            sites, args.protocol, figures.definition_for(args.definition, args.at_least)
        )
        template, context = "reports/pdf/arms.html", {"r": data}
    elif args.kind == "outcomes":
        filters = figures.CohortFilters(
            sites,
            args.protocol,
            args.cell_type,
            args.route,
            args.baseline_ais,
            args.phase,
            answers="" if args.answers == "all" else args.answers,
        )
        definition = figures.definition_for(args.definition, args.at_least)
        report = figures.outcomes_report(figures.cohort_courses(filters), definition)
        data, template, context = (
            serialize.outcomes(report), "reports/pdf/cohort.html", outcomes_context(report),
        )  # fmt: skip
    else:
        safety = figures.safety_report(sites)
        data, template, context = (
            serialize.safety(safety), "reports/pdf/safety.html", safety_context(safety),
        )  # fmt: skip
    if args.format == "pdf":
        args.output.write_bytes(render_pdf(template, context))
        return 0
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if args.output is None:
        sys.stdout.write(text)
    else:
        args.output.write_text(text, encoding="utf-8")
    return 0
