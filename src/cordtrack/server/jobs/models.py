"""What the worker keeps beside the task runner's own table (``django_tasks_db.DBTaskResult``):
each worker's heartbeat, when each periodic job last ran, and the user-facing jobs (exports,
reports) with their progress and result."""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models


class WorkerBeat(models.Model):
    """One row per worker, touched every few seconds while it runs. A task whose worker has not
    beaten for ``JOBS_WORKER_STALE_SECONDS`` was lost with it (killed, machine gone) and runs
    again. Rows of workers gone for a day are pruned (``tasks.prune``)."""

    worker_id = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField(db_index=True)
    tasks_run = models.PositiveIntegerField(default=0)
    # Set by a clean stop (the row is kept, so /healthz can say the worker stopped and when it
    # last beat, rather than that none ever beat); cleared when a worker of this id starts again.
    stopped_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"worker {self.worker_id} on {self.hostname} (pid {self.pid})"


class PeriodicRun(models.Model):
    """When a periodic job (``jobs.periodic.PERIODIC``) is next due. The worker that enqueues it
    holds this row locked, so two workers never enqueue the same run."""

    name = models.CharField(max_length=60, unique=True)
    due_at = models.DateTimeField()
    last_enqueued_at = models.DateTimeField(null=True)
    last_task_id = models.UUIDField(null=True)

    def __str__(self) -> str:
        return f"{self.name} due {self.due_at:%Y-%m-%d %H:%M}"


class JobState(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class JobKind(models.TextChoices):
    EXAMS_CSV = "exams_csv", "ISNCSCI exams, flat CSV"


class Job(models.Model):
    """A long piece of work a user asked for: its progress while it runs (``done`` of
    ``total``), its result file once done. Steps are checkpointed here (``checkpoint``) in the
    same transaction as their effect, so a re-run after a crash goes on where it stopped."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=20, choices=JobKind.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="jobs"
    )
    site = models.ForeignKey("accounts.Site", on_delete=models.PROTECT, related_name="jobs")
    state = models.CharField(
        max_length=10, choices=JobState.choices, default=JobState.QUEUED, db_index=True
    )
    task_id = models.UUIDField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True)
    finished_at = models.DateTimeField(null=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    #: The last step completed (the job's own bookkeeping; see jobs.exports).
    checkpoint = models.JSONField(default=dict)
    #: Times a worker started this job (more than one: re-run after a lost worker).
    attempts = models.PositiveIntegerField(default=0)
    result_name = models.CharField(max_length=100, blank=True)
    rows = models.PositiveIntegerField(null=True)
    error = models.CharField(max_length=300, blank=True)

    SITE_PATH: ClassVar[str] = "site"

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.state})"

    @property
    def percent(self) -> int:
        if self.state == JobState.DONE:
            return 100
        return int(100 * self.done / self.total) if self.total else 0
