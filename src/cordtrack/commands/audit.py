"""Check the registry's audit trail, and anchor it outside the database (the Django management
command ``audit``).

``cordtrack audit verify`` recomputes the hash chain of the audit trail in the database named by
DATABASE_URL (default var/cordtrack.sqlite3), checks every entry's seal under the audit key
(CORDTRACK_AUDIT_KEY, kept outside the database) and checks the trail against the anchors file
CordTrack keeps (var/audit-anchors.jsonl): it names every entry altered, removed or resealed, and
a trail shortened or emptied. With ``--anchors FILE`` it also checks the anchors in FILE.
``cordtrack audit anchor`` prints the head of the verified trail as an anchor line and adds it to
the kept anchors file (``--to FILE``: to FILE instead): keep anchors where the database's
administrators cannot change them (another system, a signed daily report). See SECURITY.md.

exit status: 0 intact (anchor taken), 1 a break was found, 2 usage error
"""

from __future__ import annotations

import argparse
from pathlib import Path

NAME = "audit"
HELP = "verify or anchor the hash-chained audit trail"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "action", choices=["verify", "anchor", "seal"],
        help="verify: check every entry's hash; anchor: print the verified head; seal: chain "
        "the staged entries now",
    )  # fmt: skip
    parser.add_argument(
        "--anchors", type=Path, metavar="FILE",
        help="verify: a file of anchors the trail must still match",
    )  # fmt: skip
    parser.add_argument(
        "--to",
        type=Path,
        metavar="FILE",
        help="anchor: add the anchor to FILE (default: the kept anchors file)",
    )


def run(args: argparse.Namespace) -> int:
    import sys

    from django.core.management import call_command
    from django.core.management.base import CommandError

    from . import setup_django

    setup_django()
    try:
        call_command("audit", args.action, anchors=args.anchors, to=args.to)
    except CommandError as exc:
        print(f"cordtrack audit: {exc}", file=sys.stderr)
        return exc.returncode
    return 0
