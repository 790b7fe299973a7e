"""The audit trail: who, when, what (old → new), in the change's transaction, hash-chained."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from cordtrack.cli import main as cordtrack_main
from cordtrack.server.accounts.models import Site, User
from cordtrack.server.audit.chain import Change, append, append_many, verify
from cordtrack.server.audit.models import AuditAction, AuditEntry, AuditHead
from cordtrack.server.patients.models import Patient
from cordtrack.server.services import patients as patient_services

from .conftest import TODAY


def _entries(model: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(model=model))


def test_registering_a_patient_records_who_and_every_new_value(bob: User, north: Site) -> None:
    patient = patient_services.register_patient(bob, north, year_of_birth=1975, sex="M")

    (entry,) = _entries("patients.patient")
    assert entry.action == AuditAction.CREATE
    assert entry.actor == bob
    assert entry.actor_label == "bob"
    assert entry.object_id == str(patient.pk)
    assert entry.site_id == north.pk
    assert entry.patient_id == patient.pk
    assert entry.changes["study_id"] == [None, "NTH-0001"]
    assert entry.changes["year_of_birth"] == [None, 1975]


def test_an_update_records_old_and_new_values_only_for_changed_fields(
    bob: User, make_patient: Callable[..., Patient], north: Site
) -> None:
    patient = make_patient(north, consented=False)
    patient_services.record_consent(
        bob, patient, status="consented", consent_date=TODAY, version="3.0"
    )

    last = AuditEntry.objects.filter(model="patients.patient").last()
    assert last is not None
    assert last.action == AuditAction.UPDATE
    assert last.changes == {
        "consent_date": [None, TODAY.isoformat()],
        "consent_status": ["pending", "consented"],
        "consent_version": ["", "3.0"],
    }


def test_a_refused_change_writes_neither_the_record_nor_an_audit_entry(
    bob: User, make_patient: Callable[..., Patient], north: Site
) -> None:
    patient = make_patient(north, consented=False)
    before = AuditEntry.objects.count()

    with pytest.raises(ValidationError) as refused:
        patient_services.record_consent(
            bob, patient, status="consented", consent_date=None, version=""
        )

    assert set(refused.value.message_dict) == {"consent_date", "consent_version"}
    assert AuditEntry.objects.count() == before
    patient.refresh_from_db()
    assert patient.consent_status == "pending"


def test_a_change_and_its_entry_roll_back_together(bob: User, north: Site) -> None:
    def failing_request() -> None:
        with transaction.atomic():
            patient_services.register_patient(bob, north, year_of_birth=1990, sex="F")
            raise RuntimeError("the request failed after the write")

    with pytest.raises(RuntimeError):
        failing_request()

    assert not Patient.objects.exists()
    assert not AuditEntry.objects.exists()
    assert list(verify()) == []


def test_audit_entries_cannot_be_written_outside_a_transaction(transactional_db: None) -> None:
    with pytest.raises(RuntimeError, match="inside the transaction"):
        append(None, AuditAction.VIEW, "patients.patient", 1)


def test_the_orm_refuses_to_update_or_delete_audit_entries(bob: User, north: Site) -> None:
    patient_services.register_patient(bob, north, year_of_birth=1990, sex="F")
    entry = AuditEntry.objects.first()
    assert entry is not None

    entry.reason = "rewritten"
    with pytest.raises(TypeError, match="append-only"):
        entry.save()
    with pytest.raises(TypeError, match="append-only"):
        entry.delete()
    with pytest.raises(TypeError, match="append-only"):
        AuditEntry.objects.all().delete()
    with pytest.raises(TypeError, match="append-only"):
        AuditEntry.objects.update(reason="x")


def test_each_entry_links_to_the_hash_of_the_previous_one(bob: User, north: Site) -> None:
    for year in (1970, 1980, 1990):
        patient_services.register_patient(bob, north, year_of_birth=year, sex="F")

    entries = list(AuditEntry.objects.order_by("seq"))
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
    for previous, entry in itertools.pairwise(entries):
        assert entry.prev_hash == previous.hash
    head = AuditHead.objects.get()
    assert (head.seq, head.hash) == (entries[-1].seq, entries[-1].hash)


def test_many_entries_appended_at_once_link_like_entries_appended_one_by_one(
    bob: User, north: Site
) -> None:
    patient_services.register_patient(bob, north, year_of_birth=1970, sex="F")
    before = AuditEntry.objects.count()
    changes = [
        Change(AuditAction.UPDATE, "exams.isncsciexam", pk, {"ais": ["A", "B"]}, "engine update")
        for pk in range(1200)  # more than one insert batch
    ]
    with transaction.atomic():
        appended = append_many(bob, changes)
    with transaction.atomic():
        append(bob, AuditAction.VIEW, "patients.patient", 1)

    entries = list(AuditEntry.objects.order_by("seq"))
    assert [e.seq for e in entries] == list(range(1, before + 1202))
    bulk = entries[before:-1]
    assert [e.object_id for e in bulk] == [str(pk) for pk in range(1200)]
    assert [e.hash for e in bulk] == [e.hash for e in appended]
    for previous, entry in itertools.pairwise(entries):
        assert entry.prev_hash == previous.hash
    assert {(e.actor_label, e.reason) for e in bulk} == {("bob", "engine update")}
    assert list(verify()) == []


def test_appending_nothing_writes_nothing(bob: User) -> None:
    with transaction.atomic():
        assert append_many(bob, []) == []
    assert not AuditEntry.objects.exists()


def tamper(sql: str, params: list[object]) -> None:
    """Change the audit table directly, as a database superuser could (on PostgreSQL, first
    switching off the trigger that refuses UPDATE and DELETE)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The test's transaction holds deferred foreign-key checks, which TRUNCATE refuses.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET session_replication_role = replica")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")


