"""``manage.py recompute_exams``: reclassify every stored exam with the current engine.

Exams whose stored classification differs (or is missing) are updated through the exams
service, so each change is audited with the reason "engine update". ``--check`` only reports.
Exit 1 with ``--check`` when any exam would change.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ...models import IsncsciExam
from ...services_bridge import classification_differs, recompute


class Command(BaseCommand):
    help = "Reclassify stored ISNCSCI exams with the current engine (audited)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help="report only; exit 1 if stale")

    def handle(self, *args: Any, **options: Any) -> None:
        checked = stale = 0
        for exam in IsncsciExam.objects.order_by("pk").iterator(chunk_size=500):
            checked += 1
            if options["check"]:
                stale += classification_differs(exam)
            else:
                stale += recompute(exam)
        verb = "would change" if options["check"] else "reclassified"
        self.stdout.write(f"{checked} exams checked, {stale} {verb}")
        if options["check"] and stale:
            raise CommandError(f"{stale} exams are stale", returncode=1)
