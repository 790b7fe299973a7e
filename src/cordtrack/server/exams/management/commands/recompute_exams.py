"""``manage.py recompute_exams``: reclassify every stored exam with the current engine, in bulk.

Runs :func:`cordtrack.server.services.reclassification.reclassify_exams`: the batch engine over
chunks of exams, a ``bulk_update`` and one audit entry per changed exam (reason "engine update to
<version>"), over the exams of every site (registry maintenance by a data steward on the server).
The audit entries name ``--actor`` (a username) or ``system``. A progress bar goes to stderr when
it is a terminal; the summary (examined, unchanged, changed, unparseable, seconds, exams/s) to
stdout; each unparseable exam to stderr (it is left unchanged).

``--check`` writes nothing and exits 1 when any exam would change (for CI or cron).
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from ....accounts.models import User
from ....services.reclassification import reclassify_exams
from ...models import IsncsciExam

#: Unparseable exams listed one per line; beyond that, a count.
_LISTED = 50


class Command(BaseCommand):
    help = (
        "Reclassify all stored ISNCSCI exams with the current engine (batch, bulk, audited). "
        "--check: report only, exit 1 if any exam would change."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check", action="store_true", help="write nothing; exit 1 if any exam would change"
        )
        parser.add_argument(
            "--chunk", type=int, default=5000, help="exams per chunk and transaction (5000)"
        )
        parser.add_argument(
            "--actor", default="", help="username named in the audit entries (default: system)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["chunk"] < 1:
            raise CommandError("--chunk must be at least 1", returncode=2)
        actor = None
        if options["actor"]:
            actor = User.objects.filter(username=options["actor"], is_active=True).first()
            if actor is None:
                raise CommandError(f"no active user {options['actor']!r}", returncode=2)
        show = sys.stderr.isatty()
        total = IsncsciExam.objects.count() if show else None
        with tqdm(total=total, unit="exam", file=sys.stderr, disable=not show) as bar:
            report = reclassify_exams(
                actor, check_only=options["check"], chunk=options["chunk"], progress=bar.update
            )
        for problem in report.unparseable[:_LISTED]:
            self.stderr.write(f"unparseable, left unchanged: {problem}")
        if len(report.unparseable) > _LISTED:
            self.stderr.write(f"... and {len(report.unparseable) - _LISTED} more unparseable exams")
        self.stdout.write(report.summary())
        if options["check"] and report.changed:
            raise CommandError(
                f"{report.changed} exams are stale: their stored classification differs from "
                f"{report.engine_version}",
                returncode=1,
            )
