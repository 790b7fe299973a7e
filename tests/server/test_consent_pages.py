"""Consent pages: the patient reads, answers (retrying a wrong answer), signs and downloads their
copy in the portal; staff take a consent on a tablet, record a withdrawal, and see who must
re-consent."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from cordtrack.server.accounts.models import Role, Site, User
from cordtrack.server.consent.models import Consent, ConsentDocument, Withdrawal
from cordtrack.server.intake.models import Protocol
from cordtrack.server.patients.models import Patient
from cordtrack.server.services import consent_documents
from cordtrack.server.services import patients as patient_services

from .test_consent import PASSWORD, RIGHT, doc


@pytest.fixture
def setup(
    dora: User, bob: User, protocol: Protocol, make_patient: Callable[..., Patient], north: Site,
    make_user: Callable[..., User],
) -> dict[str, Any]:  # fmt: skip
    for u in (dora, bob):
        u.set_password(PASSWORD)
        u.save()
    document = consent_documents.publish(dora, doc(protocol, text="Line one.\n\nLine two."))
    consent_documents.publish(dora, doc(protocol, language="ar", title="الموافقة"))
    patient = make_patient(north, consented=False)
    account = make_user("pat", Role.PATIENT, north)
    account.set_password(PASSWORD)
    account.save()
    patient_services.link_patient_user(make_user("adm", Role.SITE_ADMIN, north), patient, account)
    # Not screened yet: the consent offered is that of the one protocol with documents.
    return {"document": document, "patient": patient, "account": account, "coordinator": bob}


def _answers(answers: dict[str, int], **extra: str) -> dict[str, Any]:
    return {**{k: str(v) for k, v in answers.items()}, **extra}


def test_a_patient_retries_a_wrong_answer_signs_and_downloads_the_pdf(
    client: Client, setup: dict[str, Any], protocol: Protocol
) -> None:
    setup["patient"]
    client.force_login(setup["account"])
    portal = client.get("/portal/")
    assert 'data-banner="consent"' in portal.text
    page = client.get("/portal/consent/sign/")
    assert page.status_code == 200
    assert "Line two." in page.text
    assert "May you withdraw?" in page.text
    assert "?language=ar" in page.text  # the same version in Arabic
    wrong = client.post("/portal/consent/sign/", _answers({"q0": 1, "q1": 0}, password=PASSWORD))
    assert wrong.status_code == 200
    assert 'data-field="q1"' in wrong.text
    assert 'data-field="q0"' not in wrong.text
    assert 'data-attempts="1"' in wrong.text
    assert not Consent.objects.exists()
    done = client.post("/portal/consent/sign/", _answers(RIGHT, password=PASSWORD))
    assert done.status_code == 302
    assert done["Location"] == "/portal/consent/"
    signed = Consent.objects.get()
    assert signed.comprehension_attempts == 2
    mine = client.get("/portal/consent/")
    assert 'data-consent="valid"' in mine.text
    assert signed.pdf is not None
    pdf = client.get(f"/portal/consent/copies/{signed.pdf.pk}.pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF-")


def test_the_sign_page_in_arabic_is_right_to_left(
    client: Client, setup: dict[str, Any], protocol: Protocol
) -> None:
    client.force_login(setup["account"])
    page = client.get("/portal/consent/sign/?language=ar")
    assert 'lang="ar" dir="rtl"' in page.text
    assert "الموافقة" in page.text


def test_a_patient_gets_only_their_own_consent_copy(
    client: Client, setup: dict[str, Any], make_patient: Callable[..., Patient], north: Site
) -> None:
    from cordtrack.server.services import consent

    other = make_patient(north, consented=False)
    theirs = consent.sign_in_clinic(setup["coordinator"], other, setup["document"], RIGHT,
                                    patient_name="O. P.", password=PASSWORD)  # fmt: skip
    client.force_login(setup["account"])
    assert theirs.pdf is not None
    assert client.get(f"/portal/consent/copies/{theirs.pdf.pk}.pdf").status_code == 404
    # ...nor the staff pages of their own record: sent to the portal, a post refused
    staff_page = f"/patients/{setup['patient'].pk}/consent/sign/"
    assert client.get(staff_page)["Location"] == "/portal/"
    assert client.post(staff_page, _answers(RIGHT, patient_name="Me", password=PASSWORD)
                       ).status_code in (403, 404)  # fmt: skip
    assert not Consent.objects.filter(patient=setup["patient"]).exists()


def test_a_coordinator_takes_a_consent_on_the_tablet_and_records_a_withdrawal(
    client: Client, setup: dict[str, Any]
) -> None:
    patient = setup["patient"]
    client.force_login(setup["coordinator"])
    detail = client.get(f"/patients/{patient.pk}/")
    assert "sign in clinic" in detail.text
    page = client.get(f"/patients/{patient.pk}/consent/sign/")
    assert page.status_code == 200
    assert "Staff member" in page.text
    missing = client.post(f"/patients/{patient.pk}/consent/sign/",
                          _answers(RIGHT, password=PASSWORD))  # fmt: skip
    assert 'data-field="patient_name"' in missing.text
    done = client.post(f"/patients/{patient.pk}/consent/sign/",
                       _answers(RIGHT, password=PASSWORD, patient_name="A. B."))  # fmt: skip
    assert done.status_code == 302
    assert Consent.objects.get().setting == "clinic"

    page = client.get(f"/patients/{patient.pk}/consent/withdraw/")
    assert page.status_code == 200
    bad = client.post(f"/patients/{patient.pk}/consent/withdraw/",
                      {"scope": "data_use", "reason": "", "password": PASSWORD})  # fmt: skip
    assert 'data-field="reason"' in bad.text
    assert not Withdrawal.objects.exists()
    client.post(f"/patients/{patient.pk}/consent/withdraw/",
                {"scope": "data_use", "reason": "moved away", "password": PASSWORD})  # fmt: skip
    assert Withdrawal.objects.get().scope == "data_use"
    detail = client.get(f"/patients/{patient.pk}/")
    assert "withdrawn: withdraw from further data use" in detail.text


def test_a_new_version_puts_signers_on_the_reconsent_worklist_with_a_banner(
    client: Client, setup: dict[str, Any], dora: User, protocol: Protocol
) -> None:
    from cordtrack.server.services import consent

    patient = setup["patient"]
    consent.sign_in_clinic(setup["coordinator"], patient, setup["document"], RIGHT,
                           patient_name="A. B.", password=PASSWORD)  # fmt: skip
    consent_documents.publish(dora, doc(protocol, version="3.1"))
    client.force_login(setup["coordinator"])
    worklist = client.get("/consent/reconsent/")
    assert f'data-patient="{patient.study_id}"' in worklist.text
    assert 'data-banner="reconsent"' in client.get(f"/patients/{patient.pk}/").text
    client.force_login(setup["account"])
    assert 'data-banner="reconsent"' in client.get("/portal/").text
    assert ConsentDocument.objects.filter(version="3.1").exists()


def test_a_patient_withdraws_in_the_portal(client: Client, setup: dict[str, Any]) -> None:
    client.force_login(setup["account"])
    wrong = client.post("/portal/consent/withdraw/",
                        {"scope": "visits", "reason": "too far", "password": "nope"})  # fmt: skip
    assert 'data-field="password"' in wrong.text
    assert not Withdrawal.objects.exists()
    done = client.post("/portal/consent/withdraw/",
                       {"scope": "visits", "reason": "too far", "password": PASSWORD})  # fmt: skip
    assert done.status_code == 302
    assert Withdrawal.objects.get().by_patient
