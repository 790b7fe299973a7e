"""Arabic, right to left, in Chromium (issue 17 item 1, ADR 0043): ``patient@sth`` (who prefers
Arabic in the demo) signs in from an English browser and gets every page of theirs in Arabic,
laid out right to left, with no axe-core WCAG 2.1 AA violation and no sideways overflow at
375 px; the footer's language link switches the account to English."""

from __future__ import annotations

from typing import Any

from cordtrack.server.accounts.models import User
from cordtrack.server.followup.models import Visit

from .conftest import login
from .screens import (
    AXE,
    LAPTOP,
    PHONE,
    WALK_TIMEOUT_MS,
    axe_violations,
    describe_violations,
    overflow,
)


def _own_pages(username: str) -> list[str]:
    own = User.objects.get(username=username).patient_record
    visit = Visit.objects.filter(patient=own).order_by("target_day").first()
    exam = own.exams.signed().order_by("pk").first()
    pages = ["/portal/", "/portal/questionnaires/pain_nrs/", "/portal/reminders/",
             "/portal/consent/", "/language/", f"/patients/{own.pk}/",
             f"/patients/{own.pk}/progress/", f"/reports/patients/{own.pk}/"]  # fmt: skip
    pages += [f"/visits/{visit.pk}/"] if visit else []
    pages += [f"/exams/{exam.pk}/"] if exam else []
    return pages


def test_an_arabic_patients_pages_are_right_to_left_accessible_and_fit_a_phone(
    page: Any,
) -> None:
    page.context.set_default_timeout(WALK_TIMEOUT_MS)
    page.add_init_script(path=str(AXE))  # outside the page's CSP, as test_accessibility does
    login(page, "patient@sth")  # the sign-in page follows the (English) browser
    html = page.locator("html")
    assert (html.get_attribute("lang"), html.get_attribute("dir")) == ("ar", "rtl")
    assert page.get_by_role("heading", name="قبل زيارتك القادمة").is_visible()
    problems = []
    for url in _own_pages("patient@sth"):
        for label, viewport in (("laptop", LAPTOP), ("phone", PHONE)):
            page.set_viewport_size(viewport)
            response = page.goto(url)
            assert response is not None, url
            assert response.status == 200, url
            assert page.locator("html").get_attribute("dir") == "rtl", url
            violations = axe_violations(page)
            if violations:
                problems.append(describe_violations(f"{url} ({label})", violations))
            if label == "phone" and (why := overflow(page)):
                problems.append(f"{url} at 375 px: {why}")
    assert not problems, "\n".join(problems)


def test_the_footer_link_switches_the_account_to_english(page: Any) -> None:
    login(page, "patient@sth")
    page.locator("footer a.languages").click()
    page.get_by_label("English").check()
    page.get_by_role("button", name="حفظ").click()  # "Save", in the language still active
    page.wait_for_url("**/portal/")
    html = page.locator("html")
    assert (html.get_attribute("lang"), html.get_attribute("dir")) == ("en", "ltr")
    assert page.get_by_role("heading", name="Before your next visit").is_visible()
    assert User.objects.get(username="patient@sth").preferred_language == "en"
