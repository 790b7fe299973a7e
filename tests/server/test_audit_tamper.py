"""Tampering with the audit trail in the database, as whoever controls it could, is found by the
plain ``cordtrack audit verify`` (no flags, as the README prints it): a row altered, a row removed,
the newest rows removed with the head moved back, the trail emptied, every hash recomputed. The
seals need the audit key, which is not in the database; the head is anchored to a file outside it
after every committed write. Run on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction

from cordtrack.cli import main as cordtrack_main
from cordtrack.server.accounts.models import Site, User
from cordtrack.server.audit import keys
from cordtrack.server.audit.chain import verify
from cordtrack.server.audit.models import AuditEntry, AuditHead
from cordtrack.server.services import patients as patient_services

from .test_audit import tamper
from .test_audit_anchors import rewrite_from

Capture = Callable[..., Any]


@pytest.fixture
def kept(settings: Any, tmp_path: Path) -> Path:
    """Anchoring on, to a file of this test's own."""
    path = tmp_path / "var" / "audit-anchors.jsonl"
    settings.AUDIT_ANCHORS_FILE = path
    return path


def register(bob: User, north: Site, capture: Capture, year: int) -> None:
    """One committed request: a patient registered (two audit entries)."""
    with capture(execute=True):
        patient_services.register_patient(bob, north, year_of_birth=year, sex="F")


@pytest.fixture
def trail(bob: User, north: Site, kept: Path, django_capture_on_commit_callbacks: Capture) -> Path:
    """Entries #1-#6, written by three committed transactions, each anchored as it committed."""
    for year in (1970, 1980, 1990):
        register(bob, north, django_capture_on_commit_callbacks, year)
    return kept


