"""Consent steps shared by the browser tests: a new consent version the demo patients have not
signed yet, so the re-consent banner, the signing pages and the worklist have something to show;
a coordinator recording a patient's withdrawal from further data use."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from cordtrack.server.consent.models import ConsentDocument

from .conftest import PASSWORD

NEW_VERSION = "2.2"
NEW_TEXT = {
    "en": "New in 2.2: your samples may be kept for ten years.",
    "ar": "الجديد في 2.2: قد تُحفظ عيّناتك عشر سنوات.",
}


def publish_new_version(languages: tuple[str, ...] = ("en",)) -> list[ConsentDocument]:
    """The program publishes consent 2.2 of the demo protocol (each language from its 2.1 text,
    with one new paragraph), as the North data manager."""
    from cordtrack.server.accounts.models import User
    from cordtrack.server.consent.demo import DATA
    from cordtrack.server.services import consent_documents
    from cordtrack.server.services.protocols import parse_document

    manager = User.objects.get(username="data_manager@nth")
    published = []
    for language in languages:
        path = DATA / f"ct-msc-it-2.1-{language}.yaml"
        data = parse_document(path.read_text(encoding="utf-8"))
        data["version"] = NEW_VERSION
        data["text"] += "\n" + NEW_TEXT[language]
        published.append(consent_documents.publish(manager, data))
    return published


def withdraw_from_data_use(page: Any, patient_pk: int) -> None:
    """A coordinator of the patient's site, signed in, records on the patient's page that the
    patient withdrew from further use of their data (signed with the password) and sees it."""
    page.goto(f"/patients/{patient_pk}/")
    page.get_by_role("link", name="record a withdrawal").click()
    page.get_by_label("Withdraw from further use of my data").check()
    page.get_by_label("Reason").fill("Participant asked, by telephone, to stop all data use")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign the withdrawal").click()
    expect(page.locator("[data-consent-state]")).to_contain_text(
        "withdrawn: withdraw from further data use"
    )
