"""Background jobs in process: an export job writes what the command-line export writes, goes on
from its checkpoint when run again, and is done once; lost tasks are recovered (or failed after
too many losses); periodic jobs are enqueued once per period; the heartbeat check; the /jobs/
page, its download (audited per patient) and who may use it."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from cordtrack.server.accounts.models import Site, User
from cordtrack.server.audit.models import AuditAction, AuditEntry
from cordtrack.server.interop.flatcsv import write_csv
from cordtrack.server.jobs import exports, periodic
from cordtrack.server.jobs.health import worker_heartbeat
from cordtrack.server.jobs.models import Job, JobState, PeriodicRun, WorkerBeat
from cordtrack.server.jobs.worker import beat, recover_lost_tasks
from cordtrack.server.patients.models import Patient
from cordtrack.server.services import jobs as job_services
from cordtrack.server.synthetic import generate

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry(north: Site, settings: Any) -> None:
    settings.DEMO_MODE = True
    generate(6, ("NTH",), seed=3, cohort=True)


def run_task(job: Job) -> Any:
    """What the worker does with the job's task, in process."""
    result = DBTaskResult.objects.get(pk=job.task_id)
    return result.task.call(*result.args_kwargs["args"], **result.args_kwargs["kwargs"])


def expected_csv(dora: User, north: Site) -> str:
    stream = io.StringIO()
    write_csv(exports.exams_of(Job(requested_by=dora, site=north)), stream)
    return stream.getvalue()


def test_an_export_job_writes_what_the_command_line_export_writes(
    registry: None, dora: User, north: Site, settings: Any
) -> None:
    settings.JOBS_CHUNK_ROWS = 7
    job = job_services.start_export(dora, north)
    assert DBTaskResult.objects.get(pk=job.task_id).status == TaskResultStatus.READY
    assert run_task(job)["state"] == JobState.DONE
    job.refresh_from_db()
    assert (job.state, job.attempts, job.done) == (JobState.DONE, 1, job.total)
    text = (exports.job_dir(job) / "exams.csv").read_text(encoding="utf-8")
    assert text == expected_csv(dora, north)
    assert job.rows == job.total == text.count("\n") - 1 > 7