def _three_patients(bob: User, north: Site) -> None:
    for year in (1970, 1980, 1990):
        patient_services.register_patient(bob, north, year_of_birth=year, sex="F")


def test_audit_verify_passes_on_an_intact_trail(
    bob: User, north: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    _three_patients(bob, north)

    call_command("audit", "verify")

    assert "audit trail intact: 6 entries verified" in capsys.readouterr().out


def test_audit_verify_names_an_entry_altered_with_raw_sql(bob: User, north: Site) -> None:
    _three_patients(bob, north)
    tamper("UPDATE audit_auditentry SET reason = %s WHERE seq = %s", ["covered up", 3])

    with pytest.raises(CommandError, match="NOT intact"):
        call_command("audit", "verify")
    assert [str(p) for p in verify()] == [
        "audit entry #3: content does not match its hash (row altered)"
    ]


def test_audit_verify_names_an_entry_deleted_with_raw_sql(bob: User, north: Site) -> None:
    _three_patients(bob, north)
    tamper("DELETE FROM audit_auditentry WHERE seq = %s", [2])

    problems = [str(p) for p in verify()]

    assert problems[0] == "audit entry #2: missing: removed from the database"


def test_audit_verify_notices_the_newest_entries_removed(bob: User, north: Site) -> None:
    _three_patients(bob, north)
    tamper("DELETE FROM audit_auditentry WHERE seq >= %s", [5])

    assert [str(p) for p in verify()] == [
        "audit entry #5: missing: the last entries up to #6 were removed"
    ]


def test_audit_verify_notices_a_forged_entry_with_a_recomputed_hash(bob: User, north: Site) -> None:
    """Rewriting a row and its own hash still breaks the link from the next row."""
    _three_patients(bob, north)
    from cordtrack.server.audit.chain import entry_hash

    forged = AuditEntry.objects.get(seq=2)
    forged.reason = "forged"
    new_hash = entry_hash(forged)
    tamper(
        "UPDATE audit_auditentry SET reason = %s, hash = %s WHERE seq = %s",
        ["forged", new_hash, 2],
    )

    assert "audit entry #3: does not link to the previous entry (chain broken)" in [
        str(p) for p in verify()
    ]


def test_cordtrack_audit_verify_exits_1_naming_the_altered_entry(
    bob: User, north: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    _three_patients(bob, north)
    assert cordtrack_main(["audit", "verify"]) == 0
    tamper("UPDATE audit_auditentry SET actor_label = %s WHERE seq = %s", ["eve", 4])

    assert cordtrack_main(["audit", "verify"]) == 1
    assert "audit entry #4: content does not match its hash" in capsys.readouterr().err


def test_viewing_a_patient_is_logged(
    client: object, alice: User, make_patient: Callable[..., Patient], north: Site
) -> None:
    from django.test import Client

    patient = make_patient(north)
    assert isinstance(client, Client)
    client.force_login(alice)

    client.get(f"/patients/{patient.pk}/")

    view = AuditEntry.objects.filter(action=AuditAction.VIEW).get()
    assert (view.actor, view.patient_id, view.model) == (alice, patient.pk, "patients.patient")


def test_dates_and_decimals_hash_the_same_after_a_round_trip(bob: User, north: Site) -> None:
    patient = patient_services.register_patient(
        bob, north, year_of_birth=1970, sex="F", received_on=dt.date(2024, 2, 29)
    )
    patient_services.record_consent(
        bob, patient, status="consented", consent_date=dt.date(2024, 3, 1), version="1"
    )
    assert list(verify()) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL trigger")
def test_postgresql_refuses_to_update_or_delete_audit_rows(bob: User, north: Site) -> None:
    from django.db import DatabaseError

    _three_patients(bob, north)
    for sql in ("UPDATE audit_auditentry SET reason = 'x'", "DELETE FROM audit_auditentry"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            connection.cursor().execute(sql)
    assert list(verify()) == []


def test_jsonable_copies_a_mapping_of_plain_values_and_converts_anything_else() -> None:
    from cordtrack.server.audit.chain import jsonable

    cells = {"C5_right_motor": "5", "comments": "", "n": 1, "flag": True, "gone": None}
    copied = jsonable(cells)
    assert copied == cells
    assert copied is not cells  # the entry keeps its own copy
    assert jsonable({1: dt.date(2026, 1, 2)}) == {"1": "2026-01-02"}
    assert jsonable({"a": {"b": dt.date(2026, 1, 2)}, "c": 1.5}) == {
        "a": {"b": "2026-01-02"},
        "c": "1.5",
    }
    assert jsonable([None, {"x": "1"}]) == [None, {"x": "1"}]
