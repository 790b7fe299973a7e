"""Writes compiled once per connection (ADR 0059): a row inserted or updated by them is the row
``save()`` would have written, the save signals are sent, and what they cannot do as ``save()``
does is refused; on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import DatabaseError, connection
from django.db.models.functions import Now
from django.db.models.signals import post_save, pre_save
from django.db.models.sql.compiler import SQLInsertCompiler
from django.test.utils import CaptureQueriesContext

from cordtrack.server.accounts.models import Site, User
from cordtrack.server.audit.models import AuditEntry, AuditHead
from cordtrack.server.exams.models import IsncsciExam
from cordtrack.server.patients.models import Patient
from cordtrack.server.prepared_writes import insert, insertable, update
from cordtrack.server.services.exams import classified_fields
from cordtrack.server.signatures.models import Signature

from .conftest import TODAY, normal_exam


@pytest.fixture
def patient(make_patient: Callable[..., Patient], north: Site) -> Patient:
    return make_patient(north)


def _exam(patient: Patient, examiner: User) -> IsncsciExam:
    values = normal_exam()
    return IsncsciExam(
        patient=patient, examiner=examiner, exam_date=TODAY, values=values,
        **classified_fields(values),
    )  # fmt: skip


def _stored(pk: int) -> dict[str, Any]:
    row = IsncsciExam.objects.filter(pk=pk).values().get()
    row.pop("id")
    return row


def test_an_inserted_row_is_stored_as_save_stores_it(patient: Patient, alice: User) -> None:
    saved, inserted = _exam(patient, alice), _exam(patient, alice)
    inserted.classified_at = saved.classified_at
    saved.save()
    insert(inserted)
    assert inserted.pk is not None
    assert inserted.pk != saved.pk
    assert inserted._state.adding is False
    assert inserted._state.db == "default"
    assert _stored(inserted.pk) == _stored(saved.pk)
    assert _stored(inserted.pk)["values"] == normal_exam()


def test_the_insert_is_compiled_once_per_connection(patient: Patient, alice: User) -> None:
    insert(_exam(patient, alice))
    compiled = []
    original = SQLInsertCompiler.as_sql

    def counting(self: SQLInsertCompiler) -> Any:
        compiled.append(self)
        return original(self)

    SQLInsertCompiler.as_sql = counting  # type: ignore[method-assign]
    try:
        with CaptureQueriesContext(connection) as captured:
            second = _exam(patient, alice)
            insert(second)
    finally:
        SQLInsertCompiler.as_sql = original  # type: ignore[method-assign]
    assert compiled == []
    assert [q["sql"].split()[:3] for q in captured.captured_queries] == [
        ["INSERT", "INTO", '"exams_isncsciexam"']
    ]
    assert IsncsciExam.objects.filter(pk=second.pk).exists()


@pytest.fixture
def signals() -> Iterator[list[tuple[str, dict[str, Any]]]]:
    heard: list[tuple[str, dict[str, Any]]] = []

    def before(**kwargs: Any) -> None:
        heard.append(("pre_save", kwargs))

    def after(**kwargs: Any) -> None:
        heard.append(("post_save", kwargs))

    pre_save.connect(before, sender=IsncsciExam)
    post_save.connect(after, sender=IsncsciExam)
    yield heard
    pre_save.disconnect(before, sender=IsncsciExam)
    post_save.disconnect(after, sender=IsncsciExam)


def test_save_signals_are_sent_as_save_sends_them(
    patient: Patient, alice: User, signals: list[tuple[str, dict[str, Any]]]
) -> None:
    exam = _exam(patient, alice)
    insert(exam)
    update(exam, "nli")
    assert [(name, kw["instance"] is exam, kw.get("created"), kw["update_fields"])
            for name, kw in signals] == [
        ("pre_save", True, None, None), ("post_save", True, True, None),
        ("pre_save", True, None, frozenset({"nli"})),
        ("post_save", True, False, frozenset({"nli"})),
    ]  # fmt: skip


def test_an_update_writes_only_the_named_columns(patient: Patient, alice: User) -> None:
    exam = _exam(patient, alice)
    exam.save()
    IsncsciExam.objects.filter(pk=exam.pk).update(ais="B")  # changed by someone else meanwhile
    exam.nli, exam.ais = "C4", "D"
    update(exam, "nli")
    assert IsncsciExam.objects.values_list("nli", "ais").get(pk=exam.pk) == ("C4", "B")


def test_an_update_of_a_row_that_is_gone_fails_as_save_fails(db: None) -> None:
    head = AuditHead(pk=987654, seq=1, hash="0" * 64)
    with pytest.raises(DatabaseError, match="did not affect any rows"):
        update(head, "seq", "hash")


def test_what_save_would_do_otherwise_is_refused_or_left_to_save(
    patient: Patient, alice: User
) -> None:
    existing = _exam(patient, alice)
    existing.save()
    assert not insertable(existing)  # stored already: an update, not an insert
    keyed = AuditHead(pk=5, seq=0, hash="0" * 64)
    assert not insertable(keyed)  # a key chosen by the caller: save() decides insert or update
    signature = Signature(model="exams.isncsciexam", object_id="1", signer=alice, meaning="author")
    assert not insertable(signature)  # overrides save()
    with pytest.raises(TypeError):
        insert(signature)
    with pytest.raises(TypeError):
        update(signature, "meaning")
    stamped = _exam(patient, alice)
    stamped.classified_at = Now()  # an SQL expression: Django's compiler writes that statement
    assert not insertable(stamped)
    entry = AuditEntry(seq=1, at=dt.datetime.now(dt.UTC), action="create", model="x", object_id="1",
                       prev_hash="0" * 64, hash="1" * 64)  # fmt: skip
    assert not insertable(entry)  # its save() is overridden ...
    assert insertable(entry, overrides_save_only_for_updates=True)  # ... only to refuse updates
