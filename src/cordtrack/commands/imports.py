"""Import ISNCSCI exams from a flat CSV or a REDCap export, as one registry user.

    cordtrack import csv exams.csv --as clinician@nth [--commit]
    cordtrack import redcap data.csv --as clinician@nth [--dictionary DICT.csv]
                            [--mapping MAP.json] [--commit]

Without --commit it is a dry run: every row is checked and every error reported (row, field,
value, message), nothing is written. With --commit the rows are recorded all together in one
transaction, or, if any row is bad, none of them. Each exam is classified by the engine and
audited as entered by the --as user, who must be allowed to record exams for the patient.
Importing the same file again creates nothing: a row whose exam is already recorded, or that
repeats an earlier row (for REDCap: the same record_id, event and repeat instance), is skipped
and named ("row N: skipped: ..."); the same REDCap identity with other values is an error.

exit status: 0 all rows good (and committed with --commit), 1 some row is bad, 2 usage error
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import UsageError

NAME = "import"
HELP = "import ISNCSCI exams from flat CSV or REDCap (dry run default)"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("kind", choices=("csv", "redcap"))
    parser.add_argument("input", type=Path, help="the CSV file")
    parser.add_argument("--as", dest="username", required=True, help="the registry user")
    parser.add_argument("--commit", action="store_true", help="write (default: dry run)")
    parser.add_argument("--dictionary", type=Path, help="REDCap data dictionary (redcap)")
    parser.add_argument("--mapping", type=Path, help="REDCap field/visit mapping JSON (redcap)")


def run(args: argparse.Namespace) -> int:
    if not args.input.is_file():
        raise UsageError(f"{args.input}: no such file")
    from .export import boot, redcap_inputs

    boot()
    from cordtrack.server.accounts.models import User
    from cordtrack.server.interop import flatcsv, redcap
    from cordtrack.server.services.imports import import_exams

    user = User.objects.filter(username=args.username, is_active=True).first()
    if user is None:
        raise UsageError(f"no active user {args.username!r}")
    with args.input.open(encoding="utf-8-sig", newline="") as stream:
        if args.kind == "csv":
            rows, errors = flatcsv.read_rows(stream)
        else:
            source = args.dictionary or redcap.DEFAULT_DICTIONARY
            dictionary, mapping = redcap_inputs(source, args.mapping)
            rows, errors = redcap.read_export(stream, dictionary, mapping)
    skipped: list[object] = []
    if errors:
        report_errors = errors
        committed = False
    else:
        report = import_exams(user, rows, dry_run=not args.commit, source=args.kind)
        report_errors, committed = report.errors, report.committed
        skipped = list(report.skipped)
    for line in (*skipped, *report_errors):
        print(line, file=sys.stderr)
    if report_errors:
        print(
            f"{len(report_errors)} error(s) in {len(rows)} rows: nothing imported", file=sys.stderr
        )
        return 1
    verb = "imported" if committed else "checked (dry run; --commit to import)"
    also = f"; {len(skipped)} row(s) skipped, already recorded" if skipped else ""
    print(f"{len(rows) - len(skipped)} exams {verb}{also}", file=sys.stderr)
    return 0
