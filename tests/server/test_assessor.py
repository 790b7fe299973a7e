"""The blinded outcome assessor enters and signs exams and instruments (pages and API), and is
refused everything else: treatment records, adverse event reports, the audit trail, reports
(issue 15 item 3; ADR 0040). The walk over every route is tests/server/test_blinding.py."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied
from django.test import Client

from cordtrack.server import blinding
from cordtrack.server.accounts.models import Membership, Role, Site, User
from cordtrack.server.exams.models import IsncsciExam
from cordtrack.server.followup.models import InstrumentResponse
from cordtrack.server.patients.models import Patient
from cordtrack.server.reports.arms import may_see_arms
from cordtrack.server.services import safety

from .conftest import TODAY, normal_exam, signing
from .test_api_helpers import ApiClient

PASSWORD = "a-long-enough-test-password"


@pytest.fixture
def assessor(make_user: Callable[..., User], north: Site) -> User:
    user = make_user("ada", Role.ASSESSOR, north)
    user.password = make_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def patient(make_patient: Callable[..., Patient], north: Site) -> Patient:
    return make_patient(north)


def test_an_assessor_enters_and_signs_an_exam_on_the_page(
    assessor: User, patient: Patient, client: Client
) -> None:
    client.force_login(assessor)
    assert b"Record exam" in client.get(f"/patients/{patient.pk}/").content

    response = client.post(
        f"/patients/{patient.pk}/exams/new/", {"exam_date": TODAY.isoformat(), **normal_exam()}
    )

    exam = IsncsciExam.objects.get(patient=patient)
    assert response.status_code == 302
    assert exam.ais == "E"
    signed = client.post(f"/exams/{exam.pk}/sign/", {"password": PASSWORD})
    assert signed.status_code == 302
    exam.refresh_from_db()
    assert exam.locked


def test_an_assessor_enters_exams_and_instruments_through_the_api(
    assessor: User, patient: Patient
) -> None:
    api = ApiClient(assessor)
    exam = api.post("/exams", {"patient_id": patient.pk, "exam_date": TODAY.isoformat(),
                               "values": normal_exam()})  # fmt: skip
    pain = api.post("/instruments", {"patient_id": patient.pk, "instrument": "pain_nrs",
                                     "responses": {"nrs_pain_intensity": 3},
                                     "recorded_on": TODAY.isoformat()})  # fmt: skip

    assert exam.status_code == 201, exam.content
    assert pain.status_code == 201, pain.content
    assert InstrumentResponse.objects.filter(patient=patient).count() == 1
    assert api.get("/exams", patient_id=patient.pk).status_code == 200


def test_an_assessor_is_refused_treatment_safety_and_audit_on_pages_and_api(
    assessor: User, patient: Patient, client: Client
) -> None:
    client.force_login(assessor)
    for url in (f"/patients/{patient.pk}/administrations/new/", "/lots/",
                f"/patients/{patient.pk}/adverse-events/new/", "/adverse-events/",
                f"/patients/{patient.pk}/audit/", "/reports/cohort/", "/dashboard/"):  # fmt: skip
        assert client.get(url).status_code == 403, url
    api = ApiClient(assessor)
    assert api.get("/administrations").status_code == 403
    assert api.get("/adverse-events").status_code == 403
    assert api.post("/patients", {"site": "NTH", "year_of_birth": 1990}).status_code == 403
    assert api.get("/patients").status_code == 200  # the same path's open operation
    with pytest.raises(PermissionDenied):
        safety.report_adverse_event(
            assessor, patient, term="Headache", onset_date=TODAY, ctcae_grade=1,
            relatedness="unrelated", expected=True, action="none", outcome="recovering",
        )  # fmt: skip


def test_clinicians_keep_exam_entry_and_see_arms(alice: User, patient: Patient) -> None:
    exam = ApiClient(alice).post("/exams", {"patient_id": patient.pk,
                                            "exam_date": TODAY.isoformat(),
                                            "values": normal_exam()})  # fmt: skip
    assert exam.status_code == 201
    assert not blinding.is_blinded(alice)
    assert may_see_arms(alice)


def test_an_assessor_at_one_site_is_blind_at_every_site(
    assessor: User, south: Site, client: Client
) -> None:
    Membership.objects.create(user=assessor, site=south, role=Role.CLINICIAN)
    client.force_login(assessor)

    assert blinding.is_blinded(assessor)
    assert not may_see_arms(assessor)
    assert client.get("/lots/").status_code == 403


def test_a_refusal_writes_nothing_and_hides_rows_only_during_the_request(
    assessor: User, patient: Patient, alice: User, client: Client
) -> None:
    event = safety.report_adverse_event(
        alice, patient, term="Meningism", onset_date=TODAY, ctcae_grade=2,
        relatedness="possible", expected=False, action="none", outcome="recovering",
    )  # fmt: skip
    safety.sign_adverse_event(alice, event, password=signing(alice))
    client.force_login(assessor)

    page = client.get(f"/patients/{patient.pk}/").content.decode()

    assert "Meningism" not in page
    assert not blinding.blinded_request()  # reset when the response left
    assert patient.adverse_events.filter(term="Meningism").exists()


def test_an_assessors_pages_link_only_to_pages_open_to_them(
    assessor: User, patient: Patient
) -> None:
    """The patient list and page linked an assessor to the worklist, reminders, progress charts
    and medications, each a 403 for them (found by the new-user pass over every demo role)."""
    client = Client()
    client.force_login(assessor)
    for page in ("/patients/", f"/patients/{patient.pk}/", "/exams/"):
        shown = client.get(page)
        assert shown.status_code == 200, page
        links = set(re.findall(r'href="(/[^"#?]*)', shown.content.decode()))
        links -= {link for link in links if link.startswith(("/static/", "/accounts/logout"))}
        assert links, page
        closed = sorted(link for link in links if client.get(link).status_code == 403)
        assert closed == [], f"{page} links an assessor to pages closed to them: {closed}"
