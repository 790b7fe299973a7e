"""Starting background jobs a user asks for (exports), and reading their results."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db import transaction

from ..access import Cap, require
from ..accounts.models import Site
from ..audit.chain import record_change
from ..jobs.models import Job, JobKind, JobState


def start_export(actor: Any, site: Site) -> Job:
    """Queue a flat CSV export of ``site``'s signed exams for ``actor`` (data managers). The job
    and its task are written in one transaction: either both exist or neither."""
    require(actor, site, Cap.EXPORT)
    from ..jobs.tasks import export_exams

    with transaction.atomic():
        job = Job.objects.create(kind=JobKind.EXAMS_CSV, requested_by=actor, site=site)
        result = export_exams.enqueue(str(job.pk))
        job.task_id = result.id
        job.save(update_fields=["task_id"])
        record_change(actor, job, None)
    return job


def result_file(actor: Any, job: Job) -> Path:
    """The result file of ``actor``'s own finished job; whoever else asks gets a 404 upstream."""
    from ..jobs.exports import job_dir

    if job.requested_by_id != actor.pk or job.state != JobState.DONE:
        raise LookupError("no finished job of yours")
    require(actor, job.site_id, Cap.EXPORT)  # a role lost since: no more downloads
    return job_dir(job) / job.result_name
