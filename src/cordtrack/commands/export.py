"""Export the registry's data (the database in DATABASE_URL, default var/cordtrack.sqlite3).

    cordtrack export fhir --out DIR            FHIR R4 NDJSON, one file per resource type
    cordtrack export csv --out exams.csv       ISNCSCI exams in the flat format (and results)
    cordtrack export redcap --out data.csv     exams as a REDCap export of the ISNCSCI instrument
                         [--dictionary DICT.csv] [--mapping MAP.json]   and its data dictionary
    cordtrack export deidentified --out DIR [--formats csv,sav,dta]
                                               the de-identified research dataset (README and
                                               codebook inside), as CSV, SPSS and/or Stata

--site CODE limits to one site; --as USERNAME to what that user may read (default: everything).
Every patient whose records are written is first recorded in the audit trail as a download (by
the --as user, or the system), naming the export, the destination and the OS user who ran it.

exit status: 0 written, 1 nothing to export or no such user/site, 2 usage error
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from . import UsageError, run_by

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
    parser.add_argument(
        "--formats", default="csv", help="deidentified: csv, sav (SPSS), dta (Stata), e.g. csv,sav"
    )
    parser.add_argument(
        "--answers", choices=["all", "validated"], default="all",
        help="deidentified: validated leaves out questionnaires answered to a working (not "
        "validated) translation (ADR 0044); the README says so",
    )  # fmt: skip


def boot() -> None:
    from . import setup_django

    setup_django()


def patients_for(args: argparse.Namespace) -> Any:
    """The patients the export covers, or raises UsageError."""
    from cordtrack.server.access import scoped
    from cordtrack.server.accounts.models import Site, User
    from cordtrack.server.consent.scopes import without_withdrawn
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
    # Patients withdrawn from further data use never leave, in any format (consent/scopes.py).
    return without_withdrawn(patients)


def _formats(text: str) -> tuple[str, ...]:
    from cordtrack.server.interop.researchfiles import FORMATS

    chosen = tuple(dict.fromkeys(f.strip().lower() for f in text.split(",") if f.strip()))
    unknown = [f for f in chosen if f not in FORMATS]
    if not chosen or unknown:
        raise UsageError(f"--formats: choose from {', '.join(FORMATS)} (got {text!r})")
    return chosen


def run(args: argparse.Namespace) -> int:
    boot()
    formats = _formats(args.formats)
    if formats != ("csv",) and args.kind != "deidentified":
        raise UsageError("--formats applies to the deidentified export only")
    if args.answers != "all" and args.kind != "deidentified":
        raise UsageError("--answers applies to the deidentified export only")
    from contextlib import ExitStack

    from cordtrack.server.accounts.models import User
    from cordtrack.server.consent.scopes import usable_for_research
    from cordtrack.server.exams.models import IsncsciExam
    from cordtrack.server.interop import deidentify, fhir, flatcsv, redcap
    from cordtrack.server.services.exports import record_export

    patients = patients_for(args)
    exams = (
        IsncsciExam.objects.signed()  # drafts never leave the registry
        .filter(patient__in=patients)
        .select_related("patient", "visit", "source")
        .order_by("patient__study_id", "exam_date", "pk")
    )
    if args.kind == "redcap":  # a bad dictionary or mapping stops here, before anything is written
        source = args.dictionary or redcap.DEFAULT_DICTIONARY
        dictionary, mapping = redcap_inputs(source, args.mapping)
    with ExitStack() as stack:
        stream = _open_destination(args, stack)
        # Whose records the files will hold: in the audit trail before a byte is written.
        if args.kind == "deidentified":
            leaving = usable_for_research(patients)
        elif args.kind == "fhir":
            leaving = patients
        else:
            leaving = patients.filter(pk__in=exams.values("patient_id"))
        actor = User.objects.get(username=args.username) if args.username else None
        where = str(args.out.resolve())
        record_export(actor, leaving, kind=args.kind, destination=where, by=run_by())
        if args.kind == "fhir":
            for kind, count in fhir.write_ndjson_files(patients, args.out).items():
                print(f"{kind}.ndjson: {count} resources", file=sys.stderr)
            return 0
        if args.kind == "deidentified":
            answers = "" if args.answers == "all" else args.answers
            for name, count in deidentify.export(patients, args.out, formats, answers).items():
                print(f"{name}: {count} rows", file=sys.stderr)
            if answers:
                print(f"filtered: {deidentify.ANSWERS_NOTE}", file=sys.stderr)
            return 0
        assert stream is not None
        if args.kind == "csv":
            count = flatcsv.write_csv(exams, stream)
        else:
            count = redcap.write_export(exams, dictionary, mapping, stream)
            beside = args.out.with_name(f"{args.out.stem}_DataDictionary.csv")
            redcap.write_dictionary(source, mapping, beside)
            print(f"data dictionary written to {beside}", file=sys.stderr)
    print(f"{count} exams written to {args.out}", file=sys.stderr)
    return 0 if count else 1


def redcap_inputs(dictionary: Path, mapping: Path | None) -> tuple[Any, Any]:
    """The REDCap data dictionary and field mapping, or a usage error saying what is wrong."""
    from cordtrack.server.interop import redcap

    try:
        return redcap.instrument_dictionary(dictionary), redcap.load_mapping(mapping)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    except OSError as exc:
        raise UsageError(f"cannot read {exc.filename}: {exc.strerror}") from None


def _open_destination(args: argparse.Namespace, stack: Any) -> Any:
    """The output file (csv, redcap) opened for writing, or the output folder made (None); a
    destination that cannot be written is a usage error, raised before anything is recorded."""
    try:
        if args.kind in ("fhir", "deidentified"):
            if args.kind == "deidentified" and args.out.exists() and any(args.out.iterdir()):
                raise UsageError(f"{args.out} is not empty")
            args.out.mkdir(parents=True, exist_ok=True)
            return None
        return stack.enter_context(args.out.open("w", encoding="utf-8", newline=""))
    except OSError as exc:
        raise UsageError(f"cannot write {args.out}: {exc.strerror}") from None
