"""Questionnaire translations: which wording each language gets, and recording a validated one.

    cordtrack translations list                      each patient questionnaire x language: status
    cordtrack translations record --as USERNAME --instrument CODE --language LANG
        --source "CITATION" --texts FILE.json [--validated-on YYYY-MM-DD]

A language without a recorded validated translation shows the package's working translation,
labelled not validated (ADR 0044). ``record`` needs a user holding the protocols capability (a
data manager); FILE holds the validated wording in the shape of one instrument's entry of
``followup/questionnaire_texts/<lang>.json`` (``name``, ``items`` with each item's ``label`` and
the published answers' ``options``). Recording is in the audit trail.

exit status: 0 done, 1 refused (field errors printed), 2 usage error
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from . import UsageError

NAME = "translations"
HELP = "list questionnaire translations; record a validated one"


def configure(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True)
    actions.add_parser("list", help="each patient questionnaire and language: its wording")
    record = actions.add_parser("record", help="record a validated translation with its source")
    record.add_argument("--as", dest="username", required=True, help="a data manager's username")
    record.add_argument("--instrument", required=True)
    record.add_argument("--language", required=True)
    record.add_argument("--source", required=True, help="citation of the validation")
    record.add_argument("--texts", type=Path, required=True, help="the validated wording (JSON)")
    record.add_argument("--validated-on", type=dt.date.fromisoformat, help="default: today")


def run(args: argparse.Namespace) -> int:
    from . import setup_django

    setup_django()
    from django.conf import settings
    from django.core.exceptions import PermissionDenied, ValidationError

    from cordtrack.server.accounts.models import User
    from cordtrack.server.followup.wording import ORIGINAL_LANGUAGE, wording
    from cordtrack.server.services.portal import PATIENT_REPORTED
    from cordtrack.server.services.translations import record_validated_translation

    if args.action == "list":
        languages = [code for code, _ in settings.LANGUAGES if code != ORIGINAL_LANGUAGE]
        print(f"{'questionnaire':<16}" + "".join(f"{code:<11}" for code in languages))
        for code in PATIENT_REPORTED:
            cells = "".join(f"{wording(code, lang).status:<11}" for lang in languages)
            print(f"{code:<16}{cells}".rstrip())
        return 0
    actor = User.objects.filter(username=args.username).first()
    if actor is None:
        raise UsageError(f"no user {args.username!r}")
    try:
        texts = json.loads(args.texts.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"--texts: {exc}") from None
    try:
        recorded = record_validated_translation(
            actor, instrument=args.instrument, language=args.language, source=args.source,
            texts=texts, validated_on=args.validated_on,
        )  # fmt: skip
    except PermissionDenied as exc:
        print(f"cordtrack translations: refused: {exc}", file=sys.stderr)
        return 1
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            for message in messages:
                print(f"{field}: {message}", file=sys.stderr)
        return 1
    print(f"recorded: {recorded}")
    return 0
