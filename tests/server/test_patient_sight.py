"""A patient user sees what is theirs to see: the portal after signing in, never a staff page;
signed results only, no staff notes; two-factor enrolment that works for them too."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from cordtrack.server.accounts.models import Role, Site, User
from cordtrack.server.demo_files import synthetic_pdf
from cordtrack.server.patients.models import Patient
from cordtrack.server.services import documents, exams, safety
from cordtrack.server.services import patients as patient_services

from .conftest import TODAY, normal_exam, signing

PASSWORD = "a-long-enough-test-password"
PDF = synthetic_pdf("Synthetic record")


@pytest.fixture
def pat(
    make_patient: Callable[..., Patient], make_user: Callable[..., User], north: Site
) -> tuple[User, Patient]:
    patient = make_patient(north)
    user = make_user("pat", Role.PATIENT, north)
    user.set_password(PASSWORD)
    user.save()
    patient_services.link_patient_user(make_user("sadmin", Role.SITE_ADMIN, north), patient, user)
    return user, patient


def _sign_in(client: Client, username: str) -> str:
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return str(response["Location"])


def test_a_patient_lands_on_the_portal_and_staff_on_the_patient_list(
    client: Client, pat: tuple[User, Patient], alice: User
) -> None:
    alice.set_password(PASSWORD)
    alice.save()

    patient_landing = client.get(_sign_in(client, "pat"), follow=True)
    client.post("/accounts/logout/")
    staff_landing = client.get(_sign_in(client, "alice"), follow=True)

    assert patient_landing.redirect_chain[-1][0] == "/portal/"
    assert b"My CordTrack" in patient_landing.content
    assert staff_landing.redirect_chain[-1][0] == "/patients/"


STAFF_PAGES = [
    "/patients/", "/dashboard/", "/exams/", "/adverse-events/", "/queries/", "/lots/",
    "/reports/", "/reports/cohort/", "/intake/", "/visits/", "/logistics/", "/verify/",
    "/patients/worklist/", "/sites/NTH/members/", "/admin/", "/patients/new/",
]  # fmt: skip


@pytest.mark.parametrize("url", STAFF_PAGES)
def test_a_staff_page_sends_a_patient_to_the_portal(
    client: Client, pat: tuple[User, Patient], url: str
) -> None:
    client.force_login(pat[0])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == "/portal/"


def test_a_patient_signing_in_to_a_staff_page_ends_on_the_portal(
    client: Client, pat: tuple[User, Patient]
) -> None:
    response = client.post(
        "/accounts/login/?next=/dashboard/", {"username": "pat", "password": PASSWORD},
        follow=True,
    )  # fmt: skip
    assert response.redirect_chain[-1][0] == "/portal/"


def test_the_patients_own_record_shows_signed_results_and_no_staff_notes(
    client: Client, pat: tuple[User, Patient], alice: User, bob: User
) -> None:
    user, patient = pat
    signed = exams.sign_exam(alice, exams.record_exam(alice, patient, normal_exam(),
                                                      exam_date=TODAY),
                             password=signing(alice))  # fmt: skip
    draft = exams.record_exam(alice, patient, normal_exam(), exam_date=TODAY)
    event = safety.report_adverse_event(
        alice, patient, term="Headache", onset_date=TODAY, ctcae_grade=1,
        relatedness="possible", expected=True, action="none", outcome="recovering",
    )  # fmt: skip
    upload = SimpleUploadedFile("scan.pdf", PDF, content_type="application/pdf")
    document = documents.upload_document(bob, patient, "medical_record", upload)
    documents.review_deidentification(bob, document, False, "name on page 1")
    client.force_login(user)

    page = client.get(f"/patients/{patient.pk}/").content.decode()
    document_page = client.get(f"/documents/{document.pk}/").content.decode()

    assert f"/exams/{signed.pk}/" in page
    assert f"/exams/{draft.pk}/" not in page
    assert client.get(f"/exams/{draft.pk}/").status_code == 404
    assert "Inquiries" not in page
    assert "Eligibility screening" not in page
    assert "De-identified" not in page
    assert f"/adverse-events/{event.pk}/" not in page  # the event page holds staff follow-ups
    assert client.get(f"/adverse-events/{event.pk}/")["Location"] == "/portal/"
    assert "name on page 1" not in document_page
    assert "De-identification review" not in document_page
    assert "History" not in client.get(f"/exams/{signed.pk}/").content.decode()
    client.force_login(alice)
    assert "De-identification review" in client.get(f"/documents/{document.pk}/").content.decode()


def test_the_header_shows_a_patient_only_their_own_links(
    client: Client, pat: tuple[User, Patient]
) -> None:
    user, patient = pat
    client.force_login(user)
    header = client.get("/portal/").content.decode().split("</header>")[0]
    assert f'href="/patients/{patient.pk}/"' in header
    for staff in ('href="/patients/"', 'href="/dashboard/"', 'href="/lots/"', 'href="/reports/"'):
        assert staff not in header
    assert 'href="/accounts/otp/setup/"' in header


def test_a_patient_enrols_two_factor_and_is_then_asked_for_a_code(
    client: Client, pat: tuple[User, Patient]
) -> None:
    client.force_login(pat[0])
    assert client.get("/accounts/otp/setup/").status_code == 200
    device = TOTPDevice.objects.get(user=pat[0], confirmed=False)
    token = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)

    enrolled = client.post("/accounts/otp/setup/", {"token": f"{token:06d}"})

    assert enrolled.status_code == 302
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    client.logout()
    assert _sign_in(client, "pat") == "/"
    assert client.get("/portal/")["Location"].startswith("/accounts/otp/?next=/portal/")
