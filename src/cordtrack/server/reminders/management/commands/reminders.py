"""``manage.py reminders run [--json]``: send the patient reminders due now (docs/reminders.md).

Queues each due reminder once per channel through the outbox and delivers them; prints what it
sent (log id, channel, template, language: never an address, a name or a text). Exit 1 when a
message failed for good during the run.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ...engine import run


class Command(BaseCommand):
    help = "Send the patient reminders (visits, questionnaires) due now, by e-mail and SMS."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["run"])
        parser.add_argument("--json", action="store_true", help="print the report as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        report = run().to_dict()
        if options["json"]:
            self.stdout.write(json.dumps(report, sort_keys=True))
        else:
            self.stdout.write(
                f"reminders: {report['sent']} sent ({report['email']} e-mail, {report['sms']} "
                f"SMS), {report['queued']} queued now, {report['waiting']} waiting for a retry, "
                f"{report['failed']} failed"
            )
            for m in report["messages"]:
                self.stdout.write(
                    f"  #{m['id']} {m['channel']} {m['template']} ({m['language']}) sent"
                )
            if report["skipped"]:
                skipped = ", ".join(f"{n} {why}" for why, n in report["skipped"].items())
                self.stdout.write(f"  not queued: {skipped}")
        if report["failed"]:
            raise CommandError(f"{report['failed']} message(s) failed for good", returncode=1)
