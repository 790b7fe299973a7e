"""WCAG 2.1 AA on patient pages, the public pages and the exam worksheet (issue 17 item 6, ADR
0048): axe-core (vendored, tests/e2e/vendor/axe-core) reports no violation of its WCAG 2.0/2.1
A and AA rules on each page, on a laptop and on a 375 px phone; a patient signs in and answers a
sent questionnaire with the keyboard only, every focused control visibly marked."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from playwright.sync_api import expect

from cordtrack.server.accounts.models import User

from .conftest import PASSWORD, login
from .consents import NEW_VERSION, publish_new_version
from .screens import (
    AXE,
    VENDOR,
    WALK_TIMEOUT_MS,
    axe_at_both_widths,
    axe_file_ok,
    axe_violations,
    note_violations,
)


def _own(username: str) -> int:
    return int(User.objects.get(username=username).patient_record.pk)


def _first_north_patient(_: str) -> int:
    from cordtrack.server.patients.models import Patient

    return int(Patient.objects.filter(site__code="NTH").order_by("pk").values_list("pk")[0][0])


#: (name, who signs in (None: nobody), the URL given the demo) of every page checked.
PAGES: list[tuple[str, str | None, Callable[[], str]]] = [
    ("login", None, lambda: "/accounts/login/"),
    ("public inquiry", None, lambda: "/inquire/"),
    ("what to expect", None, lambda: "/expect/"),
    ("portal", "patient@nth", lambda: "/portal/"),
    ("questionnaire", "patient@nth", lambda: "/portal/questionnaires/pain_nrs/"),
    ("portal reminders", "patient@nth", lambda: "/portal/reminders/"),
    ("own record", "patient@nth", lambda: f"/patients/{_own('patient@nth')}/"),
    ("progress", "patient@nth", lambda: f"/patients/{_own('patient@nth')}/progress/"),
    ("outcomes report", "patient@nth", lambda: f"/reports/patients/{_own('patient@nth')}/"),
    ("exam worksheet", "clinician@nth",
     lambda: f"/patients/{_first_north_patient('')}/exams/new/"),
]  # fmt: skip


def test_axe_finds_no_wcag_aa_violation_on_patient_and_public_pages_and_the_worksheet(
    page: Any,
) -> None:
    """One walk (the demo loads once): every page on a laptop and on a phone, and the
    questionnaire showing its errors."""
    page.context.set_default_timeout(WALK_TIMEOUT_MS)
    page.add_init_script(path=str(AXE))  # outside the page's CSP, as an extension would be
    problems = []
    for who in dict.fromkeys(p[1] for p in PAGES):
        if who:
            login(page, who)
        for name, _who, url in (p for p in PAGES if p[1] == who):
            axe_at_both_widths(page, name, url(), problems)
        if who:
            page.get_by_role("button", name="Sign out").click()
    login(page, "patient@nth")
    page.goto("/portal/questionnaires/pain_nrs/")
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".errorlist").first).to_be_visible()
    note_violations(page, "questionnaire with errors", problems)
    assert not problems, "\n".join(problems)


FOCUS_JS = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const s = getComputedStyle(el);
    const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
    const shadow = s.boxShadow && s.boxShadow !== 'none';
    const r = el.getBoundingClientRect();
    return {tag: el.tagName.toLowerCase(), name: el.getAttribute('name') || '',
            href: el.getAttribute('href') || '', text: (el.innerText || '').trim().slice(0, 60),
            marked: Boolean(outline || shadow), shown: r.width > 0 && r.height > 0};
}"""


def _tab_to(
    page: Any, found: Callable[[dict[str, Any]], bool], limit: int = 40, *, here: bool = False
) -> list[str]:
    """Press Tab until ``found`` holds for the focused element; every stop on the way must show
    a visible focus indicator. Returns the stops (for the failure message)."""
    stops: list[str] = []
    already = page.evaluate(FOCUS_JS)
    if here and already is not None and found(already):  # e.g. a field with autofocus
        return stops
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUS_JS)
        assert focused is not None, f"focus left the page after {stops}"
        stops.append(f"{focused['tag']} {focused['name'] or focused['href'] or focused['text']}")
        assert focused["shown"], f"focused but not on screen: {stops[-1]}"
        assert focused["marked"], f"no visible focus indicator on {stops[-1]}"
        if found(focused):
            return stops
    raise AssertionError(f"not reached in {limit} Tab presses: {stops}")


def test_a_patient_signs_in_and_answers_a_questionnaire_with_the_keyboard_only(
    page: Any,
) -> None:
    page.context.set_default_timeout(WALK_TIMEOUT_MS)
    page.goto("/accounts/login/")
    _tab_to(page, lambda f: f["name"] == "username", here=True)  # the field has autofocus
    page.keyboard.type("patient@nth")
    _tab_to(page, lambda f: f["name"] == "password")
    page.keyboard.type("cordtrack-demo")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("/portal/$"))
    page.keyboard.press("Tab")  # the first stop skips the header to the page's content
    skip = page.evaluate(FOCUS_JS)
    assert skip["href"] == "#content"
    assert skip["marked"]
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "content"

    _tab_to(page, lambda f: f["href"].startswith("/portal/questionnaires/"))
    page.keyboard.press("Enter")
    expect(page.locator("form.questionnaire")).to_be_visible()
    title = page.locator("h1").inner_text()

    answered = 0
    while True:
        stops = _tab_to(page, lambda f: f["tag"] == "select" or f["text"] == "Send")
        if not stops[-1].startswith("select"):
            break
        page.keyboard.press("ArrowDown")  # the first answer (the list starts on "—")
        answered += 1
    assert answered >= 1
    page.keyboard.press("Enter")

    expect(page.locator(".messages")).to_contain_text("Thank you")
    expect(page.get_by_role("link", name=title)).to_have_count(0)


