"""ISNCSCI exams: raw values stored, classification computed and stored, recomputable."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cordtrack.server.accounts.models import Site, User
from cordtrack.server.audit.models import AuditAction, AuditEntry
from cordtrack.server.exams.models import IsncsciExam
from cordtrack.server.patients.models import Patient
from cordtrack.server.services import exams

from .conftest import TODAY, complete_t6_exam, normal_exam, signing


def test_an_exam_is_stored_with_its_classification_and_engine_version(
    alice: User, make_patient: Callable[..., Patient], north: Site
) -> None:
    patient = make_patient(north)

    exam = exams.record_exam(alice, patient, complete_t6_exam(), exam_date=TODAY)

    exam.refresh_from_db()
    assert exam.values == complete_t6_exam()
    assert exam.classification is not None
    assert len(exam.classification) == 25
    assert (exam.nli, exam.ais, exam.uems, exam.lems) == ("T6", "A", 50, 0)
    assert exam.engine_version
    assert exam.examiner == alice


def test_invalid_values_give_field_errors_and_store_nothing(
    alice: User, make_patient: Callable[..., Patient], north: Site
) -> None:
    patient = make_patient(north)
    bad = normal_exam(c5RightMotor="6", analContraction="maybe")
    del bad["t4LeftTouch"]
    audit_before = AuditEntry.objects.count()

    with pytest.raises(ValidationError) as refused:
        exams.record_exam(alice, patient, bad, exam_date=TODAY)

    errors = refused.value.message_dict
    assert set(errors) == {"c5RightMotor", "analContraction", "t4LeftTouch"}
    assert errors["c5RightMotor"] == ["'6' is not a motor grade"]
    assert errors["t4LeftTouch"] == ["is required"]
    assert not IsncsciExam.objects.exists()
    assert AuditEntry.objects.count() == audit_before


def test_keys_outside_the_exam_are_not_stored(
    alice: User, make_patient: Callable[..., Patient], north: Site
) -> None:
    exam = exams.record_exam(
        alice, make_patient(north), {**normal_exam(), "comments": "free text"}, exam_date=TODAY
    )
    assert "comments" not in exam.values


def test_a_coordinator_cannot_record_an_exam(
    bob: User, make_patient: Callable[..., Patient], north: Site
) -> None:
    with pytest.raises(PermissionDenied):
        exams.record_exam(bob, make_patient(north), normal_exam(), exam_date=TODAY)


def test_a_clinician_of_another_site_cannot_record_an_exam(
    charlie: User, make_patient: Callable[..., Patient], north: Site
) -> None:
    with pytest.raises(PermissionDenied):
        exams.record_exam(charlie, make_patient(north), normal_exam(), exam_date=TODAY)


def test_a_signed_exam_changes_only_with_a_reason_which_is_audited(
    alice: User, make_patient: Callable[..., Patient], north: Site
) -> None:
    exam = exams.record_exam(alice, make_patient(north), normal_exam(), exam_date=TODAY)
    exams.sign_exam(alice, exam, password=signing(alice))

    with pytest.raises(ValidationError) as refused:
        exams.amend_exam(alice, exam, complete_t6_exam())
    assert "reason" in refused.value.message_dict

    exams.amend_exam(alice, exam, complete_t6_exam(), reason="transcription error in T7-S4-5")
    last = AuditEntry.objects.filter(model="exams.isncsciexam").last()
    assert last is not None
    assert last.reason == "transcription error in T7-S4-5"
    assert last.changes["ais"] == ["E", "A"]
    assert AuditEntry.objects.filter(model="exams.isncsciexam", action=AuditAction.SIGN).exists()


def _stored_unclassified(exam: IsncsciExam) -> IsncsciExam:
    """The exam as a row stored without a classification (an import that predates the engine
    column, a restore of old data): what ``recompute_exams`` must find and classify."""
    IsncsciExam.objects.filter(pk=exam.pk).update(
        classification=None, engine_version="", classified_at=None, nli="", ais="", uems=None,
        lems=None,
    )  # fmt: skip
    exam.refresh_from_db()
    return exam


def test_an_exam_stored_without_a_classification_is_classified_later(
    alice: User, make_patient: Callable[..., Patient], north: Site
) -> None:
    exam = _stored_unclassified(
        exams.record_exam(alice, make_patient(north), complete_t6_exam(), exam_date=TODAY)
    )
    assert exam.classification is None
    assert exam.ais == ""

    assert exams.recompute_exam(None, exam) is True
    exam.refresh_from_db()
    assert exam.ais == "A"
    assert exams.recompute_exam(None, exam) is False


def test_exam_dates_in_the_future_are_refused(
    alice: User, make_patient: Callable[..., Patient], north: Site
) -> None:
    import datetime as dt

    with pytest.raises(ValidationError) as refused:
        exams.record_exam(
            alice, make_patient(north), normal_exam(), exam_date=TODAY + dt.timedelta(days=2)
        )
    assert "exam_date" in refused.value.message_dict


def test_the_exam_form_shows_field_errors_and_keeps_the_values(
    client: object, alice: User, make_patient: Callable[..., Patient], north: Site
) -> None:
    from django.test import Client

    assert isinstance(client, Client)
    patient = make_patient(north)
    client.force_login(alice)

    response = client.post(
        f"/patients/{patient.pk}/exams/new/",
        {"exam_date": TODAY.isoformat(), **normal_exam(c6LeftMotor="9")},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "&#x27;9&#x27; is not a motor grade" in page
    assert not IsncsciExam.objects.exists()


def test_the_exam_form_records_and_shows_the_classification(
    client: object, alice: User, make_patient: Callable[..., Patient], north: Site
) -> None:
    from django.test import Client

    assert isinstance(client, Client)
    patient = make_patient(north)
    client.force_login(alice)

    response = client.post(
        f"/patients/{patient.pk}/exams/new/", {"exam_date": TODAY.isoformat(), **complete_t6_exam()}
    )

    exam = IsncsciExam.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/exams/{exam.pk}/"
    page = client.get(f"/exams/{exam.pk}/").content.decode()
    assert '<span lang="en">AIS</span> <strong>A</strong>' in page


def test_recompute_exams_classifies_stale_exams_once(
    alice: User, make_patient: Callable[..., Patient], north: Site
) -> None:
    from django.core.management import call_command
    from django.core.management.base import CommandError

    exam = _stored_unclassified(
        exams.record_exam(alice, make_patient(north), complete_t6_exam(), exam_date=TODAY)
    )
    with pytest.raises(CommandError, match="1 exams are stale"):
        call_command("recompute_exams", "--check")

    call_command("recompute_exams")
    call_command("recompute_exams", "--check")

    exam.refresh_from_db()
    assert exam.ais == "A"
    entry = AuditEntry.objects.filter(model="exams.isncsciexam").last()
    assert entry is not None
    assert entry.reason.startswith("engine update")


def test_a_signed_exam_is_corrected_on_its_page_only_with_a_reason(
    client: object, alice: User, make_patient: Callable[..., Patient], north: Site
) -> None:
    from django.test import Client

    assert isinstance(client, Client)
    exam = exams.record_exam(alice, make_patient(north), normal_exam(), exam_date=TODAY)
    alice.set_password("alice-pass")
    alice.save()
    client.force_login(alice)
    client.post(f"/exams/{exam.pk}/sign/", {"password": "alice-pass"})  # e-signature (issue 4)
    corrected = {"exam_date": TODAY.isoformat(), **complete_t6_exam()}

    refused = client.post(f"/exams/{exam.pk}/edit/", corrected)
    done = client.post(f"/exams/{exam.pk}/edit/", {**corrected, "reason": "wrong worksheet"})

    assert "this record is signed: give a reason" in refused.content.decode()
    assert done.status_code == 302
    exam.refresh_from_db()
    assert exam.ais == "A"
    assert exam.exam_date == TODAY


def test_the_exam_form_can_start_from_a_normal_exam(
    client: object, alice: User, make_patient: Callable[..., Patient], north: Site
) -> None:
    from django.test import Client

    assert isinstance(client, Client)
    patient = make_patient(north)
    client.force_login(alice)

    page = client.get(f"/patients/{patient.pk}/exams/new/?start=normal").content.decode()

    assert 'name="c5RightMotor" value="5"' in page
    assert 'name="s4_5LeftPrick" value="2"' in page
    assert 'name="analContraction" value="Yes"' in page
