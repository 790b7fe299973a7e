"""``manage.py outbox``: deliver the notification outbox, show it, requeue failed messages.

- ``outbox deliver [--loop] [--interval S] [--limit N]``: send the due messages once (exit 1 when
  one failed for good), or keep doing so every S seconds until interrupted;
- ``outbox status``: counts per status, and the messages not sent yet (id, topic, attempts, next
  attempt, last error; never the message itself, which names a patient's study id);
- ``outbox requeue [ID ...]``: give failed messages (all, or those named) fresh attempts.
"""

from __future__ import annotations

import signal
import time
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count

from ...delivery import deliver_due, requeue_failed
from ...models import OutboxMessage, OutboxStatus


class Command(BaseCommand):
    help = "Deliver the notification outbox (deliver [--loop]), show it (status), requeue failed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["deliver", "status", "requeue"])
        parser.add_argument("ids", nargs="*", type=int, help="requeue: these failed messages")
        parser.add_argument("--loop", action="store_true", help="deliver: keep delivering")
        parser.add_argument(
            "--interval", type=float, default=10.0, help="deliver --loop: seconds between rounds"
        )
        parser.add_argument("--limit", type=int, default=100, help="deliver: messages per round")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["limit"] < 1 or options["interval"] <= 0:
            raise CommandError("--limit and --interval must be positive", returncode=2)
        action = options["action"]
        if action == "status":
            self._status()
        elif action == "requeue":
            count = requeue_failed(options["ids"] or None)
            self.stdout.write(f"{count} failed message(s) queued again")
        elif options["loop"]:
            self._loop(options["interval"], options["limit"])
        else:
            report = deliver_due(limit=options["limit"])
            self._report(report.sent, report.retrying, report.failed)
            if report.failed:
                raise CommandError(f"{report.failed} message(s) failed for good", returncode=1)

    def _report(self, sent: int, retrying: int, failed: int) -> None:
        self.stdout.write(f"outbox: {sent} sent, {retrying} to retry, {failed} failed")

    def _loop(self, interval: float, limit: int) -> None:
        stop = False

        def finish(signum: int, frame: FrameType | None) -> None:
            nonlocal stop
            stop = True

        signal.signal(signal.SIGTERM, finish)
        self.stdout.write(f"outbox: delivering every {interval:g} s (Ctrl-C to stop)")
        try:
            while not stop:
                report = deliver_due(limit=limit)
                if report.claimed:
                    self._report(report.sent, report.retrying, report.failed)
                if report.claimed < limit:
                    time.sleep(interval)
        except KeyboardInterrupt:
            pass
        self.stdout.write("outbox: stopped")

    def _status(self) -> None:
        counts = dict(
            OutboxMessage.objects.values_list("status").annotate(n=Count("pk")).order_by()
        )
        self.stdout.write(", ".join(f"{counts.get(s.value, 0)} {s.value}" for s in OutboxStatus))
        waiting = OutboxMessage.objects.exclude(status=OutboxStatus.SENT).order_by("due_at", "pk")
        for row in waiting[:50]:
            self.stdout.write(
                f"#{row.pk} {row.topic} {row.status} attempts={row.attempts} "
                f"next={row.due_at:%Y-%m-%d %H:%M:%S} {row.last_error}".rstrip()
            )
