"""Protocols as versioned data, in the browser: a data manager drafts a new version of the
demo protocol, sees its difference from the active one and activates it with a reason and their
password; screening then applies the new criteria while the earlier screening keeps its own."""

from __future__ import annotations

import json
from typing import Any

from playwright.sync_api import expect

from .conftest import PASSWORD, login, shot


def test_a_data_manager_drafts_diffs_and_activates_a_version_that_screening_then_applies(
    page: Any,
) -> None:
    from cordtrack.server.intake.models import EligibilityScreening, Protocol
    from cordtrack.server.signatures.models import Signature

    earlier = EligibilityScreening.objects.filter(
        patient__site__code="NTH", protocol__code="CT-MSC-IT"
    ).first()
    assert earlier is not None
    login(page, "data_manager@nth")
    page.get_by_role("link", name="Protocols").click()
    page.get_by_role("link", name="CT-MSC-IT", exact=True).click()
    page.get_by_role("link", name="Draft a new version").click()
    editor = page.get_by_label("Document")
    document = json.loads(editor.input_value())
    assert document["version"] == "2"
    completeness = next(c for c in document["criteria"] if c["code"] == "completeness")
    completeness["params"]["grades"] = ["A", "B", "C", "D"]
    completeness["description"] = "AIS A, B, C or D"
    editor.fill(json.dumps(document, indent=2))
    page.get_by_role("button", name="Save draft").click()

    expect(page.locator("h1")).to_contain_text("CT-MSC-IT v2")
    expect(page.locator("h1 [data-status]")).to_have_text("Draft")
    diff = page.locator("table[data-list=protocol-diff]")
    expect(diff).to_contain_text("criteria[completeness].params.grades")
    expect(diff).to_contain_text("criteria[completeness].description")
    shot(page, "protocol-diff")
    page.get_by_label("Reason").fill("Extend to motor-incomplete AIS D (amendment 2)")
    page.get_by_label("Password (signature)").fill("not my password")
    page.get_by_role("button", name="Sign and activate").click()
    expect(page.locator(".messages")).to_contain_text("password: is not correct")
    expect(page.locator("h1 [data-status]")).to_have_text("Draft")
    signed = Signature.objects.filter(model="intake.protocol", meaning="approved")
    assert not signed.exists()  # a wrong password signs nothing
    page.get_by_label("Reason").fill("Extend to motor-incomplete AIS D (amendment 2)")
    page.get_by_label("Password (signature)").fill(PASSWORD)
    page.get_by_role("button", name="Sign and activate").click()
    expect(page.locator(".messages")).to_contain_text("now the active version of CT-MSC-IT")
    expect(page.locator("h1 [data-status]")).to_have_text("Active")
    # Recorded as a Signature like every other sign-off (ADR 0042), by the data manager.
    (signature,) = signed
    assert signature.signer.username == "data_manager@nth"
    assert signature.object_id == str(Protocol.objects.get(code="CT-MSC-IT", version="2").pk)
    page.get_by_role("button", name="Sign out").click()

    login(page, "clinician@nth")
    page.goto(f"/patients/{earlier.patient_id}/screening/new/")
    options = page.locator("#id_protocol option").all_inner_texts()
    assert "CT-MSC-IT v2" in options
    assert "CT-MSC-IT v1" not in options  # retired: no new screening against it
    page.get_by_label("Protocol").select_option(label="CT-MSC-IT v2")
    for question in ("medically_stable", "active_infection", "malignancy", "pregnancy"):
        answer = "yes" if question == "medically_stable" else "no"
        page.locator(f"input[name={question}][value={answer}]").check()
    page.get_by_role("button", name="Evaluate and record").click()
    screening = page.locator("#screening")
    expect(screening).to_contain_text("CT-MSC-IT v2")
    expect(screening).to_contain_text("AIS A, B, C or D")
    page.goto(f"/patients/{earlier.patient_id}/")
    screenings = page.locator("section.card", has_text="Eligibility screening")
    expect(screenings).to_contain_text("CT-MSC-IT v2")
    expect(screenings).to_contain_text(f"CT-MSC-IT v1 · {earlier.screened_on:%Y-%m-%d}")
    earlier.refresh_from_db()
    assert earlier.protocol.version == "1"
