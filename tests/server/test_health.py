"""/healthz, the request id and the request log line (the server: tests/cli/test_serve_command)."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
from django.test import Client, RequestFactory, override_settings

from cordtrack.server import health
from cordtrack.server.logsafety import StripQueryStrings
from cordtrack.server.requestlog import RequestIdFilter

pytestmark = pytest.mark.django_db

BASE_CHECKS = ["cordtrack.server.health.database", "cordtrack.server.health.migrations"]


def failing() -> tuple[bool, str]:
    return False, "worker silent for 300 s"


def raising() -> tuple[bool, str]:
    raise RuntimeError("host db.internal refused user cordtrack")


def test_healthz_is_ok_when_the_database_answers_and_is_migrated(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    assert "Set-Cookie" not in response
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["migrations"] == {"ok": True, "detail": "all applied"}


def test_a_failing_or_broken_check_makes_healthz_503_without_its_exception_text(
    client: Client,
) -> None:
    with override_settings(
        HEALTH_CHECKS=[*BASE_CHECKS, f"{__name__}.failing", f"{__name__}.raising"]
    ):
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["checks"]["failing"] == {"ok": False, "detail": "worker silent for 300 s"}
    assert body["checks"]["raising"] == {"ok": False, "detail": "check failed (RuntimeError)"}
    assert "db.internal" not in response.content.decode()


def test_unapplied_migrations_fail_the_check(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.db.migrations.executor import MigrationExecutor

    monkeypatch.setattr(health, "_migrated", False)
    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: [1, 2])
    assert health.migrations() == (
        False,
        "2 migration(s) not applied: run `cordtrack manage migrate`",
    )


def test_healthz_answers_get_and_head_only(client: Client) -> None:
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


def test_every_response_carries_a_request_id_and_a_proxys_plain_one_is_kept(
    client: Client,
) -> None:
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert len(first) == 32
    assert first != second
    assert client.get("/healthz", HTTP_X_REQUEST_ID="lb-7f3a9c21")["X-Request-ID"] == "lb-7f3a9c21"
    forged = client.get("/healthz", HTTP_X_REQUEST_ID='x" injected="1')["X-Request-ID"]
    assert forged != 'x" injected="1'
    assert len(forged) == 32


def test_the_request_line_names_path_status_and_id_but_no_query_string(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="cordtrack.request"):
        response = client.get("/patients/?q=NTH-0001")
    records = [r for r in caplog.records if r.name == "cordtrack.request"]
    assert len(records) == 1
    record: Any = records[0]
    assert record.path == "/patients/"
    assert record.status == response.status_code
    assert record.route == "patients/"
    RequestIdFilter().filter(record)
    assert record.request_id == response["X-Request-ID"]
    assert "NTH-0001" not in record.getMessage()


def test_djangos_request_records_lose_their_query_string() -> None:
    request = RequestFactory().get("/patients/", {"q": "NTH-0001"})
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "x", (), None)
    record.request = request
    StripQueryStrings().filter(record)
    assert record.request == "GET /patients/"


def _beat(seconds_ago: float) -> None:
    import datetime as dt

    from django.utils import timezone

    from cordtrack.server.jobs.models import WorkerBeat

    at = timezone.now() - dt.timedelta(seconds=seconds_ago)
    WorkerBeat.objects.create(worker_id="w1", hostname="app1", pid=1, started_at=at, beat_at=at)


def test_healthz_reports_a_silent_worker_without_failing_the_probe(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    worker = response.json()["checks"]["worker_heartbeat"]
    assert worker["ok"] is False
    assert worker["required"] is False
    assert worker["detail"].startswith("stale: no worker has beaten")


def test_healthz_names_the_age_of_the_last_beat_and_whether_it_is_stale(
    client: Client, settings: Any
) -> None:
    _beat(3)
    worker = client.get("/healthz").json()["checks"]["worker_heartbeat"]
    assert worker == {"ok": True, "detail": "1 worker, last beat 3 s ago", "required": False}
    from cordtrack.server.jobs.models import WorkerBeat

    WorkerBeat.objects.all().delete()
    _beat(settings.JOBS_WORKER_STALE_SECONDS + 12)
    response = client.get("/healthz")
    assert response.status_code == 200
    worker = response.json()["checks"]["worker_heartbeat"]
    assert worker["ok"] is False
    age = settings.JOBS_WORKER_STALE_SECONDS + 12
    assert worker["detail"].startswith(f"stale: last beat {age} s ago, over the")


@pytest.mark.django_db(transaction=True)  # the worker commits as it does in its own process
def test_healthz_says_when_a_cleanly_stopped_worker_last_beat(client: Client) -> None:
    from cordtrack.server.jobs.worker import Worker

    Worker(worker_id="w1", batch=True).run()  # beats, runs what is due, stops cleanly

    worker = client.get("/healthz").json()["checks"]["worker_heartbeat"]
    assert worker["ok"] is False  # nothing is beating: still reported, as before
    assert "never" not in worker["detail"]
    assert re.fullmatch(
        r"stale: no worker running; the last one stopped cleanly, last beat \d+ s ago "
        r"\(start: cordtrack worker\)",
        worker["detail"],
    ), worker["detail"]


def test_healthz_says_a_worker_beat_too_long_ago_is_late_or_lost(
    client: Client, settings: Any
) -> None:
    _beat(settings.JOBS_WORKER_STALE_SECONDS + 5)
    detail = client.get("/healthz").json()["checks"]["worker_heartbeat"]["detail"]
    assert detail == (
        f"stale: last beat {settings.JOBS_WORKER_STALE_SECONDS + 5} s ago, over the "
        f"{settings.JOBS_WORKER_STALE_SECONDS} s limit: the worker is late or was lost "
        "(start: cordtrack worker)"
    )


def test_healthz_says_when_no_worker_beat_is_on_record(client: Client) -> None:
    detail = client.get("/healthz").json()["checks"]["worker_heartbeat"]["detail"]
    assert detail == "stale: no worker has beaten in the last day (start: cordtrack worker)"


def test_a_host_that_requires_its_worker_fails_the_probe_when_it_is_silent(
    client: Client,
) -> None:
    required = [*BASE_CHECKS, "cordtrack.server.jobs.health.worker_heartbeat"]
    with override_settings(HEALTH_CHECKS=required, HEALTH_REPORTS=[]):
        response = client.get("/healthz")
        assert response.status_code == 503
        assert "required" not in response.json()["checks"]["worker_heartbeat"]
        _beat(1)
        assert client.get("/healthz").status_code == 200


def test_the_require_worker_setting_moves_the_heartbeat_into_the_checks() -> None:
    import os
    import subprocess
    import sys

    code = (
        "from django.conf import settings; import django; django.setup();"
        "print(settings.HEALTH_CHECKS[-1].rsplit('.', 1)[-1], settings.HEALTH_REPORTS)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "cordtrack.server.settings_test",
           "CORDTRACK_HEALTH_REQUIRE_WORKER": "1"}  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.strip() == "worker_heartbeat []", out.stderr[-2000:]
