"""Registry reclassification: every stored exam through the batch engine, bulk writes, audited."""

from __future__ import annotations

import random
from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from cordtrack.isncsci import ENGINE_VERSION, EXAM_KEYS, classify, parse_exam
from cordtrack.isncsci.batch import classify_batch, encode
from cordtrack.isncsci.generator import generate_exams
from cordtrack.isncsci.types import SENSORY_LEVELS
from cordtrack.server.accounts.models import Role, Site, User
from cordtrack.server.audit.chain import verify
from cordtrack.server.audit.models import AuditAction, AuditEntry
from cordtrack.server.demo_exams import make_exam
from cordtrack.server.exams.models import IsncsciExam
from cordtrack.server.patients.models import Patient
from cordtrack.server.services import exams
from cordtrack.server.services.reclassification import reclassify_exams

from .conftest import TODAY, complete_t6_exam, normal_exam, signing

COLUMNS = ("classification", "engine_version", "classified_at", "nli", "ais", "uems", "lems")


def scalar(values: dict[str, str]) -> dict[str, str]:
    return classify(parse_exam(values)).to_flat()


def batch(exams_values: list[dict[str, str]]) -> list[dict[str, str]]:
    arrays, errors = encode(exams_values)
    assert errors == []
    return classify_batch(arrays).to_flat_rows()


@pytest.fixture
def stored(
    alice: User, charlie: User, make_patient: Callable[..., Patient], north: Site, south: Site
) -> list[IsncsciExam]:
    """Twelve exams at two sites: normal, complete T6, and generated ones with NT and stars."""
    generated = [
        {k: v for k, v in exam.items() if k in EXAM_KEYS}
        for exam in generate_exams(8, seed=7, nt_rate=0.05, star_rate=0.05)
    ]
    made = []
    for i, values in enumerate([normal_exam(), complete_t6_exam(), *generated, normal_exam()]):
        actor, site = (alice, north) if i % 2 == 0 else (charlie, south)
        made.append(exams.record_exam(actor, make_patient(site), values, exam_date=TODAY))
    last = exams.record_exam(charlie, make_patient(south), complete_t6_exam(), exam_date=TODAY)
    return [*made, last]


def table() -> dict[int, tuple[Any, ...]]:
    return {row[0]: row[1:] for row in IsncsciExam.objects.values_list("pk", *COLUMNS)}


def corrupt(stored: list[IsncsciExam]) -> dict[int, str]:
    """Damage three stored results in three ways; returns {exam id: how}."""
    a, b, c = stored[1], stored[4], stored[11]
    assert a.classification is not None
    wrong = {**a.classification, "asiaImpairmentScale": "B"}
    IsncsciExam.objects.filter(pk=a.pk).update(classification=wrong, ais="B")
    IsncsciExam.objects.filter(pk=b.pk).update(nli="L1", uems=1)  # indexed columns only
    IsncsciExam.objects.filter(pk=c.pk).update(  # never classified (engine was unavailable)
        classification=None, engine_version="", classified_at=None, nli="", ais="", uems=None,
        lems=None,
    )  # fmt: skip
    return {a.pk: "ais", b.pk: "columns", c.pk: "missing"}


def test_exactly_the_corrupted_exams_are_restored_with_one_audit_entry_each(
    stored: list[IsncsciExam],
) -> None:
    before = table()
    damaged = corrupt(stored)
    a, b, c = damaged
    last_seq = AuditEntry.objects.order_by("seq").last()
    assert last_seq is not None
    examined: list[int] = []

    report = reclassify_exams(None, chunk=5, progress=examined.append)  # 3 chunks: keyset paging

    assert report.changed_ids == sorted(damaged)
    assert len(stored) == 12
    assert (report.examined, report.unchanged, report.unparseable) == (12, 9, [])
    assert examined == [5, 5, 2]
    after = table()
    for pk, row in before.items():
        if pk in damaged:  # restored, with a new classification time
            assert (after[pk][:2], after[pk][3:]) == (row[:2], row[3:])
            assert after[pk][2] > row[2]
        else:  # untouched
            assert after[pk] == row
    for exam in IsncsciExam.objects.all():
        assert exam.classification == scalar(exam.values)

    entries = list(AuditEntry.objects.filter(seq__gt=last_seq.seq))
    assert [e.object_id for e in entries] == [str(pk) for pk in sorted(damaged)]
    assert {e.action for e in entries} == {AuditAction.UPDATE}
    assert {e.reason for e in entries} == {f"engine update to {ENGINE_VERSION}"}
    assert {e.actor_label for e in entries} == {"system"}
    by_exam = {int(e.object_id): e for e in entries}
    exam_a = IsncsciExam.objects.select_related("patient").get(pk=a)
    assert by_exam[a].site_id == exam_a.patient.site_id
    assert by_exam[a].patient_id == exam_a.patient_id
    assert set(by_exam[a].changes) == {"classification.asiaImpairmentScale", "ais", "classified_at"}
    assert by_exam[a].changes["classification.asiaImpairmentScale"] == ["B", "A"]
    assert by_exam[a].changes["ais"] == ["B", "A"]
    assert set(by_exam[b].changes) == {"nli", "uems", "classified_at"}
    assert by_exam[b].changes["nli"] == ["L1", before[b][3]]
    assert by_exam[b].changes["uems"] == [1, before[b][5]]
    changes_c = by_exam[c].changes
    assert changes_c["engine_version"] == ["", ENGINE_VERSION]
    assert changes_c["classification.asiaImpairmentScale"] == [None, "A"]
    assert sum(k.startswith("classification.") for k in changes_c) == 25
    assert list(verify()) == []

    again = reclassify_exams(None)
    assert (again.changed, again.unchanged) == (0, len(stored))
    assert AuditEntry.objects.count() == last_seq.seq + 3


