"""The translation catalogs and what a patient sees (issue 17 item 1; docs/languages.md).

Every string shown to anyone is marked for translation (``{% translate %}``,
``{% blocktranslate %}``, ``gettext``/``gettext_lazy``) and extracted by ``make messages`` into
``locale/<code>/LC_MESSAGES/django.po``. Staff pages stay English (their msgstr empty: English is
shown); a *patient-facing* string must be translated in every :data:`SHIPPED` language.
``tests/server/test_translations.py`` extracts the strings afresh and fails when a catalog is
stale (a marked string missing, an obsolete or fuzzy entry, a .mo older than its .po) or when a
patient-facing string has no translation in a shipped language.
"""

from __future__ import annotations

from pathlib import Path

#: The folder of the catalogs (``settings.LOCALE_PATHS``).
LOCALE_DIR = Path(__file__).resolve().parent / "locale"

#: The languages whose catalogs are complete for every patient-facing string (English is the
#: source language and needs no catalog). A language is added here when its translator has
#: filled every patient-facing msgstr; before that its pages fall back to English string by
#: string, which the test does not allow for a shipped language.
SHIPPED: tuple[str, ...] = ("ar", "es", "hi", "th")

#: What a patient (or a family, before any account) can open or receive, as paths relative to
#: this package: templates (of pages, PDFs, e-mails and SMS) and the Python modules whose marked
#: strings reach them (form labels, messages, choices). A path ending in "/" covers the folder.
PATIENT_FACING: tuple[str, ...] = (
    # every page's frame: skip link, the patient's menu, footer, language link
    "templates/base.html",
    "templates/accounts/language.html",
    "accounts/language_views.py",
    # sign-in and the second factor
    "templates/registration/login.html",
    "templates/accounts/otp_setup.html",
    "templates/accounts/otp_verify.html",
    "accounts/views.py",
    # the patient's own record and its timeline, with the labels of what it lists
    "templates/patients/detail.html",
    "templates/journey/_timeline.html",
    "journey/timeline.py",
    "patients/models.py",
    "intake/models.py",
    "safety/models.py",
    "therapy/models.py",
    "consent/models.py",
    "exams/models.py",
    # the portal and its questionnaires
    "templates/journey/portal.html",
    "templates/journey/questionnaire.html",
    "templates/journey/translation_notice.html",  # no string of its own; rendered in the page
    # progress: charts in the portal and on the progress page
    "templates/journey/_chart.html",
    "templates/journey/progress.html",
    "journey/charts.py",
    # the progress report (PDF)
    "reports/templates/reports/pdf/base.html",
    "reports/templates/reports/pdf/progress.html",
    "reports/templates/reports/_history.html",
    "reports/context.py",
    "reports/patient.py",
    "reports/charts.py",
    "journey/portal.py",
    "followup/models.py",  # the visit statuses in the portal, travel modes and mobility aids
    "followup/names.py",  # schedule visit names and instrument names
    # a signed exam: its results, recorded values, signatures, body map (the staff's parts:
    # exams/_staff_actions.html, exams/_history.html, exams/_draft_note.html,
    # worksheet/_entry_status.html, signatures/_form.html, monitoring/_panel.html)
    "templates/exams/detail.html",
    "templates/exams/_values.html",
    "templates/exams/_cell.html",
    "templates/signatures/_list.html",
    "signatures/models.py",
    "templates/worksheet/_live.html",
    "worksheet/live.py",
    "worksheet/bodymap.py",
    "worksheet/grid.py",
    "worksheet/values.py",
    # a visit: dates, travel and stay, its exams and instruments (the staff's forms:
    # followup/_visit_complete.html, _logistics_form.html, _travel_letter_form.html,
    # _visit_recording.html)
    "templates/followup/visit.html",
    # a document's page (the staff's de-identification review: intake/_document_review.html)
    "templates/intake/document.html",
    # the outcome report page
    "reports/templates/reports/patient.html",
    "reports/templates/reports/_patient_body.html",
    "reports/wording.py",
    # the evidence data's phrases and the engines' sentences (reports, charts, what to expect)
    "evidence_phrases.py",
    "evidence_words.py",
    # consent: read, answer, sign (in the portal or on the clinic's tablet), the copy, withdraw
    "templates/consent/_banner.html",
    "templates/consent/portal.html",
    "templates/consent/sign.html",
    "templates/consent/withdraw.html",
    "templates/consent/pdf.html",
    "consent/views.py",
    "consent/forms.py",
    "services/consent.py",
    # reminders: the patient's settings page, and the e-mails and text messages themselves
    "templates/reminders/portal.html",
    "templates/reminders/_footer.email.txt",
    "templates/reminders/visit_opens.subject.txt",
    "templates/reminders/visit_opens.email.txt",
    "templates/reminders/visit_opens.sms.txt",
    "templates/reminders/visit_closes.subject.txt",
    "templates/reminders/visit_closes.email.txt",
    "templates/reminders/visit_closes.sms.txt",
    "templates/reminders/questionnaire.subject.txt",
    "templates/reminders/questionnaire.email.txt",
    "templates/reminders/questionnaire.sms.txt",
    "reminders/views.py",
    "reminders/models.py",
    "reminders/sms.py",  # the phone number check on the settings page
    # the travel letter's page in the patient's language
    "templates/followup/_travel_letter_section.html",
    # what to expect (public, no account): page and PDF
    "expect/templates/expect/",
    "expect/forms.py",
    "expect/summary.py",
    "expect/views.py",
    # the public inquiry form (no account)
    "templates/intake/inquire.html",
    "templates/intake/inquire_done.html",
    "intake/public.py",
    "services/public_inquiry.py",
)


def catalog_path(code: str) -> Path:
    return LOCALE_DIR / code / "LC_MESSAGES" / "django.po"


def is_patient_facing(location: str) -> bool:
    """Whether a source location of an extracted string (``templates/x.html:12``, relative to
    this package) is in :data:`PATIENT_FACING`."""
    path = location.rsplit(":", 1)[0].removeprefix("./")
    return any(path == p or (p.endswith("/") and path.startswith(p)) for p in PATIENT_FACING)
