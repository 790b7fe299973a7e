"""Electronic consent in the browser (issue 17 item 2): a patient signs a new consent version
after retrying the comprehension check and downloads their PDF; a coordinator withdraws a patient
from further data use, and that patient disappears from the research export and reminders."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from .conftest import PASSWORD, login, shot
from .consents import publish_new_version, withdraw_from_data_use


def test_a_patient_retries_the_comprehension_check_signs_and_downloads_the_pdf(
    page: Any, tmp_path: Path
) -> None:
    from cordtrack.server.consent.models import Consent

    publish_new_version()
    login(page, "patient@nth")
    banner = page.locator("[data-banner=reconsent]")
    expect(banner).to_contain_text("A new version (2.2)")
    banner.get_by_role("link", name="Read and sign").click()
    expect(page.locator("article.consent-text")).to_contain_text("New in 2.2")
    page.get_by_label("No, it is experimental").check()
    page.get_by_label("Only before the treatment").check()  # wrong
    page.get_by_label("Yes, for my safety").check()
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Sign the consent").click()
    expect(page.locator("[data-field=q1]")).to_contain_text("Not quite")
    expect(page.locator("[data-attempts]")).to_be_visible()
    assert not Consent.objects.filter(document__version="2.2").exists()
    shot(page, "consent-retry")
    page.get_by_label("Yes, at any time").check()
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Sign the consent").click()
    expect(page).to_have_url(re.compile("/portal/consent/$"))
    expect(page.locator("[data-consent=valid]")).to_contain_text("version 2.2")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download PDF").first.click()
    saved = tmp_path / "consent.pdf"
    info.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF-")
    signed = Consent.objects.get(document__version="2.2")
    assert signed.comprehension_attempts == 2
    assert signed.setting == "portal"


def test_a_coordinator_withdraws_a_patient_from_data_use_who_leaves_export_and_reminders(
    page: Any, tmp_path: Path, settings: Any
) -> None:
    from django.utils import timezone

    from cordtrack.server.interop import deidentify
    from cordtrack.server.patients.models import Patient
    from cordtrack.server.reminders.plan import due_reminders

    settings.REMINDER_OPENS_DAYS, settings.REMINDER_CLOSES_DAYS = [30, 7, 1], [7, 2]
    today = timezone.localdate()
    due = [d.patient for d in due_reminders(today) if d.patient.site.code == "NTH"]
    assert due, "the demo has North patients with a reminder due"
    patient = due[0]
    before = deidentify.export(Patient.objects.all(), tmp_path / "before")["patients.csv"]

    login(page, "coordinator@nth")
    withdraw_from_data_use(page, patient.pk)
    shot(page, "consent-withdrawn")

    assert patient.pk not in {d.patient.pk for d in due_reminders(today)}
    after = deidentify.export(Patient.objects.all(), tmp_path / "after")["patients.csv"]
    assert after == before - 1
