"""Data-entry guards, each a field-level error on the page, the API and imports alike: exam
dates against birth, injury and today; adverse-event dates against onset, today and consent
(a pre-consent event only as a baseline event, not counted as treatment-emergent); no date
before 1900; an upload whose content is not its claimed type."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from cordtrack.server.accounts.models import Site, User
from cordtrack.server.demo_files import synthetic_pdf
from cordtrack.server.exams.models import IsncsciExam
from cordtrack.server.intake.models import Document
from cordtrack.server.interop import flatcsv
from cordtrack.server.patients.models import Patient
from cordtrack.server.reports import figures
from cordtrack.server.safety.models import AdverseEvent
from cordtrack.server.services import exams, safety, therapy
from cordtrack.server.services import patients as patient_services
from cordtrack.server.services.imports import import_exams

from .conftest import TODAY, VITALS, normal_exam
from .test_api_helpers import ApiClient
from .test_interop_imports import exam_row, flat_csv

AE = {"term": "Headache", "ctcae_grade": 1, "relatedness": "unrelated", "expected": True,
      "action": "none", "outcome": "recovering"}  # fmt: skip


@pytest.fixture
def injured(make_patient: Callable[..., Patient], north: Site, alice: User) -> Patient:
    """Born 1980 (the fixture's year), injured 60 days ago, consented 3 days ago."""
    patient = make_patient(north)
    patient_services.record_injury(
        alice, patient, injury_date=TODAY - dt.timedelta(days=60), etiology="traumatic",
        cause="fall", level="T6", baseline_ais="A",
    )  # fmt: skip
    return patient


def _field_errors(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


@pytest.mark.parametrize(
    ("date", "message"),
    [
        (dt.date(1975, 6, 1), "is before the patient's birth (born 1980)"),
        (TODAY - dt.timedelta(days=61), f"is before the injury ({TODAY - dt.timedelta(days=60)})"),
        (TODAY + dt.timedelta(days=1), "cannot be in the future"),
        (dt.date(1899, 12, 31), "is before 1900"),
    ],
)
def test_an_exam_date_before_birth_or_injury_in_the_future_or_before_1900_is_refused_everywhere(
    injured: Patient, alice: User, date: dt.date, message: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        exams.record_exam(alice, injured, normal_exam(), exam_date=date)
    assert message in _field_errors(refused)["exam_date"]

    api = ApiClient(alice).post(
        "/exams",
        {"patient_id": injured.pk, "exam_date": date.isoformat(), "values": normal_exam()},
    )
    assert api.status_code == 422
    assert {"field": "exam_date", "message": message} in [
        {"field": e["field"], "message": e["message"]} for e in api.json()["errors"]
    ]

    rows, _ = flatcsv.read_rows(flat_csv([exam_row(injured, normal_exam(), date.isoformat())]))
    report = import_exams(alice, rows)
    assert {(e.row, e.field) for e in report.errors} == {(2, "exam_date")}
    assert message in [e.message for e in report.errors]
    assert not IsncsciExam.objects.exists()


def test_the_worksheet_shows_the_exam_date_error_at_its_field(
    injured: Patient, alice: User
) -> None:
    client = Client()
    client.force_login(alice)
    body = {"exam_date": "1975-06-01", **normal_exam()}
    page = client.post(f"/patients/{injured.pk}/exams/new/", body)
    assert page.status_code == 200
    assert "is before the patient&#x27;s birth (born 1980)" in page.content.decode()
    assert not IsncsciExam.objects.exists()


def test_an_injury_before_birth_is_refused(injured: Patient, alice: User) -> None:
    with pytest.raises(ValidationError) as refused:
        patient_services.record_injury(
            alice, injured, injury_date=dt.date(1979, 1, 1), etiology="traumatic",
            cause="fall", level="T6", baseline_ais="A", reason="typo",
        )  # fmt: skip
    assert _field_errors(refused) == {"injury_date": ["is before the patient's birth (born 1980)"]}


def test_an_event_resolved_in_the_future_or_before_its_onset_is_refused_on_api_and_page(
    injured: Patient, alice: User
) -> None:
    body = {"patient_id": injured.pk, **AE, "onset_date": TODAY.isoformat(),
            "outcome": "recovered"}  # fmt: skip
    for resolved, message in (
        (TODAY + dt.timedelta(days=2), "cannot be in the future"),
        (TODAY - dt.timedelta(days=1), "is before the onset"),
    ):
        response = ApiClient(alice).post(
            "/adverse-events", {**body, "resolution_date": resolved.isoformat()}
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "resolution_date"
        assert response.json()["errors"][0]["message"] == message
    client = Client()
    client.force_login(alice)
    form = {**AE, "onset_date": TODAY.isoformat(), "outcome": "recovered",
            "resolution_date": (TODAY + dt.timedelta(days=2)).isoformat()}  # fmt: skip
    page = client.post(f"/patients/{injured.pk}/adverse-events/new/", form)
    assert page.status_code == 200
    assert "cannot be in the future" in page.content.decode()
    assert not AdverseEvent.objects.exists()


def test_an_event_before_consent_is_accepted_only_as_a_baseline_event(
    injured: Patient, alice: User
) -> None:
    onset = injured.consent_date - dt.timedelta(days=10)  # type: ignore[operator]
    with pytest.raises(ValidationError) as refused:
        safety.report_adverse_event(alice, injured, **AE, onset_date=onset)
    assert _field_errors(refused)["onset_date"][0].startswith(
        f"is before consent ({injured.consent_date}): record it as a baseline"
    )
    api = ApiClient(alice).post(
        "/adverse-events", {"patient_id": injured.pk, **AE, "onset_date": onset.isoformat()}
    )
    assert api.status_code == 422
    assert api.json()["errors"][0]["field"] == "onset_date"

    accepted = ApiClient(alice).post(
        "/adverse-events",
        {"patient_id": injured.pk, **AE, "onset_date": onset.isoformat(), "baseline": True},
    )
    assert accepted.status_code == 201, accepted.content
    assert accepted.json()["baseline"] is True


def test_baseline_events_are_not_counted_as_treatment_emergent(
    injured: Patient, alice: User, make_lot: Callable[..., Any], north: Site
) -> None:
    lot = make_lot(north)
    given = timezone.now() - dt.timedelta(days=1)
    therapy.administer(
        alice, injured, lot, administered_at=given, route="intravenous",
        dose_total_cells=10**7, weight_kg=Decimal(70), vitals=VITALS,
    )  # fmt: skip
    safety.report_adverse_event(
        alice, injured, **{**AE, "term": "Neuropathic pain"},
        onset_date=TODAY - dt.timedelta(days=30), baseline=True,
    )  # fmt: skip
    safety.report_adverse_event(alice, injured, **AE, onset_date=TODAY)
    with pytest.raises(ValidationError) as refused:  # after the first administration
        safety.report_adverse_event(alice, injured, **AE, onset_date=TODAY, baseline=True)
    assert "before the first administration" in _field_errors(refused)["baseline"][0]

    report = figures.safety_report(["NTH"])
    assert report.summary is not None
    anything = {r.label: r for r in report.summary.per_patient}["Adverse events (any)"]
    assert anything.interval.events == 1
    assert report.baseline_events == 1
    client = Client()
    client.force_login(alice)
    page = client.get("/reports/safety/?site=NTH").content.decode()
    assert "1 baseline (pre-treatment) event(s) are not counted as treatment-emergent" in page


def test_a_date_before_1900_is_refused_by_any_service(
    injured: Patient, alice: User, bob: User
) -> None:
    with pytest.raises(ValidationError) as refused:
        patient_services.record_consent(
            bob, injured, status="consented", consent_date=dt.date(1850, 1, 1), version="2.1",
            reason="typo",
        )  # fmt: skip
    assert _field_errors(refused) == {"consent_date": ["is before 1900"]}
    api = ApiClient(alice).post(
        "/adverse-events",
        {"patient_id": injured.pk, **AE, "onset_date": "1899-12-31", "baseline": True},
    )
    assert api.status_code == 422
    assert {"field": "onset_date", "message": "is before 1900"}.items() <= api.json()["errors"][
        0
    ].items()


def test_a_pdf_header_followed_by_html_is_refused_on_the_page_and_the_api(
    injured: Patient, bob: User
) -> None:
    polyglot = b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>\n"
    client = Client()
    client.force_login(bob)
    upload = SimpleUploadedFile("summary.pdf", polyglot, content_type="application/pdf")
    page = client.post(
        f"/patients/{injured.pk}/documents/", {"kind": "medical_record", "file": upload}
    )
    assert "content is not a valid PDF file: it contains HTML or script markup" in (
        page.content.decode() if page.status_code == 200 else _follow(client, page)
    )
    assert not Document.objects.exists()
    good = SimpleUploadedFile("summary.pdf", synthetic_pdf("Discharge summary"))
    client.post(f"/patients/{injured.pk}/documents/", {"kind": "medical_record", "file": good})
    assert Document.objects.count() == 1


def _follow(client: Client, response: Any) -> str:
    return str(client.get(response["Location"]).content.decode())


def test_a_csv_import_run_twice_creates_nothing_the_second_time(
    injured: Patient, alice: User
) -> None:
    source = flat_csv([exam_row(injured, normal_exam()), exam_row(injured, normal_exam())])
    rows, _ = flatcsv.read_rows(source)
    first = import_exams(alice, rows)
    assert first.committed
    assert len(first.created) == 1
    assert [str(s) for s in first.skipped] == ["row 3: skipped: repeats row 2"]
    again = import_exams(alice, rows)
    assert again.created == []
    assert [s.row for s in again.skipped] == [2, 3]
    assert IsncsciExam.objects.count() == 1
