"""Documents: accepted types, size limit, checksum, storage on disk, DICOM header review."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from cordtrack.server.accounts.models import Site, User
from cordtrack.server.audit.models import AuditAction, AuditEntry
from cordtrack.server.demo_files import synthetic_dicom, synthetic_pdf
from cordtrack.server.intake.models import Document
from cordtrack.server.patients.models import Patient
from cordtrack.server.services import documents

PDF = synthetic_pdf("Synthetic test document")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


def _upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def test_a_pdf_is_stored_on_disk_by_checksum(
    bob: User, make_patient: Callable[..., Patient], north: Site
) -> None:
    doc = documents.upload_document(
        bob, make_patient(north), "medical_record", _upload("r.pdf", PDF)
    )

    assert doc.sha256 == hashlib.sha256(PDF).hexdigest()
    assert doc.size == len(PDF)
    assert doc.content_type == "application/pdf"
    assert documents.storage_path(doc.sha256).read_bytes() == PDF


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("notes.docx", PDF, "only PDF, PNG, JPEG and DICOM (.dcm) files are accepted"),
        ("fake.pdf", b"MZ\x90\x00 not a pdf", "content is not a valid PDF file"),
        ("image.png", PDF, "content is not a valid PNG file"),
        ("empty.pdf", b"", "is empty"),
        (
            "polyglot.pdf",
            b"%PDF-1.4\n<html><body><script>alert(1)</script></body></html>\n",
            "content is not a valid PDF file: it contains HTML or script markup",
        ),
        (
            "broken.pdf",
            b"%PDF-1.4\nnot really a PDF\n",
            "content is not a valid PDF file: it cannot be opened as a PDF",
        ),
        (
            "broken.png",
            b"\x89PNG\r\n\x1a\n" + b"\x00" * 40,
            "content is not a valid PNG file: it cannot be read as a PNG image",
        ),
        (
            "late.pdf",
            synthetic_pdf("x") + b"<!DOCTYPE html><iframe src=x></iframe>",
            "content is not a valid PDF file: it contains HTML or script markup",
        ),
    ],
)
def test_wrong_types_are_refused_with_a_field_error(
    bob: User, make_patient: Callable[..., Patient], north: Site, name: str, data: bytes,
    message: str,
) -> None:  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        documents.upload_document(bob, make_patient(north), "other", _upload(name, data))
    assert message in refused.value.message_dict["file"]
    assert not Document.objects.exists()
    if name.endswith(".pdf") and data:  # stored, then refused: its content does not stay on disk
        assert not documents.storage_path(hashlib.sha256(data).hexdigest()).exists()


@override_settings(MAX_UPLOAD_BYTES=1024)
def test_files_over_the_size_limit_are_refused(
    bob: User, make_patient: Callable[..., Patient], north: Site
) -> None:
    with pytest.raises(ValidationError) as refused:
        documents.upload_document(bob, make_patient(north), "other", _upload("big.png", PNG * 40))
    assert refused.value.message_dict["file"] == ["is larger than the 1 KB limit"]


def test_dicom_headers_are_read_and_identifiers_flagged_for_review(
    bob: User, make_patient: Callable[..., Patient], north: Site
) -> None:
    patient = make_patient(north)
    named = documents.upload_document(
        bob, patient, "imaging", _upload("mr.dcm", synthetic_dicom("Doe^Jane"))
    )
    clean = documents.upload_document(
        bob, patient, "imaging", _upload("mr2.dcm", synthetic_dicom())
    )

    assert named.dicom_header is not None
    assert clean.dicom_header is not None
    assert named.dicom_header["identifying"] == ["PatientName", "PatientID", "InstitutionName"]
    assert named.dicom_header["attributes"]["Modality"] == "MR"
    assert named.deidentified_ok is False
    assert clean.dicom_header["identifying"] == []
    assert clean.deidentified_ok is True


def test_the_dicom_review_page_shows_the_header(
    client: Client, bob: User, make_patient: Callable[..., Patient], north: Site
) -> None:
    doc = documents.upload_document(
        bob, make_patient(north), "imaging", _upload("mr.dcm", synthetic_dicom("Doe^Jane"))
    )
    client.force_login(bob)

    page = client.get(f"/documents/{doc.pk}/").content.decode()

    assert "Identifying attributes present: PatientName, PatientID, InstitutionName" in page
    assert "Doe^Jane" in page


def test_a_download_is_checked_against_its_checksum_and_logged(
    client: Client, bob: User, make_patient: Callable[..., Patient], north: Site
) -> None:
    patient = make_patient(north)
    doc = documents.upload_document(bob, patient, "medical_record", _upload("My Name.pdf", PDF))
    client.force_login(bob)

    response = client.get(f"/documents/{doc.pk}/download/")

    assert b"".join(response.streaming_content) == PDF  # type: ignore[attr-defined]
    assert f'filename="{patient.study_id}-doc{doc.pk}.pdf"' in response["Content-Disposition"]
    assert AuditEntry.objects.filter(action=AuditAction.DOWNLOAD, object_id=str(doc.pk)).exists()

    documents.storage_path(doc.sha256).write_bytes(PDF + b"tampered")
    with pytest.raises(OSError, match="does not match its checksum"):
        documents.open_document(bob, doc)


def test_the_demo_pdf_is_accepted(
    bob: User, make_patient: Callable[..., Patient], north: Site
) -> None:
    data = synthetic_pdf("Synthetic (demo) record")
    doc = documents.upload_document(bob, make_patient(north), "other", _upload("d.pdf", data))
    assert doc.content_type == "application/pdf"


def test_a_damaged_dicom_is_refused(
    bob: User, make_patient: Callable[..., Patient], north: Site
) -> None:
    broken = b"\x00" * 128 + b"DICM" + b"\x02\x00garbage"
    with pytest.raises(ValidationError) as refused:
        documents.upload_document(bob, make_patient(north), "imaging", _upload("x.dcm", broken))
    assert refused.value.message_dict["file"] == ["the DICOM header cannot be read"]
