"""Run a Django management command of the registry (``manage.py`` without the file)."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``argv`` (default ``sys.argv[1:]``) as a management command; returns the exit code."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cordtrack.server.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    try:
        execute_from_command_line(["cordtrack-manage", *args])
    except SystemExit as stop:
        return stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    return 0
