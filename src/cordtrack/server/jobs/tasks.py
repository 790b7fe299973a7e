"""The registry's background tasks (django-tasks): each a module-level function, enqueued with
``.enqueue(...)`` in the transaction of the write that asks for it (the database backend stores
the task in the same database, so a task is enqueued if and only if that write commits)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone
from django_tasks import task


@task(queue_name="default")
def export_exams(job_id: str) -> dict[str, Any]:
    """A site's signed exams as flat CSV, for the job's requester (:mod:`.exports`)."""
    from . import exports

    return exports.run(job_id)


@task(queue_name="default", priority=10)
def deliver_outbox() -> dict[str, int]:
    """Send the notification outbox's due messages (``cordtrack.server.outbox``: at least once,
    each message marked sent in the database; a mail server that is down means a retry later)."""
    from ..outbox.delivery import deliver_due

    report = deliver_due()
    return {"sent": report.sent, "retrying": report.retrying, "failed": report.failed}


@task(queue_name="default", priority=5)
def seal_audit() -> dict[str, int]:
    """Chain the audit entries still staged (``audit.staging``, ADR 0051)."""
    from ..audit.staging import seal_pending

    return {"chained": seal_pending()}


@task(queue_name="default", priority=-10)
def prune() -> dict[str, int]:
    """Forget finished task results after ``JOBS_RESULT_DAYS`` days (those of periodic jobs
    after one day: they run every few seconds), the beats of workers gone for a day, and API
    idempotency keys after ``IDEMPOTENCY_KEY_DAYS`` days (the jobs themselves, with their files,
    stay until deleted)."""
    from django_tasks_db.models import DBTaskResult

    from ..api.models import IdempotencyRecord
    from .models import WorkerBeat
    from .periodic import PERIODIC

    now = timezone.now()
    day = now - dt.timedelta(days=1)
    finished = DBTaskResult.objects.finished()
    old = finished.filter(finished_at__lt=now - dt.timedelta(days=settings.JOBS_RESULT_DAYS))
    routine, _ = finished.filter(
        finished_at__lt=day, task_path__in=[p.task for p in PERIODIC]
    ).delete()
    results, _ = old.delete()
    beats, _ = WorkerBeat.objects.filter(beat_at__lt=day).delete()
    keys, _ = IdempotencyRecord.objects.filter(
        created_at__lt=now - dt.timedelta(days=settings.IDEMPOTENCY_KEY_DAYS)
    ).delete()
    return {"task_results": results + routine, "worker_beats": beats, "idempotency_keys": keys}
