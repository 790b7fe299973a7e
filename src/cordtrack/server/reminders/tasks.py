"""The worker's reminder job (a periodic job of ``cordtrack.server.jobs.periodic``)."""

from __future__ import annotations

from typing import Any

from django_tasks import task


@task(queue_name="default", priority=5)
def send_reminders() -> dict[str, Any]:
    """Queue and deliver the reminders due now (:func:`.engine.run`); the result is the run's
    counts (never an address or a text)."""
    from .engine import run

    report = run().to_dict()
    report.pop("messages")
    return report
