"""Export the registry's data (the database in DATABASE_URL, default var/cordtrack.sqlite3).

    cordtrack export fhir --out DIR            FHIR R4 NDJSON, one file per resource type
    cordtrack export csv --out exams.csv       ISNCSCI exams in the flat format (and results)
    cordtrack export redcap --out data.csv     exams as a REDCap export of the ISNCSCI instrument
                         [--dictionary DICT.csv] [--mapping MAP.json]   and its data dictionary
    cordtrack export deidentified --out DIR    the de-identified research dataset (README inside)

--site CODE limits to one site; --as USERNAME to what that user may read (default: everything).

exit status: 0 written, 1 nothing to export or no such user/site, 2 usage error
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from . import UsageError

NAME = "export"
HELP = "export FHIR, flat CSV, REDCap or de-identified research data"
KINDS = ("fhir", "csv", "redcap", "deidentified")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("kind", choices=KINDS)
    parser.add_argument("--out", type=Path, required=True, help="output file (csv, redcap) or dir")
    parser.add_argument("--site", help="only this site (code, e.g. NTH)")
    parser.add_argument("--as", dest="username", help="only what this user may read")
    parser.add_argument("--dictionary", type=Path, help="REDCap data dictionary (redcap)")
    parser.add_argument("--mapping", type=Path, help="REDCap field/visit mapping JSON (redcap)")


def boot() -> None:
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cordtrack.server.settings")
    import django

    django.setup()


def patients_for(args: argparse.Namespace) -> Any:
    """The patients the export covers, or raises UsageError."""
    from cordtrack.server.access import scoped
    from cordtrack.server.accounts.models import Site, User
    from cordtrack.server.patients.models import Patient

    patients = Patient.objects.select_related("site").order_by("pk")
    if args.username:
        user = User.objects.filter(username=args.username).first()
        if user is None:
            raise UsageError(f"no user {args.username!r}")
        patients = scoped(user, patients)
    if args.site:
        if not Site.objects.filter(code=args.site).exists():
            raise UsageError(f"no site {args.site!r}")
        patients = patients.filter(site__code=args.site)
    return patients


def run(args: argparse.Namespace) -> int:
    boot()
    from cordtrack.server.exams.models import IsncsciExam
    from cordtrack.server.interop import deidentify, fhir, flatcsv, redcap

    patients = patients_for(args)
    if args.kind == "fhir":
        args.out.mkdir(parents=True, exist_ok=True)
        counts = fhir.write_ndjson_files(patients, args.out)
        for kind, count in counts.items():
            print(f"{kind}.ndjson: {count} resources", file=sys.stderr)
        return 0
    if args.kind == "deidentified":
        if args.out.exists() and any(args.out.iterdir()):
            raise UsageError(f"{args.out} is not empty")
        for name, count in deidentify.export(patients, args.out).items():
            print(f"{name}: {count} rows", file=sys.stderr)
        return 0
    exams = (
        IsncsciExam.objects.filter(patient__in=patients)
        .select_related("patient", "visit", "source")
        .order_by("patient__study_id", "exam_date", "pk")
    )
    with args.out.open("w", encoding="utf-8", newline="") as stream:
        if args.kind == "csv":
            count = flatcsv.write_csv(exams, stream)
        else:
            source = args.dictionary or redcap.DEFAULT_DICTIONARY
            mapping = redcap.load_mapping(args.mapping)
            count = redcap.write_export(
                exams, redcap.instrument_dictionary(source), mapping, stream
            )
            beside = args.out.with_name(f"{args.out.stem}_DataDictionary.csv")
            redcap.write_dictionary(source, mapping, beside)
            print(f"data dictionary written to {beside}", file=sys.stderr)
    print(f"{count} exams written to {args.out}", file=sys.stderr)
    return 0 if count else 1
