"""Every page a patient can open is in the patient's language (issue 17 item 1).

A patient whose record says Arabic signs in and opens every route of ``PATIENT_PAGES``, its URL
filled from their own records: each answers 200, an HTML page is ``<html lang="ar" dir="rtl">``,
and every template rendered for it is listed in ``catalogs.PATIENT_FACING`` (whose strings
``test_translations.py`` requires in every shipped language). A staff-only part of a page lives in
a template of its own, which a patient's page must not render.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from cordtrack.server import catalogs
from cordtrack.server.accounts.middleware import PATIENT_PAGES
from cordtrack.server.accounts.models import Role, Site, User
from cordtrack.server.consent.models import Consent
from cordtrack.server.demo_files import synthetic_pdf
from cordtrack.server.intake.models import Protocol
from cordtrack.server.patients.models import Patient
from cordtrack.server.services import consent_documents, documents, exams, followup, safety
from cordtrack.server.services import patients as patient_services

from .conftest import TODAY, normal_exam, signing
from .test_consent import PASSWORD, RIGHT, doc

#: Routes that are not pages to walk: signing out is a POST, the API schema is JSON (the API is
#: English by design, ADR 0043), the landing redirects to the portal.
NOT_PAGES = {"logout", "api-v1:openapi-json", "home"}
#: Routes that answer a file, not a page: only their status is checked here (the PDFs' language
#: is checked in test_languages_sent.py and test_pdf_scripts.py).
FILES = {"document-download", "document-preview", "reports:progress", "consent:portal-pdf",
         "expect:pdf"}  # fmt: skip


@pytest.fixture
def arabic_patient(
    make_patient: Callable[..., Patient], make_user: Callable[..., User], north: Site,
    alice: User, bob: User, dora: User, protocol: Protocol,
) -> dict[str, Any]:  # fmt: skip
    """A patient reading Arabic, with something on every page: a schedule, a signed exam at a
    visit, travel arranged, an instrument, an adverse event, a document and a signed consent."""
    patient = make_patient(north, consented=False)
    account = make_user("pat", Role.PATIENT, north)
    account.set_password(PASSWORD)
    account.save()
    admin = make_user("adm", Role.SITE_ADMIN, north)
    patient_services.link_patient_user(admin, patient, account)
    patient_services.set_patient_language(bob, patient, "ar")
    consent_documents.publish(dora, doc(protocol))
    visits = followup.schedule_visits(bob, patient, protocol, TODAY - dt.timedelta(days=31))
    visit = visits[2]
    followup.record_logistics(bob, visit, travel_mode="car", distance_km=50,
                              mobility_aids=["manual_wheelchair"])  # fmt: skip
    followup.record_instrument(alice, patient, "pain_nrs", {"nrs_pain_intensity": 4},
                               recorded_on=TODAY, visit=visit)  # fmt: skip
    baseline = exams.record_exam(alice, patient, normal_exam(), exam_date=TODAY - dt.timedelta(30))
    exams.sign_exam(alice, baseline, password=signing(alice))
    exam = exams.record_exam(alice, patient, normal_exam(), exam_date=TODAY, visit=visit)
    exams.sign_exam(alice, exam, password=signing(alice))
    safety.report_adverse_event(
        alice, patient, term="Headache", onset_date=TODAY, ctcae_grade=1,
        relatedness="possible", expected=True, action="none", outcome="recovering",
    )  # fmt: skip
    upload = SimpleUploadedFile("scan.pdf", synthetic_pdf("Synthetic record"),
                                content_type="application/pdf")  # fmt: skip
    document = documents.upload_document(bob, patient, "medical_record", upload)
    return {"patient": patient, "account": account, "visit": visit, "exam": exam,
            "document": document}  # fmt: skip


def _url(name: str, records: dict[str, Any], consent_pdf: int) -> str:
    patient = records["patient"]
    kwargs: dict[str, Any] = {
        "patients:detail": {"pk": patient.pk}, "patient-progress": {"pk": patient.pk},
        "reports:patient": {"pk": patient.pk}, "reports:progress": {"pk": patient.pk},
        "exam-detail": {"pk": records["exam"].pk}, "visit-detail": {"pk": records["visit"].pk},
        "document-detail": {"pk": records["document"].pk},
        "document-download": {"pk": records["document"].pk},
        "document-preview": {"pk": records["document"].pk},
        "portal-questionnaire": {"code": "pain_nrs"}, "consent:portal-pdf": {"pk": consent_pdf},
    }.get(name, {})  # fmt: skip
    query = {"expect:pdf": "?level=T6&ais=A&days=30"}.get(name, "")
    return reverse(name, kwargs=kwargs) + query


def _template_names(response: Any) -> set[str]:
    return {t.name for t in response.templates if t.name}


def _is_patient_facing(name: str) -> bool:
    """Whether the template ``name`` (as loaded) is one of ``PATIENT_FACING``'s paths, which are
    relative to the package: ``templates/x.html`` or an app's ``<app>/templates/x.html``."""
    return any(
        catalogs.is_patient_facing(f"{folder}{name}")
        for folder in ["templates/", *(f"{app}/templates/" for app in ("reports", "expect"))]
    )