def test_check_only_reports_and_writes_nothing(stored: list[IsncsciExam]) -> None:
    damaged = corrupt(stored)
    before, audit_before = table(), AuditEntry.objects.count()

    report = reclassify_exams(None, check_only=True, chunk=4)

    assert report.check_only
    assert report.changed_ids == sorted(damaged)
    assert "3 would change" in report.summary()
    assert table() == before
    assert AuditEntry.objects.count() == audit_before


def test_unparseable_raw_values_are_reported_and_left_unchanged(
    stored: list[IsncsciExam],
) -> None:
    bad, missing = stored[2], stored[3]
    IsncsciExam.objects.filter(pk=bad.pk).update(
        values={**bad.values, "c5RightMotor": "9"}, ais="B"
    )
    values = dict(missing.values)
    del values["t4LeftTouch"]
    IsncsciExam.objects.filter(pk=missing.pk).update(values=values)
    before, audit_before = table(), AuditEntry.objects.count()

    report = reclassify_exams(None)

    assert [u.exam_id for u in report.unparseable] == [bad.pk, missing.pk]
    assert "c5RightMotor: '9' is not a motor grade" in report.unparseable[0].message
    assert "t4LeftTouch: is required" in report.unparseable[1].message
    assert (report.changed, report.unchanged, report.examined) == (0, len(stored) - 2, len(stored))
    assert table() == before  # the wrong AIS of the unparseable exam is not "fixed" either
    assert AuditEntry.objects.count() == audit_before
    assert "2 unparseable" in report.summary()


def test_the_command_checks_reclassifies_in_bulk_and_names_the_actor(
    stored: list[IsncsciExam], make_user: Callable[..., User], north: Site
) -> None:
    make_user("steward", Role.DATA_MANAGER, north)
    damaged = corrupt(stored)
    out = StringIO()

    with pytest.raises(CommandError, match="3 exams are stale") as stale:
        call_command("recompute_exams", "--check", stdout=out)
    assert stale.value.returncode == 1
    assert "3 would change, 0 unparseable" in out.getvalue()
    assert "exams/s" in out.getvalue()

    call_command("recompute_exams", "--actor", "steward", "--chunk", "7", stdout=out)
    entries = AuditEntry.objects.filter(model="exams.isncsciexam", reason__startswith="engine")
    assert sorted(int(e.object_id) for e in entries) == sorted(damaged)
    assert {e.actor_label for e in entries} == {"steward"}
    out = StringIO()
    call_command("recompute_exams", "--check", stdout=out)  # exit 0: nothing is stale
    assert f"{len(stored)} unchanged, 0 would change" in out.getvalue()
    with pytest.raises(CommandError, match="no active user"):
        call_command("recompute_exams", "--actor", "nobody")
    call_command("audit", "verify", stdout=StringIO())


def test_signed_exams_are_reclassified_too_with_the_engine_update_as_reason(
    stored: list[IsncsciExam], alice: User
) -> None:
    exam = exams.sign_exam(alice, stored[0], password=signing(alice))
    IsncsciExam.objects.filter(pk=exam.pk).update(ais="D")

    report = reclassify_exams(alice)

    assert report.changed_ids == [exam.pk]
    exam.refresh_from_db()
    assert (exam.ais, exam.signed_at is not None) == ("E", True)
    entry = AuditEntry.objects.order_by("seq").last()
    assert entry is not None
    assert (entry.actor_label, entry.changes["ais"]) == ("alice", ["D", "E"])


@override_settings(DEMO_MODE=True)
def test_batch_equals_scalar_on_the_demo_exams_and_the_demo_needs_no_change(db: None) -> None:
    call_command("load_demo", stdout=StringIO())
    stored_values = list(IsncsciExam.objects.order_by("pk").values_list("values", flat=True))
    assert len(stored_values) > 50

    assert batch(stored_values) == [scalar(v) for v in stored_values]
    report = reclassify_exams(None, check_only=True)
    assert (report.changed, report.unparseable) == (0, [])


def test_batch_equals_scalar_on_the_demo_generator_at_every_level_and_severity() -> None:
    rng = random.Random("reclassification")
    values = [
        make_exam(level, severity / 2, rng)
        for level in SENSORY_LEVELS[1:-2]
        for severity in range(9)
    ]
    assert batch(values) == [scalar(v) for v in values]


class _Terminal(StringIO):
    def isatty(self) -> bool:
        return True


def test_the_command_shows_a_progress_bar_on_a_terminal_only(
    stored: list[IsncsciExam], monkeypatch: pytest.MonkeyPatch
) -> None:
    terminal = _Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    call_command("recompute_exams", "--chunk", "5", stdout=StringIO())
    assert f"{len(stored)}/{len(stored)}" in terminal.getvalue()

    piped = StringIO()
    monkeypatch.setattr("sys.stderr", piped)
    call_command("recompute_exams", stdout=StringIO())
    assert piped.getvalue() == ""
