"""What reaches a patient outside a page is in their language (languages.patient_language):
reminders by e-mail and SMS, the progress report PDF, the travel letter's second page."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pypdfium2 as pdfium
from django.core import mail
from django.test import Client

from cordtrack.server.accounts.models import Role, Site, User
from cordtrack.server.followup.letters import letter_sections
from cordtrack.server.followup.models import Visit
from cordtrack.server.patients.models import Patient
from cordtrack.server.reminders import engine, sms
from cordtrack.server.reminders.models import ReminderLog
from cordtrack.server.services import patients as patient_services

from .reports_cohort import build
from .test_reminders import reminded, sms_locmem  # noqa: F401  (fixtures)
from .test_travel import visit  # noqa: F401  (fixture)

ARABIC = re.compile(r"[\u0600-\u06FF]")


def test_a_reminder_to_a_patient_who_reads_arabic_is_in_arabic_and_still_says_nothing_clinical(
    reminded: tuple[Patient, Visit],  # noqa: F811
    bob: User,
) -> None:
    patient, _ = reminded
    patient_services.set_patient_language(bob, patient, "ar")
    engine.run()
    email, text = mail.outbox[0], sms.outbox[0].body
    assert "زيارتك القادمة للعيادة" in email.subject  # "Your next clinic visit"
    assert text.startswith("تذكير:")  # "Reminder:"
    assert "http://127.0.0.1:8000/portal/" in text
    assert "/portal/reminders/" in email.body  # the opt-out footer, translated
    assert "عيادتك" in email.body
    assert patient.study_id not in text + email.subject + email.body
    logged = ReminderLog.objects.filter(patient=patient)
    assert {r.language for r in logged} == {"ar"}


def test_the_patients_own_choice_on_their_account_wins_for_reminders(
    reminded: tuple[Patient, Visit],  # noqa: F811
    bob: User,
    make_user: Callable[..., User],
    north: Site,
) -> None:
    patient, _ = reminded
    patient_services.set_patient_language(bob, patient, "ar")
    account = make_user("pat", Role.PATIENT, north)
    patient_services.link_patient_user(make_user("adm", Role.SITE_ADMIN, north), patient, account)
    account.preferred_language = "en"
    account.save()
    engine.run()
    assert mail.outbox[0].subject == "Your next clinic visit"


def test_the_progress_report_of_a_patient_who_reads_arabic_is_in_arabic(
    make_patient: Callable[..., Patient], make_lot: Callable[..., Any], alice: User,
    north: Site, client: Client, bob: User, make_user: Callable[..., User],
) -> None:  # fmt: skip
    patient = build(make_patient, make_lot, alice, north)["R1"]
    patient_services.set_patient_language(bob, patient, "ar")
    account = make_user("r1", Role.PATIENT, north)
    patient_services.link_patient_user(make_user("adm", Role.SITE_ADMIN, north), patient, account)
    client.force_login(account)
    response = client.get(f"/reports/patients/{patient.pk}/progress.pdf")
    assert response.status_code == 200
    document = pdfium.PdfDocument(response.content)
    text = " ".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    document.close()
    assert "What was measured" not in text
    assert len(ARABIC.findall(text)) > 500  # the report's words, in Arabic letters
    # pdfium extracts a left-to-right run inside a right-to-left line out of visual order
    # ("-0001NTH"); drawn, the <bdi> keeps "NTH-0001" (checked on a rendered page).
    site, number = patient.study_id.split("-")
    assert site in text
    assert number in text


def test_the_travel_letters_second_page_is_in_arabic_right_to_left(
    bob: User,
    visit: Visit,  # noqa: F811
) -> None:
    patient_services.set_patient_language(bob, visit.patient, "ar")
    english, arabic = letter_sections(visit, None, {}, bob)
    assert "Letter in support of travel" in english
    assert 'lang="ar" dir="rtl"' in arabic
    assert "خطاب دعم للسفر" in arabic
    assert "Letter in support of travel" not in arabic
