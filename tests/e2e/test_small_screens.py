"""No page overflows sideways on a 375 px phone (issue 17 item 6, ADR 0048): every page of the
route tables the read-audit walk uses (tests/server/test_read_audit.py: every named route, so a
new page is walked as soon as it is classified there), every admin page, the patient's own pages
and the public pages, opened in Chromium at 375 px, with a new consent version published so the
consent pages show their forms and the re-consent worklist its rows. A page fits when the
document is no wider than the viewport; wide tables scroll inside their own box, never the page,
and the page may not hide its overflow (that cuts content off)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from cordtrack.server.accounts.models import User
from cordtrack.server.followup.models import Visit
from server.test_read_audit import (
    _PLAIN,
    NO_PATIENT_DATA,
    PATIENT,
    PATIENT_DATA,
    SITE_ADMIN,
    STAFF,
    WRITE,
    Demo,
    _admin_routes,
    demo_records,
)

from .conftest import PASSWORD
from .consents import publish_new_version
from .screens import PHONE, WALK_TIMEOUT_MS, overflow

SUPERUSER = "superuser"

#: Answers that are not pages (files, JSON); the walk opens HTML only.
NOT_A_PAGE = ("api-v1:", "reports:progress", "reports:cohort-pdf", "reports:safety-pdf",
              "document-download", "document-preview", "expect:pdf", "travel-letter")  # fmt: skip


def _is_page(name: str) -> bool:
    return not name.startswith(NOT_A_PAGE)


def pages(d: Demo) -> Iterator[tuple[str, str, str]]:
    """``(who, route name, url)`` of every page to open, ``who`` the user or "public"."""
    for name, (url_of, who) in sorted(PATIENT_DATA.items()):
        url = url_of(d)
        if url and _is_page(name):
            yield who, name, url
    for name, reason in sorted(NO_PATIENT_DATA.items()):
        if reason == WRITE or "POST only" in reason or name not in _PLAIN or not _is_page(name):
            continue
        who = {"site-members": SITE_ADMIN, "portal-questionnaire": PATIENT}.get(name, STAFF)
        yield who, name, _PLAIN[name]
    for name, (url_of, _who, _model, _view) in sorted(_admin_routes().items()):
        url = url_of(d)
        if url:
            yield SUPERUSER, name, url  # every admin page, whatever a role's permissions
    own = d.patient_user.patient_record
    visit = Visit.objects.filter(patient=own).order_by("target_day").first()
    exam = own.exams.signed().order_by("pk").first()
    for name, url in (
        ("patients:detail", f"/patients/{own.pk}/"),
        ("patient-progress", f"/patients/{own.pk}/progress/"),
        ("reports:patient", f"/reports/patients/{own.pk}/"),
        ("visit-detail", f"/visits/{visit.pk}/" if visit else None),
        ("exam-detail", f"/exams/{exam.pk}/" if exam else None),
        ("otp-setup", "/accounts/otp/setup/"),
        # With a new consent version published (the test does): reading and signing it, in
        # English and in Arabic (right to left), and withdrawing.
        ("consent:portal-sign", "/portal/consent/sign/"),
        ("consent:portal-sign ar", "/portal/consent/sign/?language=ar"),
        ("consent:portal-withdraw", "/portal/consent/withdraw/"),
    ):
        if url:
            yield PATIENT, f"own {name}", url
    yield STAFF, "consent:reconsent", "/consent/reconsent/"  # the patient above is listed
    witnessed = f"/patients/{own.pk}/consent/sign/?protocol=CT-MSC-RCT"
    yield STAFF, "consent:clinic-sign witness", witnessed
    for name, url in (("login", "/accounts/login/"), ("inquire", "/inquire/"),
                      ("expect:page", "/expect/")):  # fmt: skip
        yield "public", name, url


def _signed_in(browser: Any, base_url: str, username: str | None) -> Any:
    context = browser.new_context(viewport=PHONE, base_url=base_url, is_mobile=True)
    context.set_default_timeout(WALK_TIMEOUT_MS)
    tab = context.new_page()
    if username:
        tab.goto("/accounts/login/")
        tab.get_by_label("Username").fill(username)
        tab.get_by_label("Password").fill(PASSWORD)
        tab.get_by_role("button", name="Sign in", exact=True).click()
        tab.wait_for_selector("header .who")
    return tab


def test_no_page_overflows_sideways_at_375_px(browser: Any, live_server: Any, demo: Any) -> None:
    d = demo_records()
    publish_new_version(("en", "ar"))
    User.objects.create_superuser("root@test", password=PASSWORD)
    users = {STAFF: d.staff.username, SITE_ADMIN: d.site_admin.username, SUPERUSER: "root@test",
             PATIENT: d.patient_user.username, "public": None}  # fmt: skip
    tabs = {who: _signed_in(browser, live_server.url, name) for who, name in users.items()}
    problems, opened = [], 0
    try:
        for who, name, url in pages(d):
            tab = tabs[who]
            response = tab.goto(url)
            status = response.status if response else None
            kind = response.headers.get("content-type", "") if response else ""
            if status == 403 and name.startswith("admin:"):
                continue  # an admin page closed to everyone (records change through services)
            if status != 200 or not kind.startswith("text/html"):
                problems.append(f"{name} {url} ({who}): answered {status} {kind}")
                continue
            opened += 1
            why = overflow(tab)
            if why:
                problems.append(f"{name} {url} ({who}): {why}")
    finally:
        for tab in tabs.values():
            tab.context.close()
    assert opened > 100, f"only {opened} pages opened"
    assert not problems, f"{len(problems)} of the pages do not fit 375 px:\n" + "\n".join(problems)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('<main><div style="width:600px">wide</div></main>', "div"),
        ("<table><tr>" + "<td>column&nbsp;of&nbsp;text</td>" * 8 + "</tr></table>", "table"),
        ('<style>body{overflow-x:hidden}</style><div style="width:600px">cut</div>', "hidden"),
    ],
    ids=["wide-box", "wide-table", "hidden-overflow"],
)
def test_the_checker_catches_a_page_that_does_not_fit(
    browser: Any, body: str, expected: str
) -> None:
    context = browser.new_context(viewport=PHONE)
    tab = context.new_page()
    try:
        tab.set_content(f'<!doctype html><meta name="viewport" content="width=device-width">{body}')
        why = overflow(tab)
        assert why is not None
        assert expected in why
        fitting = '<!doctype html><meta name="viewport" content="width=device-width"><p>fits</p>'
        tab.set_content(fitting)
        assert overflow(tab) is None
    finally:
        context.close()
