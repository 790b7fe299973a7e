"""Issue 17's "Done when", in the browser: a patient whose preferred language is Arabic signs in
and finds the portal right to left in Arabic, signs the current consent version after its
comprehension check, answers a questionnaire, and downloads their progress report as a PDF whose
text is Arabic; every page on the way passes axe-core (WCAG 2.1 AA) and fits a 375 px phone.
Then a coordinator withdraws a patient from further use of their data: that patient leaves the
research dataset (downloaded and read) and the next reminder run sends them nothing.

The Arabic expected on each page comes from the shipped catalog (``gettext`` under Arabic), never
from a string copied here, so the walk checks the catalog is used, not a translation of its own.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.utils import timezone, translation
from playwright.sync_api import expect

from .conftest import PASSWORD, login, tab
from .consents import NEW_TEXT, NEW_VERSION, publish_new_version, withdraw_from_data_use
from .screens import AXE, LAPTOP, PHONE, WALK_TIMEOUT_MS, note_violations, overflow

ARABIC_LETTER = re.compile("[\u0621-\u064a]")


def arabic(message: str) -> str:
    """``message`` as the Arabic catalog has it; an untranslated message fails here."""
    with translation.override("ar"):
        translated = str(translation.gettext(message))
    assert translated != message, f"no Arabic translation of {message!r} in the catalog"
    assert ARABIC_LETTER.search(translated), f"{message!r} is not Arabic: {translated!r}"
    return translated


def plain(text: str) -> str:
    """Letters only, for comparing Arabic read back from a PDF: compatibility forms folded
    (presentation forms to letters), vowel and shadda marks dropped (a PDF's text layer may
    place them apart from their letter), whitespace collapsed."""
    folded = unicodedata.normalize("NFKC", text)
    letters = "".join(c for c in folded if unicodedata.category(c) != "Mn")
    return " ".join(letters.split())


def pdf_text(data: bytes) -> str:
    import pypdfium2

    document = pypdfium2.PdfDocument(data)
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


def check_page(page: Any, name: str, problems: list[str]) -> None:
    """axe-core on the current page at laptop and phone widths, and the overflow check at 375 px
    (issue 17 item 6), the page reloaded at each width."""
    for label, viewport in (("laptop", LAPTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        page.reload()
        note_violations(page, f"{name} ({label}) {page.url}", problems)
    why = overflow(page)
    if why:
        problems.append(f"{name} {page.url}: does not fit 375 px: {why}")
    page.set_viewport_size(LAPTOP)


def _arabic_patient() -> Any:
    from cordtrack.server.accounts.models import User

    user = User.objects.get(username="patient@sth")
    assert "ar" in (user.preferred_language, user.patient_record.preferred_language), (
        "the demo's patient@sth prefers Arabic (issue 17 item 1)"
    )
    return user.patient_record


def test_a_patient_from_abroad_signs_answers_and_downloads_their_report_in_arabic(
    browser: Any, live_server: Any, demo: Any, tmp_path: Path
) -> None:
    from cordtrack.server.consent.models import Consent
    from cordtrack.server.followup.models import InstrumentResponse

    patient = _arabic_patient()
    (_english, document) = publish_new_version(("en", "ar"))
    # The browser asks for English: the pages are Arabic because the patient chose Arabic.
    problems: list[str] = []
    with tab(browser, live_server.url, locale="en-GB") as page:
        page.context.set_default_timeout(WALK_TIMEOUT_MS)
        page.add_init_script(path=str(AXE))
        login(page, "patient@sth")
        expect(page).to_have_url(re.compile("/portal/$"))
        html = page.locator("html")
        expect(html).to_have_attribute("lang", "ar")
        expect(html).to_have_attribute("dir", "rtl")
        assert page.evaluate("() => getComputedStyle(document.body).direction") == "rtl"
        expect(page.locator("main")).to_contain_text(arabic("My consent"))
        check_page(page, "portal in Arabic", problems)

        # The new consent version, in Arabic, read and signed after the comprehension check.
        page.locator("[data-banner=reconsent] a").click()
        expect(page).to_have_url(re.compile("/portal/consent/sign/$"))
        expect(page.locator("article.consent-text")).to_contain_text(NEW_TEXT["ar"])
        expect(page.locator("article.consent-text")).to_have_attribute("lang", "ar")
        check_page(page, "consent to sign in Arabic", problems)
        for question in document.questions:
            page.get_by_label(question["choices"][question["answer"]], exact=True).check()
        page.locator("input[name=password]").fill(PASSWORD)
        page.get_by_role("button", name=arabic("Sign the consent")).click()
        expect(page).to_have_url(re.compile("/portal/consent/$"))
        expect(page.locator("[data-consent=valid]")).to_contain_text(NEW_VERSION)
        signed = Consent.objects.get(patient=patient, document__version=NEW_VERSION)
        assert (signed.document.language, signed.setting) == ("ar", "portal")
        check_page(page, "own consent in Arabic", problems)
        page.goto("/portal/consent/withdraw/")
        check_page(page, "withdrawal in Arabic", problems)

        # A questionnaire of the next visit, answered in Arabic.
        page.goto("/portal/")
        todo = page.locator("ul.todo a").first
        code = todo.get_attribute("href").rstrip("/").rsplit("/", 1)[-1]
        todo.click()
        form = page.locator("form.questionnaire")
        expect(form).to_be_visible()
        expect(html).to_have_attribute("dir", "rtl")
        check_page(page, f"questionnaire {code} in Arabic", problems)
        # Items of a validated instrument in Arabic: a working translation, labelled as not
        # validated, unless a validated translation is recorded (issue 17 item 1).
        expect(form).to_have_attribute("lang", "ar")
        status = form.get_attribute("data-translation")
        assert status in ("working", "validated"), status
        if status == "working":
            expect(page.locator(".translation-notice")).to_contain_text("not validated")
        before = InstrumentResponse.objects.filter(patient=patient).count()
        for select in form.locator("select").all():
            select.select_option(index=1)
        form.locator("button[type=submit]").click()
        expect(page).to_have_url(re.compile("/portal/$"))
        answered = InstrumentResponse.objects.filter(patient=patient).order_by("-pk").first()
        assert InstrumentResponse.objects.filter(patient=patient).count() == before + 1
        assert (answered.instrument, answered.language) == (code, "ar")
        assert answered.translation == status

        # The progress report as a PDF, its text in Arabic: reached by the portal's links, as
        # the patient reaches it (no typed address).
        page.get_by_role("link", name=arabic("Your progress report"), exact=True).click()
        expect(page).to_have_url(re.compile(f"/reports/patients/{patient.pk}/$"))
        expect(html).to_have_attribute("dir", "rtl")
        # Served inline (the browser shows it; Chromium's viewer raises no download event), so
        # fetched as the link's target with the patient's own session.
        href = page.locator("a[href$='/progress.pdf']").get_attribute("href")
        assert href is not None
        fetched = page.context.request.get(page.url.split("/reports/")[0] + href,
                                           timeout=WALK_TIMEOUT_MS)  # fmt: skip
        assert fetched.ok, fetched.status
        assert fetched.headers["content-type"] == "application/pdf"
        text = plain(pdf_text(fetched.body()))
        assert plain(arabic("Your progress report")) in text, text[:400]
        assert len(ARABIC_LETTER.findall(text)) > 200, text[:400]
    assert not problems, "\n".join(problems)


def _dataset_rows(page: Any, tmp_path: Path, name: str) -> list[dict[str, str]]:
    """The sponsor downloads the de-identified research dataset (ZIP) and its patients.csv rows."""
    page.goto("/sponsor/export/")
    with page.expect_download(timeout=WALK_TIMEOUT_MS) as info:
        page.get_by_role("button", name="Download the dataset (ZIP)").click()
    saved = tmp_path / f"{name}.zip"
    info.value.save_as(saved)
    with zipfile.ZipFile(saved) as archive:
        text = archive.read("cordtrack-deidentified/patients.csv").decode("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


#: What a de-identified patient row says of a patient apart from their random research id and
#: their shifted dates (interop/deidentify.py): enough to tell which patient left the dataset.
FACTS = ("site", "sex", "age_at_injury", "etiology", "cause", "level", "baseline_ais")


def _facts(rows: list[dict[str, str]]) -> Counter[tuple[str, ...]]:
    return Counter(tuple(row.get(f, "") for f in FACTS) for row in rows)


def test_a_patient_withdrawn_from_data_use_leaves_the_research_dataset_and_the_reminders(
    page: Any, tmp_path: Path, settings: Any
) -> None:
    from cordtrack.server.interop import deidentify
    from cordtrack.server.patients.models import Patient
    from cordtrack.server.reminders.models import ContactPreference, ReminderLog
    from cordtrack.server.reminders.plan import due_reminders

    settings.REMINDER_OPENS_DAYS, settings.REMINDER_CLOSES_DAYS = [30, 7, 1], [7, 2]
    today = timezone.localdate()
    reachable = set(
        ContactPreference.objects.filter(email_opt_out=False)
        .exclude(email="")
        .values_list("patient_id", flat=True)
    )
    due = [
        d.patient for d in due_reminders(today)
        if d.patient.site.code == "STH" and d.patient.pk in reachable
        and not ReminderLog.objects.filter(cause=d.cause).exists()
    ]  # fmt: skip
    assert len({p.pk for p in due}) > 1, "South patients are due a reminder by e-mail, not sent"
    patient = due[0]  # would be reminded today, but for the withdrawal
    deidentify.export(Patient.objects.filter(pk=patient.pk), tmp_path / "one")
    with (tmp_path / "one" / "patients.csv").open(encoding="utf-8") as f:
        (own,) = _facts(list(csv.DictReader(f)))

    page.context.set_default_timeout(WALK_TIMEOUT_MS)  # building a dataset takes a while
    login(page, "sponsor@all")
    before = _dataset_rows(page, tmp_path, "before")
    page.get_by_role("button", name="Sign out").click()

    login(page, "coordinator@sth")
    withdraw_from_data_use(page, patient.pk)
    page.get_by_role("button", name="Sign out").click()

    login(page, "sponsor@all")
    after = _dataset_rows(page, tmp_path, "after")
    assert len(after) == len(before) - 1
    assert _facts(before) - _facts(after) == Counter({own: 1})
    assert not _facts(after) - _facts(before)

    # `cordtrack reminders run --json`, in this process (the live server's database is the test
    # database, which a separate process could not open).
    out, started = io.StringIO(), timezone.now()
    call_command("reminders", "run", "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["sent"] > 0, "the others due are reminded"
    sent_to = set(
        ReminderLog.objects.filter(pk__in=[m["id"] for m in report["messages"]]).values_list(
            "patient_id", flat=True
        )
    )
    assert patient.pk not in sent_to
    assert not ReminderLog.objects.filter(patient=patient, created_at__gte=started).exists()


PUBLIC_PAGES = [("sign-in", "/accounts/login/"), ("inquiry", "/inquire/"),
                ("what to expect", "/expect/"), ("language picker", "/language/")]  # fmt: skip


def test_the_public_pages_and_the_language_picker_in_arabic_pass_axe_and_fit_a_phone(
    browser: Any, live_server: Any, demo: Any
) -> None:
    """Nobody signed in, a browser asking for Arabic: the sign-in page, the inquiry form, what to
    expect and the language picker are Arabic, right to left, without an axe violation, and fit
    375 px."""
    problems: list[str] = []
    with tab(browser, live_server.url, locale="ar") as page:
        page.context.set_default_timeout(WALK_TIMEOUT_MS)
        page.add_init_script(path=str(AXE))
        for name, url in PUBLIC_PAGES:
            response = page.goto(url)
            assert response is not None
            assert response.status == 200, f"{name}: {response.status}"
            expect(page.locator("html")).to_have_attribute("lang", "ar")
            expect(page.locator("html")).to_have_attribute("dir", "rtl")
            check_page(page, f"{name} in Arabic", problems)
        page.goto("/inquire/")
        page.locator("form button[type=submit]").last.click()  # sent empty: its field errors
        expect(page.locator(".errorlist").first).to_be_visible()
        note_violations(page, "inquiry in Arabic with errors", problems)
    assert not problems, "\n".join(problems)


def test_a_coordinator_prints_a_travel_letter_in_english_and_in_arabic(
    page: Any, tmp_path: Path
) -> None:
    from cordtrack.server.followup.models import Visit

    patient = _arabic_patient()
    visit = patient.visits.filter(status="scheduled").order_by("target_date").first()
    assert isinstance(visit, Visit)
    page.context.set_default_timeout(WALK_TIMEOUT_MS)
    login(page, "coordinator@sth")
    page.goto(f"/visits/{visit.pk}/")
    with page.expect_download(timeout=WALK_TIMEOUT_MS) as info:
        page.get_by_role("link", name="Letter with blank passport lines (PDF)").click()
    saved = tmp_path / "letter.pdf"
    info.value.save_as(saved)
    text = plain(pdf_text(saved.read_bytes()))
    assert "Letter in support of travel" in text
    assert plain(arabic("Letter in support of travel")) in text, text[-600:]
    assert plain(arabic("To whom it may concern,")).rstrip(",،") in text, text[-600:]
