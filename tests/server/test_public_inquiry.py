"""The public inquiry form /inquire/: no login, files quarantined for review, all or nothing,
a reference that is not the id, rate limited, post/redirect/get (a refresh or a resent form is
not a second inquiry), and no cookie but CSRF's until an inquiry is sent."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from cordtrack.server.accounts.models import Site, User
from cordtrack.server.demo_files import synthetic_dicom, synthetic_pdf
from cordtrack.server.intake.models import Document, DocumentKind, Inquiry, InquiryStatus
from cordtrack.server.patients.models import Patient

PDF = synthetic_pdf("Synthetic discharge letter")


@pytest.fixture(autouse=True)
def store(tmp_path: Path) -> Iterator[Path]:
    """An empty document store and rate-limit count per test."""
    cache.clear()
    store = tmp_path / "documents"
    with override_settings(DOCUMENTS_DIR=store):
        yield store
    cache.clear()


def _form(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "injury_region": "cervical", "injury_level": "C5", "completeness": "incomplete",
        "injury_date": "2024-03-02", "year_of_birth": "1990", "sex": "M", "country": "Oman",
        "preferred_language": "ar", "contact_email": "family@example.org", "contact_phone": "",
        "description": "Fell from a ladder.", "consent_to_contact": "on",
    }  # fmt: skip
    data.update(overrides)
    return data


def _files(store: Path) -> list[Path]:
    return [p for p in store.rglob("*") if p.is_file()] if store.exists() else []


def test_anyone_sends_an_inquiry_with_records_and_imaging_without_logging_in(
    client: Client, north: Site, bob: User, store: Path
) -> None:
    form = _form(
        records=[SimpleUploadedFile("discharge.pdf", PDF)],
        imaging=[SimpleUploadedFile("mri.dcm", synthetic_dicom())],
    )
    sent = client.post("/inquire/", form)

    assert sent.status_code == 302
    assert sent["Location"] == "/inquire/received/"
    response = client.get(sent["Location"])
    assert response.status_code == 200
    reference = re.search(r'class="reference">([A-Z0-9-]+)<', response.content.decode())
    assert reference is not None
    inquiry = Inquiry.objects.get()
    assert inquiry.reference == reference.group(1)
    assert re.fullmatch(r"INQ-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}", reference.group(1))
    assert str(inquiry.pk) not in reference.group(1).replace("INQ-", "").split("-")
    assert inquiry.status == InquiryStatus.NEW
    assert inquiry.source == "self"
    assert inquiry.patient.site == north
    assert inquiry.patient.year_of_birth == 1990
    assert (inquiry.injury_region, inquiry.injury_level, inquiry.completeness) == (
        "cervical", "C5", "incomplete",
    )  # fmt: skip
    assert inquiry.injury_date == dt.date(2024, 3, 2)
    assert inquiry.country == "Oman"
    assert inquiry.preferred_language == "ar"
    assert inquiry.patient.preferred_language == "ar"  # their record: messages in Arabic
    assert inquiry.contact_consent_at is not None
    # Quarantined: awaiting de-identification review, uploaded by no account.
    docs = Document.objects.filter(patient=inquiry.patient).order_by("kind")
    assert [d.kind for d in docs] == [DocumentKind.IMAGING, DocumentKind.MEDICAL_RECORD]
    pdf = docs.get(kind=DocumentKind.MEDICAL_RECORD)
    assert pdf.deidentified_ok is None
    assert pdf.uploaded_by is None
    assert len(_files(store)) == 2
    # On the coordinator's intake board, with its documents to review.
    client.force_login(bob)
    board = client.get("/intake/").content.decode()
    assert inquiry.reference in board
    assert f"/documents/{pdf.pk}/" in board


@pytest.mark.parametrize(
    ("field", "upload", "message"),
    [
        ("records", SimpleUploadedFile("virus.exe", b"MZ\x90"), "only PDF, PNG, JPEG and DICOM"),
        ("records", SimpleUploadedFile("fake.pdf", b"MZ\x90 not a pdf"), "not a valid PDF"),
        ("imaging", SimpleUploadedFile("scan.dcm", b"\x00" * 200), "not a valid DCM"),
    ],
)
def test_a_bad_upload_gets_a_field_message_and_nothing_is_kept(
    client: Client, north: Site, store: Path, field: str, upload: Any, message: str
) -> None:
    good = SimpleUploadedFile("good.pdf", PDF)
    form = _form(**{field: [upload]} if field == "imaging" else {field: [good, upload]})
    if field == "imaging":
        form["records"] = [good]

    response = client.post("/inquire/", form)

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert message in " ".join(errors[field])
    assert upload.name in " ".join(errors[field])
    assert not Inquiry.objects.exists()
    assert not Patient.objects.exists()
    assert not Document.objects.exists()
    assert _files(store) == []


def test_consent_to_be_contacted_is_required_and_nothing_is_kept(
    client: Client, north: Site, store: Path
) -> None:
    form = _form(records=[SimpleUploadedFile("r.pdf", PDF)])
    del form["consent_to_contact"]

    response = client.post("/inquire/", form)

    assert response.status_code == 400
    assert "consent_to_contact" in response.context["form"].errors
    assert not Inquiry.objects.exists()
    assert _files(store) == []


def test_an_inquiry_needs_an_email_or_a_phone(client: Client, north: Site) -> None:
    response = client.post("/inquire/", _form(contact_email=""))

    assert response.status_code == 400
    assert "e-mail address or a phone number" in str(response.context["form"].errors)
    assert (
        client.post(
            "/inquire/", _form(contact_email="", contact_phone="+968 9123 4567")
        ).status_code
        == 302
    )


@override_settings(INQUIRY_RATE_LIMIT=2)
def test_too_many_inquiries_from_one_address_get_a_429(client: Client, north: Site) -> None:
    assert client.post("/inquire/", _form()).status_code == 302
    assert client.post("/inquire/", _form(contact_email="")).status_code == 400  # counts too

    refused = client.post("/inquire/", _form())

    assert refused.status_code == 429
    assert "Too many inquiries" in refused.content.decode()
    assert Inquiry.objects.count() == 1
    other = Client(REMOTE_ADDR="203.0.113.9")
    assert other.post("/inquire/", _form()).status_code == 302
    assert client.get("/inquire/").status_code == 200  # reading the form is not limited


@override_settings(INQUIRY_RATE_LIMIT=2)
def test_the_rate_limit_counts_the_posts_every_worker_process_received(
    client: Client, north: Site
) -> None:
    # Each gunicorn worker (and each app server) has its own memory; a post that lands on
    # another one sees none of this process's cache, as after cache.clear() here.
    assert client.post("/inquire/", _form()).status_code == 302
    cache.clear()
    assert Client().post("/inquire/", _form()).status_code == 302
    cache.clear()

    refused = Client().post("/inquire/", _form())

    assert refused.status_code == 429
    assert Inquiry.objects.count() == 2


def test_the_form_needs_no_login_and_sets_no_cookie_but_csrf(client: Client, north: Site) -> None:
    page = client.get("/inquire/")

    assert page.status_code == 200
    assert 'name="consent_to_contact"' in page.content.decode()
    assert set(page.cookies) <= {"csrftoken"}
    assert "sessionid" not in client.cookies
    refused = client.post("/inquire/", _form(contact_email=""))
    assert refused.status_code == 400
    assert "sessionid" not in client.cookies


def _token(page: str) -> str:
    found = re.search(r'name="_form_token" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def test_a_refresh_or_a_resent_form_does_not_create_a_second_inquiry(
    client: Client, north: Site
) -> None:
    form = _form(_form_token=_token(client.get("/inquire/").content.decode()))
    sent = client.post("/inquire/", form)
    assert sent.status_code == 302
    inquiry = Inquiry.objects.get()
    # No patient data in the URL it lands on; the reference comes from the session.
    assert sent["Location"] == "/inquire/received/"
    assert set(sent.cookies) <= {"csrftoken", "sessionid"}
    assert sent.cookies["sessionid"]["httponly"]

    # The browser's refresh reloads the answer page: same reference, nothing new.
    for _ in range(2):
        again = client.get("/inquire/received/")
        assert again.status_code == 200
        assert inquiry.reference in again.content.decode()
    # "Resend" (or a retry, or a second click) posts the same form again: answered with the
    # first inquiry's reference, not a second inquiry.
    resent = client.post("/inquire/", form)
    assert resent.status_code == 302
    assert inquiry.reference in client.get(resent["Location"]).content.decode()
    # Even from a browser that lost its session (the token is claimed server-side).
    other = Client()
    replayed = other.post("/inquire/", form)
    assert replayed.status_code == 302
    assert inquiry.reference in other.get(replayed["Location"]).content.decode()
    assert Inquiry.objects.count() == 1
    assert Patient.objects.count() == 1

    # A new form (a fresh token) is a new inquiry, e.g. for another family member.
    second = _form(_form_token=_token(client.get("/inquire/").content.decode()))
    assert client.post("/inquire/", second).status_code == 302
    assert Inquiry.objects.count() == 2
    newest = Inquiry.objects.latest("pk")
    assert newest.reference in client.get("/inquire/received/").content.decode()


def test_a_form_token_used_once_is_not_used_again_through_another_worker_process(
    client: Client, north: Site
) -> None:
    form = _form(_form_token=_token(client.get("/inquire/").content.decode()))
    assert client.post("/inquire/", form).status_code == 302
    reference = Inquiry.objects.get().reference
    assert reference
    cache.clear()  # the retry lands on another process, from a browser without the session

    other = Client()
    replayed = other.post("/inquire/", form)

    assert replayed.status_code == 302
    assert reference in other.get(replayed["Location"]).content.decode()
    assert Inquiry.objects.count() == 1
    assert Patient.objects.count() == 1


def test_a_refused_form_can_be_corrected_and_sent_with_the_same_token(
    client: Client, north: Site
) -> None:
    token = _token(client.get("/inquire/").content.decode())
    refused = client.post("/inquire/", _form(contact_email="", _form_token=token))
    assert refused.status_code == 400
    assert Inquiry.objects.count() == 0

    assert client.post("/inquire/", _form(_form_token=token)).status_code == 302
    assert Inquiry.objects.count() == 1


def test_the_answer_page_without_a_sent_inquiry_goes_back_to_the_form(
    client: Client, db: None
) -> None:
    response = client.get("/inquire/received/")

    assert response.status_code == 302
    assert response["Location"] == "/inquire/"


def test_with_no_site_the_form_says_inquiries_are_not_accepted(client: Client, db: None) -> None:
    response = client.post("/inquire/", _form())

    assert response.status_code == 400
    assert "not being accepted" in response.content.decode()
