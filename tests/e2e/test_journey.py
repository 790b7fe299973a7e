"""Logging in, a serious adverse event reaching the monitor, the patient portal, and a second
site's user refused the same pages."""

from __future__ import annotations

import re
from typing import Any

from django.core import mail
from playwright.sync_api import expect

from cordtrack.server.outbox.delivery import deliver_due

from .conftest import login, shot


def test_logging_in_with_a_wrong_then_the_right_password(page: Any) -> None:
    page.goto("/dashboard/")
    expect(page).to_have_url(re.compile("/accounts/login/"))
    page.get_by_label("Username").fill("coordinator@nth")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.locator("form .errorlist")).to_be_visible()
    login(page, "coordinator@nth")
    page.goto("/dashboard/")
    expect(page.locator("[data-site=NTH] h2")).to_contain_text("North")
    expect(page.locator("body")).not_to_contain_text("STH-")
    shot(page, "dashboard")
    page.get_by_role("link", name="Intake", exact=True).click()
    expect(page.locator("[data-status=under_review] .board-card").first).to_be_visible()
    shot(page, "intake-board")
    page.get_by_role("link", name="Visits", exact=True).click()
    expect(page.locator("h1")).to_contain_text("Visit calendar")
    page.get_by_role("link", name="Logistics", exact=True).first.click()
    expect(page.locator("h1")).to_contain_text("Logistics")


def test_a_serious_adverse_event_reaches_the_monitors_dashboard_and_mailbox(page: Any) -> None:
    login(page, "clinician@nth")
    page.goto("/patients/")
    page.locator("table a[href^='/patients/']").nth(2).click()
    study_id = page.locator("h1").inner_text().split()[0]
    page.get_by_role("link", name="Report adverse event").click()
    page.get_by_label("Term").fill("Aseptic meningitis")
    page.get_by_label("Onset date").fill("2026-01-05")
    page.get_by_label("CTCAE grade").select_option("3")
    page.get_by_label("Serious: Requires or prolongs hospitalisation").check()
    page.get_by_label("Relatedness").select_option(index=1)
    page.get_by_label("Action").select_option(index=1)
    page.get_by_label("Outcome").select_option("recovering")
    shot(page, "adverse-event")
    page.get_by_role("button", name="Report").click()
    expect(page.locator("h1")).to_contain_text(study_id)
    expect(page.locator(".messages")).to_contain_text("monitors are notified")
    expect(page.locator(".timeline")).to_contain_text("Serious adverse event: Aseptic meningitis")

    assert deliver_due().sent >= 1  # the worker's job: the save only wrote the outbox
    assert any(study_id in m.subject and "monitor@nth" in m.to for m in mail.outbox)
    page.get_by_role("button", name="Sign out").click()
    login(page, "monitor@nth")
    page.goto("/dashboard/")
    serious = page.locator("#serious-NTH")
    expect(serious).to_contain_text("Aseptic meningitis")
    expect(serious).to_contain_text(study_id)
    shot(page, "monitor-dashboard")


def test_a_patient_completes_a_questionnaire_in_the_portal(page: Any) -> None:
    login(page, "patient@nth")
    expect(page).to_have_url(re.compile("/portal/$"))  # signing in lands on the portal
    expect(page.locator("h1")).to_contain_text("My CordTrack")
    shot(page, "portal")
    page.get_by_role("link", name="Pain intensity numeric rating scale").click()
    page.get_by_role("button", name="Send").click()  # nothing chosen: refused, stays here
    expect(page.locator(".errorlist").first).to_be_visible()
    page.locator("select").first.select_option("3")
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".messages")).to_contain_text("Thank you")
    expect(page.get_by_role("link", name="Pain intensity numeric rating scale")).to_have_count(0)
    page.goto("/dashboard/")  # a staff page: back to the portal
    expect(page).to_have_url(re.compile("/portal/$"))
    page.get_by_role("link", name="My record").click()
    expect(page.locator("h1")).to_contain_text("NTH-")
    expect(page.get_by_role("heading", name="Inquiries")).to_have_count(0)
    page.get_by_role("link", name="Two-factor").click()
    expect(page.get_by_role("heading", name="Set up two-factor sign-in")).to_be_visible()


def test_a_second_sites_user_is_refused_the_same_pages(page: Any) -> None:
    login(page, "clinician@nth")
    page.goto("/patients/?q=completed")  # a patient with a year of follow-up
    page.locator("table a[href^='/patients/']").first.click()
    patient_url = page.url
    page.get_by_role("link", name="Progress charts").click()
    expect(page.locator("[data-chart=uems]")).to_be_visible()
    shot(page, "progress")
    progress_url = page.url
    page.get_by_role("button", name="Sign out").click()

    login(page, "clinician@sth")
    for url in (patient_url, progress_url, patient_url + "exams/new/"):
        response = page.goto(url)
        assert response is not None
        assert response.status == 404, url
    page.goto("/patients/")
    expect(page.locator("body")).not_to_contain_text("NTH-")
