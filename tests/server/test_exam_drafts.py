"""Exams saved as drafts, perhaps half-filled: a provisional classification, signing needs every
cell, drafts stay out of reports, exports and the patient's sight; the recorded values are shown
on a read-only grid; an exam belongs to a protocol visit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from cordtrack.server.accounts.models import Role, Site, User
from cordtrack.server.exams.models import IsncsciExam
from cordtrack.server.interop import deidentify, fhir
from cordtrack.server.patients.models import Patient
from cordtrack.server.services import exams, followup

from .conftest import TODAY, complete_t6_exam, normal_exam, signing
from .test_api_helpers import ApiClient


def half_filled() -> dict[str, str]:
    """The right side and the anal tests of a normal exam; the left side still empty."""
    return {k: v for k, v in normal_exam().items() if "Left" not in k}


def test_a_half_filled_draft_is_saved_with_a_provisional_classification(
    alice: User, make_patient: Callable[..., Patient], north: Site
) -> None:
    exam = exams.record_exam(alice, make_patient(north), half_filled(), exam_date=TODAY, draft=True)
    assert exam.status == "draft"
    assert exam.complete is False
    assert exam.provisional
    assert "c5LeftMotor" not in exam.values
    # The empty left side is taken as NT: the right side alone leaves every level possible.
    assert exam.classification is not None
    assert "," in exam.classification["leftMotor"] or exam.classification["leftMotor"] == "UNK"
    assert exam.classification["rightMotor"] == "INT"


def test_without_draft_every_cell_is_still_required(
    alice: User, make_patient: Callable[..., Patient], north: Site
) -> None:
    with pytest.raises(ValidationError) as caught:
        exams.record_exam(alice, make_patient(north), half_filled(), exam_date=TODAY)
    assert "c5LeftMotor" in caught.value.message_dict


def test_a_bad_value_in_a_draft_is_still_refused(
    alice: User, make_patient: Callable[..., Patient], north: Site
) -> None:
    with pytest.raises(ValidationError) as caught:
        exams.record_exam(
            alice, make_patient(north), {**half_filled(), "c6RightMotor": "9"}, exam_date=TODAY,
            draft=True,
        )  # fmt: skip
    assert list(caught.value.message_dict) == ["c6RightMotor"]
    assert not IsncsciExam.objects.exists()


def test_signing_needs_every_cell_then_the_draft_is_completed_and_signed(
    alice: User, make_patient: Callable[..., Patient], north: Site
) -> None:
    exam = exams.record_exam(alice, make_patient(north), half_filled(), exam_date=TODAY, draft=True)
    with pytest.raises(ValidationError, match="cells are empty"):
        exams.sign_exam(alice, exam, password=signing(alice))
    exams.amend_exam(alice, exam, normal_exam())
    assert exam.complete
    assert exam.classification is not None
    assert exam.classification["asiaImpairmentScale"] == "E"
    exams.sign_exam(alice, exam, password=signing(alice))
    assert exam.status == "signed"
    with pytest.raises(ValidationError):  # a signed exam cannot lose a cell again
        exams.amend_exam(alice, exam, half_filled(), reason="oops")


def test_drafts_stay_out_of_exports_and_reports(
    alice: User, make_patient: Callable[..., Patient], north: Site, tmp_path: Path
) -> None:
    patient = make_patient(north)
    exams.record_exam(alice, patient, half_filled(), exam_date=TODAY, draft=True)
    signed = exams.record_exam(alice, patient, complete_t6_exam(), exam_date=TODAY)
    exams.sign_exam(alice, signed, password=signing(alice))
    ids = [r.id for r in fhir.patient_resources(patient) if r.get_resource_type() == "Observation"]
    assert ids == [f"observation-{signed.pk}"]
    deidentify.export(Patient.objects.all(), tmp_path)
    assert len((tmp_path / "exams.csv").read_text().splitlines()) == 2  # header + the signed one
    report = ApiClient(alice).get(f"/reports/patients/{patient.pk}").json()
    assert report["exams"] == 1


def test_the_api_accepts_missing_keys_only_for_a_draft(
    alice: User, make_patient: Callable[..., Patient], north: Site
) -> None:
    patient = make_patient(north)
    body: dict[str, Any] = {"patient_id": patient.pk, "exam_date": TODAY.isoformat(),
                            "values": half_filled()}  # fmt: skip
    refused = ApiClient(alice).post("/exams", body)
    assert refused.status_code == 422
    assert "c5LeftMotor" in {e["field"] for e in refused.json()["errors"]}
    assert ApiClient(alice).post("/exams", {**body, "status": "signed"}).status_code == 422
    created = ApiClient(alice).post("/exams", {**body, "status": "draft"})
    assert created.status_code == 201
    out = created.json()
    assert out["status"] == "draft"
    assert out["complete"] is False
    assert out["classification"]["rightMotor"] == "INT"
    left = {k: v for k, v in normal_exam().items() if "Left" in k}
    done = ApiClient(alice).patch(f"/exams/{out['id']}", {"values": left}).json()
    assert done["complete"] is True
    assert done["classification"]["asiaImpairmentScale"] == "E"


def test_the_exam_page_shows_every_recorded_value_read_only(
    alice: User, make_patient: Callable[..., Patient], north: Site
) -> None:
    values = {**half_filled(), "c6RightMotor": "3", "s4_5RightPrick": "1"}
    exam = exams.record_exam(alice, make_patient(north), values, exam_date=TODAY, draft=True)
    client = Client()
    client.force_login(alice)
    page = client.get(f"/exams/{exam.pk}/").content.decode()
    assert 'data-key="c6RightMotor" aria-label="C6 right motor" class="value">3<' in page
    assert 'data-key="s4_5RightPrick" aria-label="S4-5 right pin prick" class="value">1<' in page
    assert 'data-key="c5LeftMotor" aria-label="C5 left motor" class="value empty">·<' in page
    assert "Provisional" in page
    assert "Signing needs every cell" in page
    assert 'data-status="draft"' in page


def test_a_patient_never_sees_a_draft(
    alice: User, make_user: Callable[..., User], make_patient: Callable[..., Patient],
    north: Site,
) -> None:  # fmt: skip
    patient = make_patient(north)
    user = make_user("pat", Role.PATIENT, north)
    patient.user = user
    patient.save()
    draft = exams.record_exam(alice, patient, normal_exam(), exam_date=TODAY)
    client = Client()
    client.force_login(user)
    assert client.get(f"/exams/{draft.pk}/").status_code == 404
    exams.sign_exam(alice, draft, password=signing(alice))
    assert client.get(f"/exams/{draft.pk}/").status_code == 200


def test_an_exam_is_linked_to_its_visit_and_the_visit_shows_it(
    alice: User, make_patient: Callable[..., Patient], north: Site, protocol: Any
) -> None:
    patient = make_patient(north)
    visits = followup.schedule_visits(alice, patient, protocol, TODAY - dt.timedelta(days=40))
    month = next(v for v in visits if v.code == "m1")
    client = Client()
    client.force_login(alice)
    form = {"exam_date": TODAY.isoformat(), "visit": month.pk, **half_filled()}
    response = client.post(f"/patients/{patient.pk}/exams/new/?visit={month.pk}", form)
    assert response.status_code == 302
    exam = IsncsciExam.objects.get()
    assert exam.visit == month
    assert not exam.complete
    visit_page = client.get(f"/visits/{month.pk}/").content.decode()
    assert f'data-exam="{exam.pk}"' in visit_page
    assert "provisional" in visit_page
    assert f'data-visit="{month.pk}"' in client.get(f"/exams/{exam.pk}/").content.decode()
    other = make_patient(north)
    foreign = followup.schedule_visits(alice, other, protocol, TODAY)[0]
    moved = ApiClient(alice).patch(f"/exams/{exam.pk}", {"visit_id": foreign.pk})
    assert moved.status_code == 422
    assert (
        ApiClient(alice).patch(f"/exams/{exam.pk}", {"visit_id": None}).json()["visit_id"] is None
    )


def test_the_patient_page_shows_a_patient_user_no_draft(
    alice: User, make_user: Callable[..., User], make_patient: Callable[..., Patient],
    north: Site,
) -> None:  # fmt: skip
    patient = make_patient(north)
    user = make_user("pat2", Role.PATIENT, north)
    patient.user = user
    patient.save()
    draft = exams.record_exam(alice, patient, normal_exam(), exam_date=TODAY)
    client = Client()
    client.force_login(user)
    page = client.get(f"/patients/{patient.pk}/").content.decode()
    assert f"/exams/{draft.pk}/" not in page
    staff = Client()
    staff.force_login(alice)
    assert f"/exams/{draft.pk}/" in staff.get(f"/patients/{patient.pk}/").content.decode()
