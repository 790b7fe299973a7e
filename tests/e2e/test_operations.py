"""Running a program day to day, in the browser: a serious adverse event followed from report to
resolution with its regulatory clock on the monitor's dashboard, then closed by the monitor with
a signature so that it leaves the open lists; a data query on an exam cell
answered with a corrected value, closed, the exam verified against source, and the verification
cleared by a later edit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from playwright.sync_api import expect

from .conftest import PASSWORD, login, shot


def sign_out(page: Any) -> None:
    page.get_by_role("button", name="Sign out").click()


def test_a_serious_event_is_due_for_the_monitor_followed_up_resolved_and_closed_with_a_signature(
    page: Any,
) -> None:
    today = dt.date.today()
    login(page, "clinician@nth")
    page.goto("/patients/")
    page.locator("table a[href^='/patients/']").nth(3).click()
    study_id = page.locator("h1").inner_text().split()[0]
    page.get_by_role("link", name="Report adverse event").click()
    page.get_by_label("Term").fill("Arachnoiditis")
    page.get_by_label("Onset date").fill((today - dt.timedelta(days=2)).isoformat())
    page.get_by_label("Site aware on").fill((today - dt.timedelta(days=1)).isoformat())
    page.get_by_label("CTCAE grade").select_option("3")
    page.get_by_label("Serious: Requires or prolongs hospitalisation").check()
    page.get_by_label("Relatedness").select_option("possible")
    page.get_by_label("Action").select_option("none")
    page.get_by_label("Outcome").select_option("recovering")
    page.get_by_role("button", name="Report").click()
    expect(page.locator(".messages")).to_contain_text("monitors are notified")
    sign_out(page)

    login(page, "monitor@nth")
    page.goto("/dashboard/")
    row = page.locator("#serious-NTH tr", has_text="Arachnoiditis")
    expect(row).to_contain_text(study_id)
    expect(row.locator("[data-clock]")).to_have_attribute("data-clock", "due")
    expect(row).to_contain_text((today + dt.timedelta(days=14)).isoformat())  # a SUSAR: 15 days
    shot(page, "monitor-clock")
    sign_out(page)

    login(page, "clinician@nth")
    page.goto("/adverse-events/?status=serious")
    page.get_by_role("row", name="Arachnoiditis").get_by_role("link").first.click()
    expect(page.locator("[data-clock]")).to_have_attribute("data-clock", "due")
    page.locator("[name=fu-status]").select_option("worsening")
    page.get_by_label("CTCAE grade now").select_option("4")
    page.get_by_label("Treatment given").fill("Intravenous methylprednisolone")
    page.locator("[name=fu-outcome]").select_option("not_recovered")
    page.get_by_role("button", name="Record follow-up").click()
    expect(page.locator("#id_fu-reason_error")).to_contain_text("required to change the grade")
    page.get_by_label("Reason for a grade change").fill("Paraparesis worsened")
    page.get_by_role("button", name="Record follow-up").click()
    expect(page.locator("#follow-ups")).to_contain_text("3 → 4 (Paraparesis worsened)")
    page.get_by_label("Initial report made on").fill(today.isoformat())
    page.get_by_role("button", name="Save reporting dates").click()
    expect(page.locator("#clock [data-clock]")).to_have_attribute("data-clock", "met")
    page.locator("[name=fu-status]").select_option("resolved")
    page.locator("[name=fu-outcome]").select_option("sequelae")
    page.get_by_role("button", name="Record follow-up").click()
    expect(page.locator("[data-field=resolution_date]")).to_contain_text(today.isoformat())
    expect(page.locator("h1 [data-ae-status]")).to_contain_text("resolved, open until closed")
    shot(page, "adverse-event-follow-up")
    sign_out(page)

    login(page, "monitor@nth")
    page.goto("/dashboard/")
    row = page.locator("#serious-NTH tr", has_text="Arachnoiditis")
    expect(row.locator("[data-clock]")).to_have_attribute("data-clock", "met")
    expect(row).to_contain_text("resolved")
    row.locator("a[href^='/adverse-events/']").first.click()
    close = page.locator("#close")
    expect(close).to_contain_text("Signed as Monitor North, meaning Reviewed")
    close.get_by_label("Password").fill("not-my-password")
    close.get_by_role("button", name="Close event").click()
    expect(page.locator('#close .field-error[data-field="password"]')).to_contain_text(
        "Password is not correct: nothing was signed"
    )
    expect(page.locator("h1 [data-ae-status]")).to_contain_text("resolved, open until closed")
    page.locator("#close").get_by_label("Password").fill(PASSWORD)
    page.locator("#close").get_by_role("button", name="Close event").click()
    expect(page.locator(".messages")).to_contain_text("Adverse event closed.")
    expect(page.locator("h1 [data-ae-status]")).to_have_attribute("data-ae-status", "closed")
    signature = page.locator('#signatures [data-meaning="reviewed"]')
    expect(signature).to_have_attribute("data-state", "valid")
    expect(signature).to_contain_text("Monitor North")
    expect(page.locator("[data-field=closed]")).to_contain_text("Monitor North (reviewed)")
    shot(page, "adverse-event-closed")
    page.goto("/dashboard/")
    expect(page.locator("#serious-NTH tr", has_text="Arachnoiditis")).to_have_count(0)
    page.goto("/adverse-events/?status=open")
    expect(page.get_by_role("row", name="Arachnoiditis")).to_have_count(0)
    page.goto("/adverse-events/?status=closed")
    expect(page.get_by_role("row", name="Arachnoiditis")).to_have_count(1)


def test_a_query_on_an_exam_cell_is_answered_closed_and_the_exam_verified(page: Any) -> None:
    login(page, "monitor@nth")
    page.goto("/exams/?status=signed")
    page.locator("table.list tbody a[href^='/exams/']").first.click()
    exam_url = page.url
    before = page.locator("td[data-key=c5RightMotor]").inner_text().strip()
    corrected = "4" if before != "4" else "3"
    page.get_by_label("On", exact=True).select_option("c5RightMotor")
    page.get_by_label("Question").fill(f"Source worksheet says {corrected}: please check")
    page.get_by_role("button", name="Raise query").click()
    expect(page.locator("td[data-key=c5RightMotor]")).to_have_class(
        "value has-query"
    )  # flagged on the cell
    shot(page, "exam-query")
    page.goto("/dashboard/")
    expect(page.locator("[data-site=NTH] [data-count=queries]")).to_have_text("1")
    sign_out(page)

    login(page, "clinician@nth")
    page.goto("/queries/")
    page.locator("table.list tbody a[href^='/queries/']").first.click()
    page.get_by_label("Answer").fill("Misread when transcribing")
    page.get_by_label("Corrected value").fill(corrected)
    page.get_by_label("Reason for the correction").fill("transcription error")
    page.get_by_role("button", name="Send answer").click()
    expect(page.locator(".thread")).to_contain_text(f"“{before}” → “{corrected}”")
    expect(page.get_by_role("button", name="Close query")).to_have_count(0)
    sign_out(page)

    login(page, "monitor@nth")
    page.goto("/queries/?status=answered")
    page.locator("table.list tbody a[href^='/queries/']").first.click()
    page.get_by_role("button", name="Close query").click()
    expect(page.locator("h1 [data-query-status]")).to_have_text("Closed")
    page.goto(exam_url)
    expect(page.locator("td[data-key=c5RightMotor]")).to_contain_text(corrected)
    page.get_by_role("button", name="Mark verified against source").click()
    expect(page.locator("[data-sdv]")).to_have_attribute("data-sdv", "verified")
    shot(page, "exam-verified")
    sign_out(page)

    login(page, "clinician@nth")
    page.goto(exam_url)
    page.get_by_role("link", name="Correct values").click()
    page.locator("[name=t2LeftTouch]").fill("1")
    page.get_by_label("Reason").fill("re-examined sensation")
    page.get_by_role("button", name="Correct and reclassify").click()
    expect(page.locator("[data-sdv]")).to_have_attribute("data-sdv", "not-verified")
