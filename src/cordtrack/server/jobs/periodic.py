"""Periodic jobs: what the worker enqueues on a schedule, and the scheduler itself.

A periodic job is a task and an interval. Every worker's heart calls :func:`enqueue_due`; the
``PeriodicRun`` row of a job is locked while it is checked, so with several workers each run is
enqueued once. A run still waiting or running when the next is due is not doubled: the next is
enqueued once it has finished. Add one by appending to :data:`PERIODIC`.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from .models import PeriodicRun

log = logging.getLogger("cordtrack.jobs")


def _seconds(n: int) -> dt.timedelta:
    return dt.timedelta(seconds=n)


@dataclass(frozen=True)
class Periodic:
    name: str
    #: dotted path of a django-tasks task (imported when due, so this module stays light)
    task: str
    every: dt.timedelta


PERIODIC: list[Periodic] = [
    # The notification outbox (SAE mail...): written in the transaction of the save that asks
    # for it, sent from here (the outbox: ADR 0031; the worker: ADR 0034).
    Periodic("outbox-delivery", "cordtrack.server.jobs.tasks.deliver_outbox", _seconds(10)),
    # Patient reminders (issue 17): queue those due through the outbox and send them.
    Periodic(
        "patient-reminders",
        "cordtrack.server.reminders.tasks.send_reminders",
        dt.timedelta(minutes=15),
    ),
    # Audit entries staged by requests that found the head held and whose own seal did not run
    # (a process killed after its commit): chained here (ADR 0051).
    Periodic("audit-seal", "cordtrack.server.jobs.tasks.seal_audit", _seconds(10)),
    Periodic("prune-task-results", "cordtrack.server.jobs.tasks.prune", dt.timedelta(hours=6)),
]

_PENDING = (TaskResultStatus.READY, TaskResultStatus.RUNNING)


def _task(path: str) -> Any:
    from django.utils.module_loading import import_string

    return import_string(path)


def enqueue_due(now: dt.datetime | None = None, jobs: list[Periodic] | None = None) -> list[str]:
    """Enqueue each periodic job that is due; returns their names."""
    now = now or timezone.now()
    enqueued = []
    for job in PERIODIC if jobs is None else jobs:
        try:
            if _enqueue_if_due(job, now):
                enqueued.append(job.name)
        except IntegrityError:  # another worker created the row at the same moment
            continue
    return enqueued


def _enqueue_if_due(job: Periodic, now: dt.datetime) -> bool:
    with transaction.atomic():
        PeriodicRun.objects.get_or_create(name=job.name, defaults={"due_at": now})
        run = PeriodicRun.objects.select_for_update().get(name=job.name)
        if run.due_at > now:
            return False
        if (
            run.last_task_id is not None
            and DBTaskResult.objects.filter(id=run.last_task_id, status__in=_PENDING).exists()
        ):
            return False  # the last run has not finished: no pile-up
        result = _task(job.task).enqueue()
        run.due_at = now + job.every
        run.last_enqueued_at = now
        run.last_task_id = result.id
        run.save(update_fields=["due_at", "last_enqueued_at", "last_task_id"])
    log.info("periodic job %s enqueued (task %s)", job.name, result.id)
    return True
