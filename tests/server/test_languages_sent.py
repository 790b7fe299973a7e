"""What reaches a patient outside a page is in their language (languages.patient_language):
reminders by e-mail and SMS, the progress report PDF, the travel letter's second page."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from io import StringIO
from typing import Any

import pypdfium2 as pdfium
from catalog_text import Catalog, plain, regex
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from cordtrack.server.accounts.models import Role, Site, User
from cordtrack.server.followup.letters import letter_sections
from cordtrack.server.followup.models import Visit
from cordtrack.server.intake.models import Protocol
from cordtrack.server.patients.models import Patient
from cordtrack.server.reminders import engine, sms, texts
from cordtrack.server.reminders.models import ReminderLog, Template
from cordtrack.server.reminders.plan import Due
from cordtrack.server.services import patients as patient_services
from cordtrack.server.services import reminders as reminder_services

from .reports_cohort import build
from .test_reminders import _visits, reminded, sms_locmem  # noqa: F401  (fixtures)
from .test_travel import visit  # noqa: F401  (fixture)

ARABIC = re.compile(r"[\u0600-\u06FF]")
URL = re.compile(r"https?://\S+")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


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


def _arabic_patients(
    bob: User, make_patient: Callable[..., Patient], make_user: Callable[..., User], north: Site,
    protocol: Protocol,
) -> list[Patient]:  # fmt: skip
    """Two patients who read Arabic, with an e-mail address and a mobile number: one by their
    account's choice, whose month-1 window opens in 2 days with questionnaires to answer
    (visit and questionnaire reminders); one by their record, whose month-1 window closes
    tomorrow (the last-days reminder)."""
    admin = make_user("sadmin", Role.SITE_ADMIN, north)
    patients = []
    for n, opens_in in ((1, 2), (2, -13)):
        patient = make_patient(north)
        reminder_services.set_contact(
            bob, patient, email=f"p{n}@example.org", phone=f"+44 7700 90012{n}",
            email_opt_out=False, sms_opt_out=False,
        )  # fmt: skip
        if n == 1:
            account = make_user(f"pat{n}", Role.PATIENT, north)
            patient_services.link_patient_user(admin, patient, account)
            account.preferred_language = "ar"
            account.save()
        else:
            patient_services.set_patient_language(bob, patient, "ar")
        _visits(bob, patient, protocol, opens_in)
        patients.append(patient)
    return patients


def _in_arabic(english: str, sent: str, catalog: Catalog) -> list[str]:
    """Why ``sent`` (the text that went out) is not ``english`` (the same message rendered in
    English) translated with the Arabic catalog: an English sentence of the catalog left in it,
    its translation missing, or any Latin letter outside a link."""
    problems = []
    sent = plain(sent)
    for _start, _end, entry in catalog.spans(english):
        if re.search(regex(entry.english), sent):
            problems.append(f"English left: {entry.english!r}")
        if not re.search(regex(entry.translated), sent):
            problems.append(f"translation missing: {entry.translated!r}")
    if not catalog.spans(english):
        problems.append(f"no catalog sentence found in the English text {english!r}")
    if latin := LATIN_WORD.findall(URL.sub("", sent)):
        problems.append(f"Latin words {latin}")
    return problems


def test_every_reminder_to_patients_who_read_arabic_is_arabic_in_subject_body_and_sms(
    bob: User, make_patient: Callable[..., Patient], make_user: Callable[..., User], north: Site,
    protocol: Protocol,
) -> None:  # fmt: skip
    """`cordtrack reminders run`: the visit, last-days and questionnaire reminders, by e-mail
    (subject and body) and SMS, each checked against the same message rendered in English and
    the Arabic catalog; the SMS says nothing clinical or identifying."""
    patients = _arabic_patients(bob, make_patient, make_user, north, protocol)
    out = StringIO()
    call_command("reminders", "run", "--json", stdout=out)
    report = json.loads(out.getvalue())

    logs = ReminderLog.objects.filter(patient__in=patients).select_related("message", "visit")
    assert {(r.template, r.channel) for r in logs} == {
        (t, c) for t in Template.values for c in ("email", "sms")
    }, "each reminder template by each channel"
    assert report["sent"] == len(logs) == len(mail.outbox) + len(sms.outbox)
    catalog = Catalog("ar")
    problems = []
    for row in logs:
        assert row.language == "ar"
        due = Due(row.visit, row.template, row.cause, row.due_on)
        english = texts.render(due, row.channel, "en")
        where = f"{row.template} by {row.channel}"
        if row.channel == "sms":
            (delivered,) = [m.body for m in sms.outbox if m.body == row.message.body]
            problems += [f"{where} text: {p}" for p in _in_arabic(english.body, delivered, catalog)]
            for secret in (row.patient.study_id, "North", "Month 1", "m1", "CT-", "MSC"):
                assert secret not in delivered, (secret, delivered)
            assert len(delivered) <= texts.SMS_MAX
            continue
        (email,) = [m for m in mail.outbox if m.body == row.message.body]
        problems += [f"{where} subject: {p}" for p in _in_arabic(english.subject, email.subject,
                                                                 catalog)]  # fmt: skip
        problems += [f"{where} body: {p}" for p in _in_arabic(english.body, email.body, catalog)]
    assert not problems, "\n".join(problems)


def test_the_arabic_check_fails_on_a_reminder_left_in_english() -> None:
    """The check above can fail: an English text, or one English sentence in an Arabic text."""
    catalog = Catalog("ar")
    english = "Hello,\n\nYour visits are listed in the patient portal: http://x/portal/"
    assert _in_arabic(english, english, catalog)
    half = "مرحبًا،\n\nYour visits are listed in the patient portal: http://x/portal/"
    assert any("English left" in p for p in _in_arabic(english, half, catalog))
    with translation.override("ar"):
        arabic = (
            "\n\n".join(
                str(translation.gettext(m))
                for m in ("Hello,", "Your visits are listed in the patient portal:")
            )
            + " http://x/portal/"
        )
    assert _in_arabic(english, arabic, catalog) == []
