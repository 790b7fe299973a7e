"""Restore a backup (`cordtrack backup`) into the empty database DATABASE_URL names.

    createdb -h 127.0.0.1 -U postgres cordtrack_restored
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cordtrack_restored cordtrack restore FILE

The backup's checksums are checked first; then the database must be empty (no tables) and of the
backup's engine, the documents folder empty and no audit anchors file present, or nothing is
written. The database is restored whole or not at all, then the documents and the anchors file,
and the audit trail is verified against the anchors with this registry's CORDTRACK_AUDIT_KEY
(the backed-up registry's key is needed: it is not in the backup). Run `cordtrack manage migrate`
afterwards when this release is newer than the backup.

exit status: 0 restored and verified, 1 refused or failed (or restored but the audit trail does
not verify), 2 usage error, 78 bad configuration
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import setup_django

NAME = "restore"
HELP = "restore a backup into the empty database named by DATABASE_URL"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("backup", type=Path, metavar="FILE", help="a file `cordtrack backup` wrote")


def run(args: argparse.Namespace) -> int:
    setup_django()
    from django.conf import settings
    from django.core.management import call_command
    from django.core.management.base import CommandError

    from cordtrack.server.backups import BackupError, anchors_file, restore
    from cordtrack.server.dbdumps import DumpError

    try:
        summary = restore(args.backup.expanduser())
    except (BackupError, DumpError) as exc:
        print(f"cordtrack restore: {exc}", file=sys.stderr)
        return 1
    anchors = ", the audit anchors" if summary.anchors else ""
    print(
        f"restored: {summary.engine} database ({summary.audit_entries} audit entries), "
        f"{summary.documents} documents{anchors}"
    )
    # `audit verify` reads the registry's own anchors file (settings.AUDIT_ANCHORS_FILE), where
    # the backup's anchors were just put.
    kept = getattr(settings, "AUDIT_ANCHORS_FILE", None)
    try:
        call_command(
            "audit", "verify", anchors=anchors_file() if summary.anchors and not kept else None
        )
    except CommandError as exc:
        print(
            f"cordtrack restore: {exc}; is CORDTRACK_AUDIT_KEY the backed-up registry's key?",
            file=sys.stderr,
        )
        return 1
    return 0