def test_a_job_run_again_goes_on_from_its_checkpoint_and_is_done_once(
    registry: None, dora: User, north: Site, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.JOBS_CHUNK_ROWS = 5
    job = job_services.start_export(dora, north)
    written: list[str] = []
    real = exports._write_part

    def crash_after_two(path: Path, ids: list[int]) -> None:
        if len(written) == 2:
            raise KeyboardInterrupt  # the process dies here, mid-job
        written.append(path.name)
        real(path, ids)

    monkeypatch.setattr(exports, "_write_part", crash_after_two)
    with pytest.raises(KeyboardInterrupt):
        run_task(job)
    job.refresh_from_db()
    assert (job.state, job.checkpoint, job.done) == (JobState.RUNNING, {"parts": 2}, 10)

    written.clear()
    monkeypatch.setattr(exports, "_write_part", lambda p, i: (written.append(p.name), real(p, i)))
    run_task(job)  # the worker runs it again
    assert written[0] == "part-00002.csv"  # parts 0 and 1 are not written again
    job.refresh_from_db()
    assert (job.state, job.attempts) == (JobState.DONE, 2)
    assert (exports.job_dir(job) / "exams.csv").read_text() == expected_csv(dora, north)
    assert run_task(job) == {"state": JobState.DONE, "rows": job.rows}  # a third run: nothing


def test_only_data_managers_start_exports(
    alice: User, dora: User, north: Site, south: Site
) -> None:
    with pytest.raises(PermissionDenied):
        job_services.start_export(alice, north)  # a clinician
    with pytest.raises(PermissionDenied):
        job_services.start_export(dora, south)  # another site
    assert not Job.objects.exists()
    assert not DBTaskResult.objects.exists()


def _running(worker: str | None, attempts: int = 1) -> DBTaskResult:
    from cordtrack.server.jobs.tasks import prune

    result = DBTaskResult.objects.get(pk=prune.enqueue().id)
    result.status = TaskResultStatus.RUNNING
    result.worker_ids = [f"w{i}" for i in range(attempts - 1)] + ([worker] if worker else [])
    result.save()
    return result


def test_a_task_of_a_silent_worker_is_ready_again(settings: Any) -> None:
    now = timezone.now()
    beat("alive", started_at=now)
    beat("gone", started_at=now)
    WorkerBeat.objects.filter(worker_id="gone").update(
        beat_at=now - dt.timedelta(seconds=settings.JOBS_WORKER_STALE_SECONDS + 1)
    )
    on_live, on_lost = _running("alive"), _running("gone")
    assert recover_lost_tasks() == 1
    on_live.refresh_from_db()
    on_lost.refresh_from_db()
    assert on_live.status == TaskResultStatus.RUNNING
    assert on_lost.status == TaskResultStatus.READY
    assert on_lost.started_at is None


def test_a_task_lost_too_often_fails_with_its_job(dora: User, north: Site, settings: Any) -> None:
    job = job_services.start_export(dora, north)
    result = DBTaskResult.objects.get(pk=job.task_id)
    result.status = TaskResultStatus.RUNNING
    result.worker_ids = ["a", "b", "c"][: settings.JOBS_MAX_ATTEMPTS]
    result.save()
    assert recover_lost_tasks() == 1
    result.refresh_from_db()
    job.refresh_from_db()
    assert result.status == TaskResultStatus.FAILED
    assert result.exception_class_path.endswith("WorkerLostError")
    assert job.state == JobState.FAILED
    assert "lost" in job.error


def test_a_periodic_job_is_enqueued_once_per_period_and_never_piles_up() -> None:
    every = dt.timedelta(hours=1)
    job = periodic.Periodic("test-prune", "cordtrack.server.jobs.tasks.prune", every)
    now = timezone.now()
    assert periodic.enqueue_due(now, [job]) == ["test-prune"]
    assert periodic.enqueue_due(now + dt.timedelta(minutes=5), [job]) == []  # not due
    # Due again, but the first run has not run yet: not doubled.
    assert periodic.enqueue_due(now + every, [job]) == []
    first = PeriodicRun.objects.get(name="test-prune").last_task_id
    DBTaskResult.objects.filter(pk=first).update(status=TaskResultStatus.SUCCESSFUL)
    assert periodic.enqueue_due(now + every, [job]) == ["test-prune"]
    assert DBTaskResult.objects.count() == 2


def test_the_heartbeat_check_needs_a_recent_beat(settings: Any) -> None:
    ok, detail = worker_heartbeat()
    assert not ok
    assert "cordtrack worker" in detail
    beat("w1", started_at=timezone.now())
    ok, detail = worker_heartbeat()
    assert ok
    assert detail.startswith("1 worker, last beat")
    WorkerBeat.objects.update(
        beat_at=timezone.now() - dt.timedelta(seconds=settings.JOBS_WORKER_STALE_SECONDS + 1)
    )
    assert not worker_heartbeat()[0]


def test_the_jobs_page_starts_an_export_and_its_download_is_audited(
    registry: None, dora: User, north: Site, client: Client
) -> None:
    client.force_login(dora)
    page = client.get("/jobs/")
    assert page.status_code == 200
    assert b"Export as CSV" in page.content
    assert client.post("/jobs/exports/", {"site": "NTH"}).status_code == 302
    job = Job.objects.get()
    assert b'data-state="queued"' in client.get("/jobs/").content
    run_task(job)
    assert b'data-state="done"' in client.get("/jobs/", headers={"HX-Request": "true"}).content
    before = AuditEntry.objects.filter(action=AuditAction.DOWNLOAD).count()
    response = client.get(f"/jobs/{job.pk}/download/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).decode() == expected_csv(dora, north)
    exported = Patient.objects.filter(exams__signed_at__isnull=False).distinct().count()
    downloads = AuditEntry.objects.filter(action=AuditAction.DOWNLOAD).count() - before
    assert downloads == exported > 0


def test_a_job_is_its_requesters_only(
    dora: User, north: Site, make_user: Callable[..., User], client: Client
) -> None:
    from cordtrack.server.accounts.models import Role

    other = make_user("erin", Role.DATA_MANAGER, north)
    job = job_services.start_export(dora, north)
    run_task(job)
    client.force_login(other)
    assert client.get(f"/jobs/{job.pk}/download/").status_code == 404
    assert str(job.pk) not in client.get("/jobs/").content.decode()
    client.force_login(dora)
    assert client.get(f"/jobs/{job.pk}/download/").status_code == 200
    assert client.post("/jobs/exports/", {"site": "STH"}).status_code == 403


def test_the_worker_delivers_the_outbox_as_a_periodic_job() -> None:
    from django.core import mail

    from cordtrack.server.jobs.tasks import deliver_outbox
    from cordtrack.server.outbox.delivery import enqueue

    enqueue("test", ["monitor@example.org"], "Subject", "Body")
    assert "outbox-delivery" in periodic.enqueue_due()
    task = DBTaskResult.objects.get(task_path=deliver_outbox.module_path)
    assert task.task.call() == {"sent": 1, "retrying": 0, "failed": 0}
    assert [m.to for m in mail.outbox] == [["monitor@example.org"]]
    assert task.task.call()["sent"] == 0  # sent once


def test_the_prune_job_forgets_idempotency_keys_older_than_their_days(
    dora: User, settings: Any
) -> None:
    from cordtrack.server.api.models import IdempotencyRecord
    from cordtrack.server.jobs.tasks import prune

    def record(key: str, age_days: float) -> None:
        made = IdempotencyRecord.objects.create(
            user=dora,
            key=key,
            method="POST",
            path="/api/v1/x",
            body_sha256="0" * 64,
            status=201,
            response={},
        )
        IdempotencyRecord.objects.filter(pk=made.pk).update(
            created_at=timezone.now() - dt.timedelta(days=age_days)
        )

    settings.IDEMPOTENCY_KEY_DAYS = 7
    record("fresh", 6.9)
    record("stale", 7.1)
    assert prune.call()["idempotency_keys"] == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["fresh"]
