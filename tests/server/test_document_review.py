"""Every intake document can be reviewed for de-identification: a PDF's first page and an
image are previewed (rendered on the server), a DICOM file shows its header; each verdict moves
to the next document awaiting review, and the queue empties."""

from __future__ import annotations

import io
from collections.abc import Callable

from django.test import Client
from PIL import Image

from cordtrack.server.accounts.models import Site, User
from cordtrack.server.demo_files import synthetic_dicom, synthetic_pdf, upload
from cordtrack.server.intake.models import Document
from cordtrack.server.patients.models import Patient
from cordtrack.server.services import documents


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1600, 400), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def test_pdf_and_image_previews_and_dicom_headers_are_shown(
    bob: User, charlie: User, make_patient: Callable[..., Patient], north: Site
) -> None:
    patient = make_patient(north)
    summary = upload("a.pdf", synthetic_pdf("Discharge summary"))
    pdf = documents.upload_document(bob, patient, "medical_record", summary)
    png = documents.upload_document(bob, patient, "imaging", upload("x.png", png_bytes()))
    dcm = documents.upload_document(
        bob, patient, "imaging", upload("m.dcm", synthetic_dicom("A^B"))
    )
    client = Client()
    client.force_login(bob)
    for doc in (pdf, png):
        page = client.get(f"/documents/{doc.pk}/").content.decode()
        assert f'src="/documents/{doc.pk}/preview.png"' in page
        assert "Record review" in page
        preview = client.get(f"/documents/{doc.pk}/preview.png")
        assert preview["Content-Type"] == "image/png"
        image = Image.open(io.BytesIO(preview.content))
        assert image.width <= 900
        assert image.getbbox() is not None
    assert (
        Image.open(io.BytesIO(client.get(f"/documents/{png.pk}/preview.png").content)).width == 900
    )
    dicom_page = client.get(f"/documents/{dcm.pk}/").content.decode()
    assert "DICOM header" in dicom_page
    assert "Identifying attributes present" in dicom_page
    assert client.get(f"/documents/{dcm.pk}/preview.png").status_code == 404
    other = Client()
    other.force_login(charlie)
    assert other.get(f"/documents/{pdf.pk}/preview.png").status_code == 404


def test_the_review_queue_empties_one_verdict_at_a_time(
    bob: User, make_patient: Callable[..., Patient], north: Site
) -> None:
    patient = make_patient(north)
    docs = [
        documents.upload_document(bob, patient, "medical_record",
                                  upload("a.pdf", synthetic_pdf("One"))),
        documents.upload_document(bob, patient, "imaging", upload("b.png", png_bytes())),
        documents.upload_document(bob, patient, "medical_record",
                                  upload("c.pdf", synthetic_pdf("Two"))),
    ]  # fmt: skip
    # A DICOM file's header is assessed on upload; a reviewer may still overrule it.
    dicom = documents.upload_document(
        bob, patient, "imaging", upload("d.dcm", synthetic_dicom("A^B"))
    )
    assert dicom.deidentified_ok is False
    client = Client()
    client.force_login(bob)
    assert client.get("/intake/").content.decode().count('href="/documents/') == 3
    refused = client.post(f"/documents/{docs[0].pk}/", {"deidentified_ok": "no", "reason": ""})
    assert refused.status_code == 302
    assert Document.objects.filter(deidentified_ok=None).count() == 3
    first = client.post(f"/documents/{docs[0].pk}/", {"deidentified_ok": "yes"})
    assert first["Location"] == f"/documents/{docs[1].pk}/"
    second = client.post(f"/documents/{docs[1].pk}/",
                         {"deidentified_ok": "no", "reason": "name in the corner"})  # fmt: skip
    assert second["Location"] == f"/documents/{docs[2].pk}/"
    last = client.post(f"/documents/{docs[2].pk}/", {"deidentified_ok": "yes"})
    assert last["Location"] == "/intake/"
    assert not Document.objects.filter(deidentified_ok=None).exists()
    board = client.get("/intake/").content.decode()
    assert "Nothing to review." in board


def test_a_stored_pdf_that_cannot_be_rendered_gets_a_clear_message_not_an_error_page(
    bob: User, make_patient: Callable[..., Patient], north: Site
) -> None:
    doc = documents.upload_document(
        bob, make_patient(north), "medical_record", upload("a.pdf", synthetic_pdf("A"))
    )
    Document.objects.filter(pk=doc.pk).update(content_type="image/png")  # e.g. a legacy row
    client = Client()
    client.force_login(bob)
    response = client.get(f"/documents/{doc.pk}/preview.png")
    assert response.status_code == 422
    assert b"cannot be rendered" in response.content
