"""A site's signed ISNCSCI exams as flat CSV, written by the worker in checkpointed steps.

Written to be re-run at any point (the worker may be killed mid-job, and the job then runs again):

1. the exams to write are fixed once, in order, in ``ids.json`` (so a re-run writes the same rows,
   whatever was recorded since);
2. each step writes ``JOBS_CHUNK_ROWS`` rows to its own part file (written to a temporary name,
   then renamed), then records the step done in the job row: a re-run starts at the first step not
   recorded, and a part written but not recorded is simply written again;
3. the parts are joined into the result (again through a rename), and the job is marked done in
   one transaction, which is also where anything said about it (a notice to the requester) goes:
   so it is said once.

No patient data is logged; the file holds what the requester may read, and downloading it is
audited (one download entry per patient, ``services.exports.record_export``).
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce, Now
from django.utils import timezone

from ..access import scoped
from ..consent.scopes import without_withdrawn
from ..exams.models import IsncsciExam
from ..interop.flatcsv import EXPORT_COLUMNS, export_rows
from .models import Job, JobState

RESULT_NAME = "exams.csv"


def job_dir(job: Job) -> Path:
    return Path(settings.JOBS_DIR) / str(job.pk)


def exams_of(job: Job) -> Any:
    """The exams the job's requester may read at the job's site, signed only, in export order."""
    # Patients withdrawn from further data use never leave (consent/scopes.py).
    exams = without_withdrawn(
        IsncsciExam.objects.signed().filter(patient__site_id=job.site_id), path="patient_id"
    )
    return scoped(job.requested_by, exams).order_by("patient__study_id", "exam_date", "pk")


def _write_atomically(path: Path, write: Any) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    with temporary.open("w", encoding="utf-8", newline="") as stream:
        write(stream)
        stream.flush()
        os.fsync(stream.fileno())
    temporary.replace(path)


def _snapshot(job: Job, folder: Path) -> list[int]:
    ids_file = folder / "ids.json"
    if not ids_file.exists():
        snapshot = list(exams_of(job).values_list("pk", flat=True))
        _write_atomically(ids_file, lambda s: json.dump(snapshot, s))
    ids: list[int] = json.loads(ids_file.read_text())
    return ids


def _write_part(path: Path, ids: list[int]) -> None:
    exams = IsncsciExam.objects.filter(pk__in=ids).select_related("patient", "visit")
    by_pk = {e.pk: e for e in exams}
    ordered = [by_pk[pk] for pk in ids if pk in by_pk]  # one deleted since: left out

    def write(stream: Any) -> None:
        writer = csv.DictWriter(stream, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
        writer.writerows(export_rows(ordered))

    _write_atomically(path, write)


def _join(folder: Path, parts: int) -> int:
    """Header and parts into the result; the number of rows (a row is a line: exam values and
    results hold no line break)."""
    rows = 0

    def write(stream: Any) -> None:
        nonlocal rows
        csv.DictWriter(stream, fieldnames=EXPORT_COLUMNS, lineterminator="\n").writeheader()
        for i in range(parts):
            path = folder / f"part-{i:05d}.csv"
            with path.open("rb") as part:
                rows += sum(chunk.count(b"\n") for chunk in iter(lambda: part.read(1 << 16), b""))
            with path.open(encoding="utf-8", newline="") as part:
                shutil.copyfileobj(part, stream)

    _write_atomically(folder / RESULT_NAME, write)
    return rows


def run(job_id: str) -> dict[str, Any]:
    """Run (or go on with) export job ``job_id``; what the task returns."""
    job = Job.objects.select_related("requested_by").get(pk=job_id)
    if job.state in (JobState.DONE, JobState.FAILED):
        return {"state": job.state, "rows": job.rows}  # delivered twice: nothing to do again
    Job.objects.filter(pk=job.pk).update(
        state=JobState.RUNNING, started_at=Coalesce(F("started_at"), Now()),
        attempts=F("attempts") + 1,
    )  # fmt: skip
    folder = job_dir(job)
    folder.mkdir(parents=True, exist_ok=True)
    try:
        return _steps(job, folder)
    except Exception as exc:
        Job.objects.filter(pk=job.pk).update(
            state=JobState.FAILED, finished_at=timezone.now(), error=type(exc).__name__
        )
        raise


def _steps(job: Job, folder: Path) -> dict[str, Any]:
    ids = _snapshot(job, folder)
    size = settings.JOBS_CHUNK_ROWS
    parts = max(1, -(-len(ids) // size))
    first = int(job.checkpoint.get("parts", 0))
    Job.objects.filter(pk=job.pk).update(total=len(ids), done=min(len(ids), first * size))
    for i in range(first, parts):
        _write_part(folder / f"part-{i:05d}.csv", ids[i * size : (i + 1) * size])
        Job.objects.filter(pk=job.pk).update(
            checkpoint={"parts": i + 1}, done=min(len(ids), (i + 1) * size)
        )
        if settings.JOBS_THROTTLE_SECONDS:  # leave the database to the people using it
            time.sleep(settings.JOBS_THROTTLE_SECONDS)
    rows = _join(folder, parts)
    with transaction.atomic():
        updated = Job.objects.filter(pk=job.pk, state=JobState.RUNNING).update(
            state=JobState.DONE, finished_at=timezone.now(), rows=rows,
            result_name=RESULT_NAME, done=len(ids), checkpoint={"parts": parts, "joined": True},
        )  # fmt: skip
    for i in range(parts):
        (folder / f"part-{i:05d}.csv").unlink(missing_ok=True)
    return {"state": JobState.DONE if updated else "already finished", "rows": rows}
