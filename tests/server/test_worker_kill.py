"""A worker killed mid-job (SIGKILL, nothing cleaned up) loses nothing: once its heartbeat goes
stale the next worker runs the job again, which goes on from its last checkpoint, and the result
holds every row exactly once. Real processes on a real database: a fresh SQLite file, or a fresh
PostgreSQL database beside the one in DATABASE_URL when the suite runs on PostgreSQL."""

from __future__ import annotations

import csv
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

STALE_SECONDS = 3
CLI = "from cordtrack.cli import console; console()"

SEED = """
from cordtrack.server.accounts.models import Membership, Role, Site, User
from cordtrack.server.services import jobs
site = Site.objects.get(code="NTH")
user = User.objects.create(username="dm@nth")
Membership.objects.create(user=user, site=site, role=Role.DATA_MANAGER)
print(jobs.start_export(user, site).pk)
"""

STATE = (
    "SELECT j.state, j.done, j.total, j.attempts, j.rows, j.checkpoint, t.status, t.worker_ids"
    " FROM jobs_job j JOIN django_tasks_database_dbtaskresult t ON t.id = j.task_id"
    " WHERE j.id = {job}"
)


def _database_url() -> Iterator[str]:
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        yield ""  # a SQLite file in the var folder
        return
    import psycopg

    name = f"cordtrack_kill_{uuid.uuid4().hex[:8]}"
    admin = base.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield base.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def env(tmp_path: Path) -> Iterator[dict[str, str]]:
    for url in _database_url():
        environment = {
            k: v for k, v in os.environ.items() if not k.startswith(("CORDTRACK_", "DJANGO_"))
        }
        environment.pop("DATABASE_URL", None)
        environment.update(
            DJANGO_SETTINGS_MODULE="cordtrack.server.settings",
            CORDTRACK_ENV_FILE="",
            CORDTRACK_DEMO="1",
            CORDTRACK_VAR_DIR=str(tmp_path),
            CORDTRACK_SECRET_KEY="kill-test-secret-key-" + "s" * 40,
            CORDTRACK_AUDIT_KEY="kill-test-audit-key-abcdefghijklmnopqrstuvwxyz0123456789",
            CORDTRACK_WORKER_BEAT_SECONDS="1",
            CORDTRACK_WORKER_STALE_SECONDS=str(STALE_SECONDS),
            CORDTRACK_JOBS_CHUNK_ROWS="5",
            CORDTRACK_JOBS_THROTTLE_SECONDS="1",
        )
        if url:
            environment["DATABASE_URL"] = url
        yield environment


def cordtrack(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", CLI, *args], env=env, capture_output=True, text=True, check=False,
        timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def state(env: dict[str, str], job: str) -> dict[str, Any]:
    """The job and its task, read straight from the database (a Django process per look would
    be slower than the job)."""
    url = env.get("DATABASE_URL")
    if url:
        import psycopg

        with psycopg.connect(url) as conn:
            row = conn.execute(STATE.format(job="%s"), (job,)).fetchone()
    else:
        with sqlite3.connect(Path(env["CORDTRACK_VAR_DIR"]) / "cordtrack.sqlite3") as conn:
            row = conn.execute(STATE.format(job="?"), (uuid.UUID(job).hex,)).fetchone()
    assert row is not None
    state, done, total, attempts, rows, checkpoint, status, workers = row
    loads = (lambda v: v) if url else json.loads
    return {
        "state": state, "done": done, "total": total, "attempts": attempts, "rows": rows,
        "parts": loads(checkpoint).get("parts", 0), "task": status, "workers": len(loads(workers)),
    }  # fmt: skip


def test_a_job_whose_worker_is_killed_runs_again_and_writes_every_row_once(
    env: dict[str, str], tmp_path: Path
) -> None:
    cordtrack(env, "manage", "migrate", "--noinput", "-v", "0")
    cordtrack(env, "demo", "--patients", "20", "--sites", "NTH", "--seed", "7")
    job = cordtrack(env, "manage", "shell", "-c", SEED).strip().splitlines()[-1]

    worker = subprocess.Popen(
        [sys.executable, "-c", CLI, "worker", "--worker-id", "first"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 240
        while True:  # until at least one step is checkpointed, and more are left
            now = state(env, job)
            if now["parts"] >= 1:
                break
            assert time.monotonic() < deadline, now
            time.sleep(0.05)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
    killed = state(env, job)
    assert killed["state"] == "running"  # mid-job: the kill left it claimed, not done
    assert killed["task"] == "RUNNING"
    assert 0 < killed["done"] < killed["total"]

    time.sleep(STALE_SECONDS + 1)  # the first worker's beat is now stale
    cordtrack(env, "worker", "--batch", "--worker-id", "second")

    after = state(env, job)
    assert after["state"] == "done"
    assert after["task"] == "SUCCESSFUL"
    assert after["attempts"] == 2
    assert after["workers"] == 2  # claimed by the first worker, then by the second
    rows = list(csv.DictReader((tmp_path / "jobs" / job / "exams.csv").open(encoding="utf-8")))
    ids = [r["exam_id"] for r in rows]
    assert len(ids) == len(set(ids)) == after["total"] == after["rows"]
    assert not list((tmp_path / "jobs" / job).glob("part-*"))
