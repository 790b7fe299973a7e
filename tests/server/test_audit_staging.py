"""Staged audit entries (ADR 0051): an append that finds the head held stages its entry, sealed
on its own, commits with its change and never waits; the entry is chained later, in staging
order; an entry altered, forged or removed while staged is refused or named by ``audit verify``.
Run on SQLite and PostgreSQL (the staging path is forced on SQLite, whose single write lock
otherwise always gives the head); the concurrency tests need PostgreSQL."""

from __future__ import annotations

import re
import threading
import time
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from cordtrack.cli import main as cordtrack_main
from cordtrack.server.accounts.models import Site, User
from cordtrack.server.audit import chain, staging
from cordtrack.server.audit.chain import verify
from cordtrack.server.audit.models import AuditAction, AuditEntry, AuditHead, StagedEntry
from cordtrack.server.services import patients as patient_services

POSTGRESQL = connection.vendor == "postgresql"


@pytest.fixture
def head_held(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every append finds the head held by another transaction (as under load)."""
    monkeypatch.setattr(chain, "head_if_free", lambda: None)


def _append(actor: Any, object_id: object, patient_id: int | None = None) -> Any:
    with transaction.atomic():
        return chain.append(actor, AuditAction.VIEW, "patients.patient", object_id,
                            patient_id=patient_id, changes={"n": [1, 2]})  # fmt: skip


def _raw(sql: str, params: list[Any] | None = None) -> None:
    """As the database's owner could, past the triggers (PostgreSQL) and the ORM's guard."""
    with connection.cursor() as cursor:
        if POSTGRESQL:
            cursor.execute("SET session_replication_role = replica")
        cursor.execute(sql, params or [])
        if POSTGRESQL:
            cursor.execute("SET session_replication_role = DEFAULT")


def test_an_append_that_finds_the_head_held_is_staged_then_chained_in_staging_order(
    bob: User, north: Site, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _append(bob, "first")
    monkeypatch.setattr(chain, "head_if_free", lambda: None)
    staged = [_append(bob, f"s{i}", patient_id=i) for i in range(3)]
    assert all(isinstance(s, StagedEntry) for s in staged)
    assert AuditEntry.objects.count() == 1
    assert StagedEntry.objects.count() == 3
    assert list(verify()) == []  # committed and genuine: not a break, just not chained yet
    assert cordtrack_main(["audit", "verify"]) == 0
    assert "3 staged entries verified, waiting to be chained" in capsys.readouterr().out
    monkeypatch.undo()

    assert staging.seal_pending() == 3

    assert StagedEntry.objects.count() == 0
    chained = list(AuditEntry.objects.order_by("seq"))
    assert [e.object_id for e in chained] == ["first", "s0", "s1", "s2"]
    assert [e.staged_id for e in chained[1:]] == [s.pk for s in staged]
    assert chained[2].patient_id == 1
    assert chained[2].actor_id == bob.pk
    assert chained[2].changes == {"n": [1, 2]}
    assert AuditHead.objects.get().seq == 4
    assert list(verify()) == []


def test_the_next_append_chains_what_is_staged_before_its_own_entry(
    bob: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A process killed after committing its staged entry and before sealing it: the entry is
    committed, and the next writer to hold the head chains it first."""
    monkeypatch.setattr(chain, "head_if_free", lambda: None)
    _append(bob, "left staged")
    monkeypatch.undo()
    if not POSTGRESQL:  # SQLite never stages by itself, so never looks: the worker's job seals
        staging.seal_pending()
    _append(bob, "next")
    assert [e.object_id for e in AuditEntry.objects.order_by("seq")] == ["left staged", "next"]
    assert not StagedEntry.objects.exists()
    assert list(verify()) == []


@pytest.mark.skipif(not POSTGRESQL, reason="SQLite never stages, so never looks")
def test_an_append_with_nothing_staged_asks_with_the_head_and_reads_no_staged_entry(
    bob: User,
) -> None:
    """Whether anything waits in staging is answered by the statement that takes the head; the
    staged entries are read only when there are some (ADR 0057)."""
    _append(bob, "first")
    with CaptureQueriesContext(connection) as captured:
        _append(bob, "second")
    sql = [q["sql"] for q in captured.captured_queries]
    head = [s for s in sql if s.startswith("SELECT") and 'FROM "audit_audithead"' in s]
    assert len(head) == 1
    assert "FOR UPDATE SKIP LOCKED" in head[0]
    # The first staged id in key order (the index), not EXISTS (a sequential scan through every
    # dead row chained entries left behind until a vacuum, ADR 0060).
    asked = head[0].split('FROM "audit_stagedentry"', 1)
    assert len(asked) == 2, head[0]
    assert "EXISTS" not in head[0]
    assert re.search(r'ORDER BY (1|U0\."id") ASC LIMIT 1\)', asked[1]), head[0]
    assert not [s for s in sql if s.startswith('SELECT "audit_stagedentry"')]
    assert [e.object_id for e in AuditEntry.objects.order_by("seq")] == ["first", "second"]


def test_a_staged_entry_altered_before_it_is_chained_is_named_and_never_chained(
    bob: User, head_held: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = _append(bob, "genuine", patient_id=7)
    _raw("UPDATE audit_stagedentry SET patient_id = 8 WHERE id = %s", [entry.pk])

    problems = list(verify())
    assert [(p.seq, p.staged) for p in problems] == [(entry.pk, True)]
    assert "does not match its seal" in str(problems[0])
    assert cordtrack_main(["audit", "verify"]) == 1
    monkeypatch.undo()
    assert staging.seal_pending() == 0  # a fresh seal in the chain would launder it
    assert not AuditEntry.objects.filter(staged_id=entry.pk).exists()
    assert StagedEntry.objects.filter(pk=entry.pk).exists()


def test_a_staged_entry_forged_without_the_audit_key_is_named(bob: User, head_held: None) -> None:
    entry = _append(bob, "genuine")
    _raw(
        "INSERT INTO audit_stagedentry (at, actor_label, action, model, object_id, changes, "
        "reason, key_id, mac) SELECT at, actor_label, action, model, 'forged', changes, reason, "
        "key_id, %s FROM audit_stagedentry WHERE id = %s",
        ["0" * 64, entry.pk],
    )
    assert [p.staged for p in verify()] == [True]


def test_the_orm_refuses_to_change_staged_entries(bob: User, head_held: None) -> None:
    _append(bob, "x")
    with pytest.raises(TypeError, match="never changed"):
        StagedEntry.objects.update(reason="y")


@pytest.mark.skipif(not POSTGRESQL, reason="PostgreSQL triggers")
@pytest.mark.parametrize(
    "sql",
    [
        "DELETE FROM audit_stagedentry",
        "UPDATE audit_stagedentry SET reason = 'y'",
        "TRUNCATE audit_stagedentry",
    ],
)
def test_postgresql_refuses_to_remove_or_change_an_entry_before_it_is_chained(
    bob: User, head_held: None, sql: str
) -> None:
    _append(bob, "x")
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    with pytest.raises(DatabaseError, match="audit_stagedentry"), transaction.atomic():
        connection.cursor().execute(sql)
    assert StagedEntry.objects.count() == 1


def _in_thread(work: Any) -> threading.Thread:
    def run() -> None:
        try:
            work()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.skipif(not POSTGRESQL, reason="concurrent writers need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_writers_and_readers_do_not_wait_for_a_transaction_holding_the_head(
    bob: User, north: Site
) -> None:
    """One transaction holds the head (appended, not committed); eight others append and commit
    meanwhile, at once; when the holder commits, everything is chained and verifies."""
    _append(bob, "before")  # a running registry's head exists (its very first append waits)
    holding, release = threading.Event(), threading.Event()

    def holder() -> None:
        with transaction.atomic():
            chain.append(bob, AuditAction.VIEW, "patients.patient", "holder")
            holding.set()
            release.wait(30)

    first = _in_thread(holder)
    assert holding.wait(30)
    done: list[float] = []

    def writer(i: int) -> None:
        began = time.monotonic()
        patient_services.register_patient(bob, north, year_of_birth=1960 + i, sex="F")
        done.append(time.monotonic() - began)

    writers = [_in_thread(lambda i=i: writer(i)) for i in range(8)]
    for w in writers:
        w.join(30)
    assert len(done) == 8, "writers waited for the transaction holding the head"
    assert StagedEntry.objects.count() == 16  # a registration appends two entries
    release.set()
    first.join(30)

    deadline = time.monotonic() + 10
    while StagedEntry.objects.exists() and time.monotonic() < deadline:
        time.sleep(0.05)  # the holder's seal runs after its commit, in its thread
    assert not StagedEntry.objects.exists()
    assert AuditEntry.objects.count() == 18
    assert AuditHead.objects.get().seq == 18
    assert list(verify()) == []


def test_sealing_with_nothing_staged_reads_once_and_leaves_the_head_alone(bob: User) -> None:
    """After every commit that appended, the seal looks for staged entries: finding none, it
    does not take the head's row lock in a transaction of its own (ADR 0053, 0054)."""
    _append(bob, "first")
    with CaptureQueriesContext(connection) as captured:
        assert staging.seal_pending() == 0
    sql = [q["sql"] for q in captured.captured_queries]
    assert len(sql) == 1
    assert "audit_stagedentry" in sql[0]
    assert "audit_audithead" not in sql[0]


def test_sealing_after_a_staged_entry_still_chains_it(
    bob: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    _append(bob, "first")
    monkeypatch.setattr(chain, "head_if_free", lambda: None)
    _append(bob, "staged")
    monkeypatch.undo()
    assert staging.seal_pending() == 1
    assert [e.object_id for e in AuditEntry.objects.order_by("seq")] == ["first", "staged"]