def verify_command(capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    status = cordtrack_main(["audit", "verify"])
    captured = capsys.readouterr()
    return status, captured.out + captured.err


def test_each_committed_write_anchors_the_head_outside_the_database(
    trail: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [json.loads(line) for line in trail.read_text().splitlines()]

    assert [line["seq"] for line in lines] == [2, 4, 6]
    assert lines[-1]["hash"] == AuditHead.objects.get().hash
    assert verify_command(capsys) == (
        0, f"audit trail intact: 6 entries verified and sealed; 3 anchor(s) in {trail} matched\n"
    )  # fmt: skip


def test_an_altered_row_is_found(trail: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tamper("UPDATE audit_auditentry SET reason = %s WHERE seq = %s", ["covered up", 3])

    status, output = verify_command(capsys)

    assert status == 1
    assert "audit entry #3: content does not match its hash (row altered)" in output


def test_a_row_removed_from_the_middle_is_found(
    trail: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tamper("DELETE FROM audit_auditentry WHERE seq = %s", [3])

    status, output = verify_command(capsys)

    assert status == 1
    assert "audit entry #3: missing: removed from the database" in output


def test_the_newest_rows_removed_with_the_head_moved_back_are_found(
    trail: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tamper("DELETE FROM audit_auditentry WHERE seq > %s", [4])
    kept_hash = AuditEntry.objects.get(seq=4).hash
    tamper("UPDATE audit_audithead SET seq = 4, hash = %s", [kept_hash])
    assert list(verify()) == []  # what remains is genuine: only the anchors know it was longer

    status, output = verify_command(capsys)

    assert status == 1
    assert "audit entry #6: missing, though anchored at " in output
    assert "the trail ends at #4, so its newest entries were removed" in output


@pytest.mark.parametrize("statement", ["DELETE FROM {}", "TRUNCATE {}"])
def test_an_emptied_trail_is_found(
    trail: Path, capsys: pytest.CaptureFixture[str], statement: str
) -> None:
    if statement.startswith("TRUNCATE") and connection.vendor != "postgresql":
        pytest.skip("SQLite has no TRUNCATE (DELETE FROM without WHERE is its truncation)")
    tamper(statement.format("audit_auditentry"), [])
    tamper(statement.format("audit_audithead"), [])
    assert list(verify()) == []

    status, output = verify_command(capsys)

    assert status == 1
    assert "audit entry #6: missing, though anchored at " in output
    assert "the trail is empty, so its newest entries were removed" in output


def test_every_hash_recomputed_without_the_key_is_found(
    trail: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rewrite_from(1, "covered up")

    status, output = verify_command(capsys)

    assert status == 1
    for seq in range(1, 7):
        assert f"audit entry #{seq}: seal does not match its hash" in output


def test_the_anchors_file_removed_while_the_trail_has_entries_is_found(
    trail: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    trail.unlink()

    status, output = verify_command(capsys)

    assert status == 1
    assert f"no anchors file at {trail}, though the trail has 6 entries" in output
    assert cordtrack_main(["audit", "anchor"]) == 0  # e.g. after an upgrade: anchored afresh
    assert verify_command(capsys)[0] == 0


def test_a_transaction_of_many_appends_writes_one_anchor_and_a_rollback_none(
    bob: User, north: Site, kept: Path, django_capture_on_commit_callbacks: Capture
) -> None:
    def failing_request() -> None:
        with transaction.atomic():
            patient_services.register_patient(bob, north, year_of_birth=2000, sex="F")
            raise RuntimeError("the request failed")

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        for year in (1970, 1980, 1990):
            patient_services.register_patient(bob, north, year_of_birth=year, sex="F")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        failing_request()

    assert [json.loads(line)["seq"] for line in kept.read_text().splitlines()] == [6]


def test_an_anchor_that_cannot_be_written_does_not_fail_the_save(
    bob: User,
    north: Site,
    settings: Any,
    tmp_path: Path,
    django_capture_on_commit_callbacks: Capture,
    caplog: pytest.LogCaptureFixture,
) -> None:
    (tmp_path / "not-a-folder").write_text("")
    settings.AUDIT_ANCHORS_FILE = tmp_path / "not-a-folder" / "audit-anchors.jsonl"

    register(bob, north, django_capture_on_commit_callbacks, 1970)

    assert AuditEntry.objects.count() == 2
    assert "audit anchor #2 not written to " in caplog.text


def test_entries_sealed_with_a_previous_key_verify_after_a_rotation(
    bob: User, north: Site, settings: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    old = settings.AUDIT_KEY
    patient_services.register_patient(bob, north, year_of_birth=1970, sex="F")
    settings.AUDIT_KEY = "a-new-audit-key-after-rotation-" + "z" * 16
    settings.AUDIT_PREVIOUS_KEYS = []

    patient_services.register_patient(bob, north, year_of_birth=1980, sex="F")
    forgotten = [str(p) for p in verify()]
    settings.AUDIT_PREVIOUS_KEYS = [old]

    assert len(forgotten) == 2
    assert "audit entry #1: sealed with an audit key that is not configured" in forgotten[0]
    assert list(verify()) == []
    assert len({e.key_id for e in AuditEntry.objects.all()}) == 2
    assert old not in str(list(AuditEntry.objects.values_list("key_id", "mac")))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL triggers")
@pytest.mark.parametrize(
    "sql",
    [
        "TRUNCATE audit_auditentry",
        "TRUNCATE audit_audithead",
        "DELETE FROM audit_audithead",
        "UPDATE audit_audithead SET seq = seq - 1",
    ],
)
def test_postgresql_refuses_to_empty_the_trail_or_move_its_head_back(trail: Path, sql: str) -> None:
    from django.db import DatabaseError

    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # as in a transaction of its own
    refused = r"append-only|only moves forward"
    with pytest.raises(DatabaseError, match=refused), transaction.atomic():
        connection.cursor().execute(sql)
    assert AuditEntry.objects.count() == 6
    assert AuditHead.objects.get().seq == 6


#: The grants of docs/deployment (SECURITY.md): the application's role owns nothing, may append
#: to the trail and move its head, and nothing more.
APP_ROLE_GRANTS = """
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role};
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role};
REVOKE UPDATE, DELETE, TRUNCATE ON audit_auditentry FROM {role};
REVOKE DELETE, TRUNCATE ON audit_audithead FROM {role};
REVOKE UPDATE, TRUNCATE ON audit_stagedentry FROM {role};
"""


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL roles")
def test_the_applications_role_appends_but_cannot_rewrite_or_switch_off_the_guards(
    bob: User, north: Site
) -> None:
    from django.db import DatabaseError

    role = f"cordtrack_app_{uuid.uuid4().hex[:8]}"  # created in the test's transaction: rolled back
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} NOLOGIN")
        cursor.execute(APP_ROLE_GRANTS.format(role=role))
        cursor.execute(f"SET ROLE {role}")
    patient_services.register_patient(bob, north, year_of_birth=1970, sex="F")
    refused = {
        "UPDATE audit_auditentry SET reason = 'x'": "permission denied",
        "DELETE FROM audit_auditentry": "permission denied",
        "TRUNCATE audit_auditentry": "permission denied",
        "ALTER TABLE audit_auditentry DISABLE TRIGGER ALL": "must be owner",
        "SET session_replication_role = replica": "permission denied",
        "DROP TRIGGER audit_entry_append_only ON audit_auditentry": "must be owner",
    }
    for sql, message in refused.items():
        with pytest.raises(DatabaseError, match=message), transaction.atomic():
            connection.cursor().execute(sql)
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")
    assert AuditEntry.objects.count() == 2
    assert list(verify()) == []


def test_upgrading_seals_the_entries_already_there_and_starts_the_anchors_file(
    transactional_db: None, settings: Any, tmp_path: Path
) -> None:
    """Migration audit/0003 on a trail written before seals existed (on PostgreSQL, past the
    trigger that refuses UPDATE)."""
    from django.db.migrations.executor import MigrationExecutor

    from cordtrack.server.audit.chain import entry_hash
    from cordtrack.server.audit.models import GENESIS_HASH

    before = [("audit", "0002_append_only_trigger")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = MigrationExecutor(connection).loader.project_state(before).apps
    entry_model, head_model = (
        old.get_model("audit", "AuditEntry"),
        old.get_model("audit", "AuditHead"),
    )
    prev = GENESIS_HASH
    for seq in (1, 2, 3):
        at = dt.datetime(2026, 1, seq, tzinfo=dt.UTC)
        entry = entry_model(seq=seq, at=at, actor_label="system", action="view",
                            model="patients.patient", object_id=str(seq), changes={},
                            reason="", prev_hash=prev)  # fmt: skip
        entry.hash = prev = entry_hash(entry)
        entry.save()
    head_model.objects.create(pk=1, seq=3, hash=prev)
    settings.AUDIT_ANCHORS_FILE = kept = tmp_path / "audit-anchors.jsonl"

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert list(verify()) == []
    assert {e.key_id for e in AuditEntry.objects.all()} == {keys.current()[0]}
    assert [json.loads(line)["seq"] for line in kept.read_text().splitlines()] == [3]
    assert cordtrack_main(["audit", "verify"]) == 0
