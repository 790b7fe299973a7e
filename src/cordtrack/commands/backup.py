"""Back up the whole registry into one file: the database, uploaded documents, audit anchors.

    cordtrack backup -o ~/cordtrack-2026-12-06.backup

The database named by DATABASE_URL is copied while the registry keeps running (SQLite: its online
backup API; PostgreSQL: pg_dump's custom format, which needs the PostgreSQL client programs of the
server's major version), with every uploaded document and the audit anchors file, into a
gzip-compressed tar file with a manifest of checksums. The keys are not in it: keep
CORDTRACK_AUDIT_KEY in the secret store, or the restored audit trail cannot be verified. The file
holds every patient's data: store it encrypted. `cordtrack restore FILE` puts it back.

exit status: 0 written, 1 failed (nothing written), 2 usage error, 78 bad configuration
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import setup_django

NAME = "backup"
HELP = "back up the database, documents and audit anchors into one file"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-o", "--output", type=Path, required=True, metavar="FILE",
        help="the backup file to write (must not exist)",
    )  # fmt: skip


def run(args: argparse.Namespace) -> int:
    setup_django()
    from cordtrack.server.backups import BackupError, create
    from cordtrack.server.dbdumps import DumpError

    output = args.output.expanduser().absolute()
    try:
        summary = create(output)
    except (BackupError, DumpError) as exc:
        print(f"cordtrack backup: {exc}", file=sys.stderr)
        return 1
    anchors = ", the audit anchors" if summary.anchors else ""
    print(
        f"{output}: {summary.engine} database ({summary.audit_entries} audit entries), "
        f"{summary.documents} documents{anchors}; {summary.size / 1e6:.1f} MB"
    )
    return 0