def _clinic_patient() -> int:
    """The North patient whose consent the coordinator takes in clinic (the one with a portal
    account: they signed 2.1 and are asked to re-consent once 2.2 is published)."""
    return _own("patient@nth")


#: The consent pages (issue 17 item 2) with a new version to sign: who opens each, and its URL.
CONSENT_PAGES: list[tuple[str, str, Callable[[], str]]] = [
    ("portal with the re-consent banner", "patient@nth", lambda: "/portal/"),
    ("own consent", "patient@nth", lambda: "/portal/consent/"),
    ("consent to read and sign", "patient@nth", lambda: "/portal/consent/sign/"),
    ("consent in Arabic", "patient@nth", lambda: "/portal/consent/sign/?language=ar"),
    ("own withdrawal", "patient@nth", lambda: "/portal/consent/withdraw/"),
    ("re-consent worklist", "coordinator@nth", lambda: "/consent/reconsent/"),
    ("patient's consent status", "coordinator@nth",
     lambda: f"/patients/{_clinic_patient()}/consent/"),
    ("signing in clinic", "coordinator@nth",
     lambda: f"/patients/{_clinic_patient()}/consent/sign/"),
    ("signing in clinic with a witness", "coordinator@nth",
     lambda: f"/patients/{_clinic_patient()}/consent/sign/?protocol=CT-MSC-RCT"),
    ("withdrawal by staff", "coordinator@nth",
     lambda: f"/patients/{_clinic_patient()}/consent/withdraw/"),
]  # fmt: skip

#: The forms among them, sent empty: each shows its field errors (which axe checks too).
CONSENT_FORMS: dict[str, str] = {
    "consent to read and sign": "Sign the consent",
    "signing in clinic with a witness": "Sign the consent",
    "own withdrawal": "Sign the withdrawal",
    "withdrawal by staff": "Sign the withdrawal",
}


def test_axe_finds_no_wcag_aa_violation_on_the_consent_pages(page: Any) -> None:
    """Reading, the comprehension check and signing (portal, and in clinic with a witness),
    withdrawing, the worklist: on a laptop and a phone, and each form showing its errors."""
    publish_new_version(("en", "ar"))
    page.context.set_default_timeout(WALK_TIMEOUT_MS)
    page.add_init_script(path=str(AXE))
    problems = []
    for who in dict.fromkeys(p[1] for p in CONSENT_PAGES):
        login(page, who)
        for name, _who, url in (p for p in CONSENT_PAGES if p[1] == who):
            axe_at_both_widths(page, name, url(), problems)
            if name in CONSENT_FORMS:
                page.get_by_role("button", name=CONSENT_FORMS[name]).click()
                expect(page.locator(".errorlist").first).to_be_visible()
                note_violations(page, f"{name} with errors", problems)
        page.get_by_role("button", name="Sign out").click()
    assert not problems, "\n".join(problems)


def _choose(page: Any, index: int) -> None:
    """In a radio group just reached with Tab (nothing chosen yet, focus on its first button):
    choose the ``index``-th button with the keyboard, as a screen-reader user would."""
    if index == 0:
        page.keyboard.press("Space")
    for _ in range(index):
        page.keyboard.press("ArrowDown")  # moves to the next button and chooses it


def test_a_patient_reads_checks_and_signs_a_new_consent_with_the_keyboard_only(
    page: Any,
) -> None:
    from cordtrack.server.consent.models import Consent

    (document,) = publish_new_version()
    page.context.set_default_timeout(WALK_TIMEOUT_MS)
    login(page, "patient@nth")
    page.goto("/portal/")
    _tab_to(page, lambda f: f["href"].endswith("/portal/consent/sign/"))
    page.keyboard.press("Enter")
    expect(page.locator("article.consent-text")).to_contain_text("New in 2.2")

    for question in document.questions:
        stops = _tab_to(page, lambda f: f["tag"] == "input" and f["name"].startswith("q"))
        assert stops, "every question is a Tab stop"
        _choose(page, question["answer"])
    _tab_to(page, lambda f: f["name"] == "password")
    page.keyboard.type(PASSWORD)
    _tab_to(page, lambda f: f["text"] == "Sign the consent")
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile("/portal/consent/$"))
    expect(page.locator("[data-consent=valid]")).to_contain_text(f"version {NEW_VERSION}")
    signed = Consent.objects.get(document=document)
    assert signed.comprehension_attempts == 1
    _tab_to(page, lambda f: f["text"] == "Download PDF")


def test_axe_catches_a_broken_page(browser: Any) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.set_content(
        "<!doctype html><html><head><title>broken</title></head><body><main>"
        '<img src="x.png"><input type="text" name="q">'
        '<p style="color:#bbb;background:#fff">faint text</p>'
        '<a href="/x"></a></main></body></html>'
    )
    found = {v["id"] for v in axe_violations(page)}
    context.close()
    assert {"image-alt", "label", "color-contrast", "link-name", "html-has-lang"} <= found


def test_the_vendored_axe_is_the_pinned_release() -> None:
    assert axe_file_ok(), f"{AXE} differs from axe-core 4.14.1 (vendor/axe-core/README.md)"
    assert AXE.read_text(encoding="utf-8")[:40].startswith("/*! axe v4.14.1")
    licence = (VENDOR / "LICENSE").read_text(encoding="utf-8")
    assert "Mozilla Public License, version 2.0" in licence
    assert "axe-core@4.14.1" in (VENDOR / "README.md").read_text(encoding="utf-8")
