"""Check the registry's audit trail (the Django management command ``audit``).

``cordtrack audit verify`` recomputes the hash chain of the audit trail in the database named by
DATABASE_URL (default var/cordtrack.sqlite3) and names every entry that was altered or removed.

exit status: 0 intact, 1 a break was found, 2 usage error
"""

from __future__ import annotations

import argparse

NAME = "audit"
HELP = "verify the registry's hash-chained audit trail"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=["verify"], help="verify: check every entry's hash")


def run(args: argparse.Namespace) -> int:
    import os
    import sys

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cordtrack.server.settings")
    import django
    from django.core.management import call_command
    from django.core.management.base import CommandError

    django.setup()
    try:
        call_command("audit", args.action)
    except CommandError as exc:
        print(f"cordtrack audit: {exc}", file=sys.stderr)
        return 1
    return 0
