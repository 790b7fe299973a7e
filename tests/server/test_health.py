"""/healthz, the request id and the request log line (the server: tests/cli/test_serve_command)."""

from __future__ import annotations

import logging
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
