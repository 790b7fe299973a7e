"""Run a Django management command of the registry (``manage.py`` without the file)."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

EXIT_CONFIG = 78  # as cordtrack.commands.EXIT_CONFIG (sysexits.h EX_CONFIG)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``argv`` (default ``sys.argv[1:]``) as a management command; returns the exit code.

    Settings are loaded first, so a bad configuration is one line naming the variable (exit 78),
    not the traceback Django would print from inside the command."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cordtrack.server.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        settings.INSTALLED_APPS  # noqa: B018 (imports the settings module)
    except ImproperlyConfigured as exc:
        print(f"cordtrack: configuration: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        execute_from_command_line(["cordtrack-manage", *args])
    except SystemExit as stop:
        return stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    return 0
