"""``manage.py audit verify``: check the audit trail's hash chain (exit 1 naming each break)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ...chain import verify
from ...models import AuditEntry


class Command(BaseCommand):
    help = "Audit trail tools. `audit verify` exits 0 when the hash chain is intact, 1 otherwise."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        problems = list(verify())
        if problems:
            for problem in problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"audit trail is NOT intact: {len(problems)} problem(s)", returncode=1
            )
        count = AuditEntry.objects.count()
        self.stdout.write(f"audit trail intact: {count} entries verified")
