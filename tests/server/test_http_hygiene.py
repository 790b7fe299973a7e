"""HTTP hygiene: nothing signed-in is cacheable; too-large bodies are a 413 in the API's shape."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from cordtrack.server.accounts.models import Site, User
from cordtrack.server.audit.models import AuditEntry
from cordtrack.server.demo_files import synthetic_pdf
from cordtrack.server.intake.models import Document
from cordtrack.server.patients.models import Patient
from cordtrack.server.services import documents

from .test_api_helpers import ApiClient

PDF = synthetic_pdf("Synthetic record")


def _directives(response: object) -> set[str]:
    value = response.headers.get("Cache-Control", "")  # type: ignore[attr-defined]
    return {part.strip() for part in value.split(",") if part.strip()}


@pytest.fixture
def patient(make_patient: Callable[..., Patient], north: Site) -> Patient:
    return make_patient(north)


def test_signed_in_pages_downloads_and_csv_are_never_stored(
    client: Client, alice: User, bob: User, patient: Patient
) -> None:
    upload = SimpleUploadedFile("scan.pdf", PDF, content_type="application/pdf")
    document = documents.upload_document(bob, patient, "medical_record", upload)
    client.force_login(alice)
    urls = [
        f"/patients/{patient.pk}/",
        "/patients/",
        "/dashboard/",
        f"/documents/{document.pk}/download/",
        "/exams/?format=csv",
        f"/reports/patients/{patient.pk}/progress.pdf",
        "/admin/",  # Django's never_cache headers are replaced as well
        "/patients/999999/",  # a 404 too
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 302, 404), url
        assert "no-store" in _directives(response), url
        assert "public" not in _directives(response), url


def test_every_api_answer_is_never_stored(alice: User, patient: Patient) -> None:
    api = ApiClient(alice)
    for response in (
        api.get("/patients"),
        api.get(f"/patients/{patient.pk}"),
        api.get("/patients/999999"),
        ApiClient(None).get("/patients"),  # a 401 as well
    ):
        assert "no-store" in _directives(response)


def test_public_pages_may_be_cached(client: Client) -> None:
    assert "no-store" not in _directives(client.get("/expect/"))


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024)
def test_an_api_body_over_the_limit_is_413_in_the_error_shape(alice: User) -> None:
    api = ApiClient(alice)
    before = AuditEntry.objects.count()

    response = api.post("/patients", {"notes": "x" * 5000})

    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["detail"].startswith("Request body too large")
    assert body["errors"] == [
        {"field": "body", "message": body["errors"][0]["message"], "value": None}
    ]
    assert "1.0 KB" not in body["detail"]  # sizes in MB, as the settings are
    assert AuditEntry.objects.count() == before


@override_settings(DEBUG=True, DATA_UPLOAD_MAX_MEMORY_SIZE=1024, MAX_UPLOAD_BYTES=4096)
@pytest.mark.parametrize("accept", ["application/json", "text/html"])
def test_an_upload_over_the_limit_is_413_without_a_traceback_even_when_debugging(
    client: Client, bob: User, patient: Patient, accept: str
) -> None:
    client.force_login(bob)
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * 20_000, content_type="application/pdf")

    response = client.post(
        f"/patients/{patient.pk}/documents/", {"kind": "other", "file": big},
        headers={"Accept": accept},
    )  # fmt: skip

    assert response.status_code == 413
    text = response.content.decode()
    assert "Traceback" not in text
    assert "larger than the" in text
    if accept == "application/json":
        assert json.loads(text)["errors"][0]["field"] == "body"
    assert not Document.objects.exists()


@override_settings(DEBUG=True, DATA_UPLOAD_MAX_MEMORY_SIZE=1024)
def test_too_much_form_data_under_the_upload_limit_is_413_not_a_debug_page(
    client: Client, bob: User, patient: Patient
) -> None:
    """The length passes the upload limit; Django's own check of the form fields trips."""
    client.force_login(bob)
    response = client.post(
        f"/patients/{patient.pk}/documents/",
        {"kind": "other", "note": "x" * 4000, "file": SimpleUploadedFile("a.pdf", PDF)},
    )
    assert response.status_code == 413
    assert "Traceback" not in response.content.decode()
    assert response.json()["errors"][0]["field"] == "body"