def _problems(name: str, url: str, response: Any) -> list[str]:
    if response.status_code != 200:
        return [f"{name} {url}: status {response.status_code}"]
    if name in FILES:
        return []
    problems = []
    html = re.search(r"<html[^>]*>", response.content.decode())
    if html is None or html.group(0) != '<html lang="ar" dir="rtl">':
        problems.append(f"{name}: {html.group(0) if html else 'no <html>'}")
    # Django's own form widgets hold no words (labels and errors come from our code).
    ours = {t for t in _template_names(response) if not t.startswith("django/forms/")}
    staff = sorted(t for t in ours if not _is_patient_facing(t))
    if staff:
        problems.append(f"{name}: templates not in PATIENT_FACING: {staff}")
    return problems


def test_an_arabic_reading_patient_opens_every_patient_page_in_arabic_right_to_left(
    client: Client, arabic_patient: dict[str, Any]
) -> None:
    client.force_login(arabic_patient["account"])
    # The sign page, before signing (afterwards it sends a signed patient to their consent).
    sign_url = reverse("consent:portal-sign")
    problems = _problems("consent:portal-sign", sign_url, client.get(sign_url))
    signed = client.post(sign_url, {**{k: str(v) for k, v in RIGHT.items()}, "password": PASSWORD})
    assert signed.status_code == 302
    consent_pdf = Consent.objects.get(patient=arabic_patient["patient"]).pdf_id
    walked = ["consent:portal-sign"]
    for name in sorted(PATIENT_PAGES - NOT_PAGES - {"consent:portal-sign"}):
        url = _url(name, arabic_patient, consent_pdf)
        problems += _problems(name, url, client.get(url))
        walked.append(name)
    assert not problems, "\n".join(problems)
    assert len(walked) == len(PATIENT_PAGES - NOT_PAGES) > 15


def test_the_walk_notices_a_staff_template_on_a_patient_page() -> None:
    assert _is_patient_facing("exams/detail.html")
    assert _is_patient_facing("reports/patient.html")
    assert not _is_patient_facing("exams/new.html")
    assert not _is_patient_facing("signatures/_form.html")


def test_an_arabic_readers_record_dates_names_and_typed_text_read_right_to_left(
    client: Client, arabic_patient: dict[str, Any]
) -> None:
    client.force_login(arabic_patient["account"])
    patient = arabic_patient["patient"]
    record = client.get(reverse("patients:detail", kwargs={"pk": patient.pk})).text
    visit = client.get(reverse("visit-detail", kwargs={"pk": arabic_patient["visit"].pk})).text

    # Dates in the language's format: no ISO date shown on the timeline or the document list
    # (the machine-readable datetime attribute stays ISO).
    shown_dates = re.findall(r"<time datetime=\"[\d-]+\">([^<]*)</time>", record)
    assert shown_dates
    assert not [d for d in shown_dates if re.fullmatch(r"\d{4}-\d\d-\d\d", d)]
    document_link = f'href="/documents/{arabic_patient["document"].pk}/">'
    assert not re.search(re.escape(document_link) + r"\d{4}-\d\d-\d\d<", record)
    # The schedule's visit names and the instruments' expansions are Arabic.
    assert "الشهر 1" in record
    assert "الشهر 1" in visit
    assert "NRS (مقياس التقييم الرقمي لشدة الألم)" in visit
    assert "كرسي متحرك يدوي" in visit  # the mobility aid by name, not its code
    # A term typed by staff keeps its text and lays itself out.
    assert '<span dir="auto">Headache</span>' in record
    # The staff's forms are not on the patient's visit page.
    assert "Mark done" not in visit
    assert "Travel letter" not in visit


def test_staff_still_see_and_use_the_staff_parts_of_these_pages(
    client: Client, arabic_patient: dict[str, Any], bob: User, alice: User
) -> None:
    client.force_login(bob)
    visit = client.get(reverse("visit-detail", kwargs={"pk": arabic_patient["visit"].pk}))
    assert "Mark done" in visit.text
    assert "Travel letter" in visit.text
    assert "followup/_visit_complete.html" in _template_names(visit)
    client.force_login(alice)
    exam = client.get(reverse("exam-detail", kwargs={"pk": arabic_patient["exam"].pk}))
    assert "Signed and locked" in exam.text
    assert "History" in exam.text
    assert {"exams/_staff_actions.html", "exams/_history.html"} <= _template_names(exam)
