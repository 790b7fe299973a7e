"""Randomising from the patient page: a coordinator signs the randomisation of an eligible,
consented patient with their password; it is final (no form afterwards), shows its signature,
and a data manager is offered no button."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from .conftest import PASSWORD, login, shot


def test_a_coordinator_randomises_a_waiting_patient_with_a_signature(page: Any) -> None:
    from cordtrack.server.intake.models import Randomisation
    from cordtrack.server.patients.models import Patient

    waiting = Patient.objects.filter(
        site__code="NTH", consent_status="consented", screenings__decision="eligible",
        screenings__protocol__code="CT-MSC-RCT", randomisations__isnull=True,
    ).distinct().first()  # fmt: skip
    assert waiting is not None

    login(page, "data_manager@nth")
    page.goto(f"/patients/{waiting.pk}/")
    section = page.locator("#randomisation")
    expect(section).to_contain_text("only a clinician or coordinator")
    expect(section.get_by_role("button", name="Sign and randomise")).to_have_count(0)
    page.get_by_role("button", name="Sign out").click()

    login(page, "coordinator@nth")
    page.goto(f"/patients/{waiting.pk}/")
    section = page.locator("#randomisation")
    section.get_by_label("Password").fill("not my password")
    section.get_by_role("button", name="Sign and randomise").click()
    expect(page.locator(".messages")).to_contain_text("password: is not correct")
    assert not Randomisation.objects.filter(patient=waiting).exists()

    section = page.locator("#randomisation")
    section.get_by_label("Password").fill(PASSWORD)
    section.get_by_role("button", name="Sign and randomise").click()
    made = Randomisation.objects.get(patient=waiting)
    expect(page.locator(".messages")).to_contain_text(
        f"Randomised (signed): {waiting.study_id} is allocated to {made.arm}"
    )
    section = page.locator("#randomisation")
    expect(section.locator("[data-arm]")).to_have_text(made.arm)
    expect(section).to_contain_text("cannot be undone")
    expect(section).to_contain_text("Authored")
    expect(section.get_by_role("button", name="Sign and randomise")).to_have_count(0)
    shot(page, "randomised")
