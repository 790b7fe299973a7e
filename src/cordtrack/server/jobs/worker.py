"""The worker: django-tasks-db's worker loop in the main thread, and a heart thread beside it that
every ``JOBS_BEAT_SECONDS``

1. touches this worker's :class:`~.models.WorkerBeat` row (``/healthz`` reads it);
2. puts back to ready every task left running by a worker that stopped beating (killed, machine
   lost): it runs again on the next free worker. Tasks are written to be re-run (see
   :mod:`.exports`); one lost ``JOBS_MAX_ATTEMPTS`` times is failed instead, so a task that kills
   its worker cannot take the pool down for ever;
3. enqueues the periodic jobs that are due (:mod:`.periodic`).

django-tasks-db itself has no notion of a lost worker: a task claimed by a process that dies stays
"running" in its table for ever. Points 1 and 2 are what this module adds.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker as DatabaseWorker
from django_tasks_db.models import DBTaskResult

from . import periodic
from .models import Job, JobState, WorkerBeat

log = logging.getLogger("cordtrack.jobs")

LOST = "cordtrack.server.jobs.worker.WorkerLostError"


class WorkerLostError(Exception):
    """Recorded as the error of a task whose workers were lost ``JOBS_MAX_ATTEMPTS`` times."""


def stale_limit(now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(seconds=settings.JOBS_WORKER_STALE_SECONDS)


def running_workers(now: dt.datetime) -> QuerySet[WorkerBeat]:
    """The workers that beat recently and have not stopped (a worker stopped by a second Ctrl+C
    mid-task is gone at once: its task is recovered without waiting for its beat to age)."""
    return WorkerBeat.objects.filter(beat_at__gte=stale_limit(now), stopped_at=None)


def beat(worker_id: str, *, started_at: dt.datetime, tasks_run: int = 0) -> None:
    now = timezone.now()
    WorkerBeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"beat_at": now, "tasks_run": tasks_run, "stopped_at": None},
        create_defaults={
            "beat_at": now, "tasks_run": tasks_run, "started_at": started_at,
            "hostname": socket.gethostname()[:255], "pid": os.getpid(),
        },
    )  # fmt: skip


def recover_lost_tasks(now: dt.datetime | None = None) -> int:
    """Tasks running on a worker that has stopped beating: ready again, or failed once lost
    ``JOBS_MAX_ATTEMPTS`` times. Returns how many were recovered."""
    now = now or timezone.now()
    alive = set(running_workers(now).values_list("worker_id", flat=True))
    recovered = 0
    with transaction.atomic():
        running = DBTaskResult.objects.select_for_update(skip_locked=True).filter(
            status=TaskResultStatus.RUNNING
        )
        for result in running:
            worker_ids = list(result.worker_ids or [])
            if worker_ids and worker_ids[-1] in alive:
                continue
            if len(worker_ids) >= settings.JOBS_MAX_ATTEMPTS:
                result.status = TaskResultStatus.FAILED
                result.finished_at = now
                result.exception_class_path = LOST
                result.traceback = f"{LOST}: the worker was lost {len(worker_ids)} times\n"
                result.save(
                    update_fields=["status", "finished_at", "exception_class_path", "traceback"]
                )
                Job.objects.filter(task_id=result.id).exclude(state=JobState.DONE).update(
                    state=JobState.FAILED,
                    finished_at=now,
                    error=f"stopped: the worker running it was lost {len(worker_ids)} times",
                )
                log.error(
                    "task %s failed: its worker was lost %d times", result.id, len(worker_ids)
                )
            else:
                result.status = TaskResultStatus.READY
                result.started_at = None
                result.save(update_fields=["status", "started_at"])
                log.warning("task %s was running on a lost worker: ready to run again", result.id)
            recovered += 1
    return recovered


class Heart(threading.Thread):
    """Beats, recovers lost tasks and enqueues due periodic jobs until stopped."""

    def __init__(self, worker: Worker) -> None:
        super().__init__(name="cordtrack-worker-heart", daemon=True)
        self.worker = worker
        self.stopping = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopping.wait(settings.JOBS_BEAT_SECONDS):
                self.worker.tick()
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopping.set()


class Worker(DatabaseWorker):
    """django-tasks-db's worker with a heartbeat, crash recovery and the periodic jobs."""

    def __init__(self, *, worker_id: str | None = None, **options: Any) -> None:
        options.setdefault("queue_names", ["*"])
        options.setdefault("interval", settings.JOBS_POLL_SECONDS)
        options.setdefault("batch", False)
        options.setdefault("backend_name", "default")
        options.setdefault("startup_delay", False)
        options.setdefault("max_tasks", None)
        options.setdefault("excluded_queue_names", [])
        super().__init__(worker_id=worker_id or get_random_string(32), **options)
        self.started_at = timezone.now()

    def tick(self) -> None:
        """One beat of the heart (also run once before the first task is claimed)."""
        close_old_connections()
        try:
            beat(self.worker_id, started_at=self.started_at, tasks_run=self._run_tasks)
            recover_lost_tasks()
            periodic.enqueue_due()
        except Exception:  # a database hiccup must not stop the heart: it beats again
            log.exception(
                "worker heartbeat failed; trying again in %ss", settings.JOBS_BEAT_SECONDS
            )

    def run(self) -> None:
        self.tick()
        heart = Heart(self)
        heart.start()
        try:
            super().run()
        finally:
            heart.stop()
            heart.join(timeout=settings.JOBS_BEAT_SECONDS + 5)
            # A clean stop is recorded, not forgotten: its tasks are done or were never claimed,
            # so it counts as running for nothing, while /healthz can say it stopped and when.
            WorkerBeat.objects.filter(worker_id=self.worker_id).update(stopped_at=timezone.now())
