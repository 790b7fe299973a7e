"""Every report PDF: rendered page by page to a bitmap (pypdfium2) and checked not blank."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
from django.test import Client

from cordtrack.cli import main
from cordtrack.server.accounts.models import Site, User
from cordtrack.server.patients.models import Patient

from .reports_cohort import build


def inked_pages(pdf: bytes) -> list[float]:
    """The share of non-white pixels on each page, rendered at 50 dpi."""
    assert pdf.startswith(b"%PDF-")
    document = pdfium.PdfDocument(pdf)
    shares = []
    for index in range(len(document)):
        image = document[index].render(scale=50 / 72).to_pil().convert("L")
        histogram = image.histogram()
        shares.append(1 - sum(histogram[250:]) / (image.width * image.height))
    document.close()
    return shares


@pytest.fixture
def cohort(
    make_patient: Callable[..., Patient], make_lot: Callable[..., Any], alice: User, north: Site
) -> dict[str, Patient]:
    return build(make_patient, make_lot, alice, north)


@pytest.mark.parametrize(
    "url", ["/reports/cohort.pdf", "/reports/safety.pdf", "/reports/patients/{pk}/progress.pdf"]
)
def test_each_pdf_has_pages_with_ink(
    cohort: dict[str, Patient], client: Client, alice: User, url: str
) -> None:
    client.force_login(alice)

    response = client.get(url.format(pk=cohort["R1"].pk))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    shares = inked_pages(response.content)
    assert shares, "no page"
    assert all(share > 0.01 for share in shares), shares


def test_the_progress_report_is_plain_language_with_charts(
    cohort: dict[str, Patient], client: Client, alice: User
) -> None:
    client.force_login(alice)
    pdf = client.get(f"/reports/patients/{cohort['R1'].pk}/progress.pdf").content
    document = pdfium.PdfDocument(pdf)
    text = " ".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    document.close()

    for heading in ("What was measured", "How it changed", "What is typical for comparable",
                    "What is uncertain"):  # fmt: skip
        assert heading in text
    assert "Pain (0" in text
    assert "Kirshblum" in text


def test_the_cli_writes_the_same_pdf_kind(cohort: dict[str, Patient], tmp_path: Path) -> None:
    for kind in ("outcomes", "safety"):
        target = tmp_path / f"{kind}.pdf"
        assert main(["report", kind, "--site", "NTH", "--format", "pdf", "-o", str(target)]) == 0
        assert all(share > 0.01 for share in inked_pages(target.read_bytes()))


def test_the_progress_report_prints_each_exams_signature_with_name_meaning_and_time(
    cohort: dict[str, Patient], client: Client, alice: User
) -> None:
    from cordtrack.server.signatures.models import Signature

    client.force_login(alice)
    pdf = client.get(f"/reports/patients/{cohort['R1'].pk}/progress.pdf").content
    document = pdfium.PdfDocument(pdf)
    text = " ".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    document.close()

    assert "Examinations in this report" in text
    signed = Signature.objects.filter(patient=cohort["R1"]).order_by("signed_at")
    assert signed.exists()
    for signature in signed:
        assert signature.signed_at.strftime("%Y-%m-%d %H:%M") in text
    assert "Authored" in text
    assert signed[0].printed_name in text
    assert "invalidated" not in text
