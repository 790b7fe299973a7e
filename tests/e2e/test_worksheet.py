"""A clinician enters a complete exam by keyboard, reads its classification and signs it."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from cordtrack.isncsci.types import KEY_MUSCLE_LEVELS, SENSORY_LEVELS, Modality, Side, flat_key

from .conftest import PASSWORD, login, shot

#: The worksheet's columns in tab order within a row (right motor, LT, PP; left LT, PP, motor).
COLUMNS = (
    (Side.RIGHT, Modality.MOTOR), (Side.RIGHT, Modality.TOUCH), (Side.RIGHT, Modality.PRICK),
    (Side.LEFT, Modality.TOUCH), (Side.LEFT, Modality.PRICK), (Side.LEFT, Modality.MOTOR),
)  # fmt: skip


def t6_complete(level: str, modality: Modality) -> str:
    """Normal down to T6, nothing below: a complete injury (AIS A) with NLI T6."""
    below = SENSORY_LEVELS.index(level) > SENSORY_LEVELS.index("T6")
    if modality is Modality.MOTOR:
        return "0" if below else "5"
    return "0" if below else "2"


def keystrokes() -> list[str]:
    """Every cell's value in the order Tab visits them, then VAC, DAP and the non-key fields."""
    values = []
    for level in SENSORY_LEVELS:
        for _side, modality in COLUMNS:
            if modality is Modality.MOTOR and level not in KEY_MUSCLE_LEVELS:
                continue
            values.append(t6_complete(level, modality))
    return [*values, "No", "No", "", ""]


def open_first_patient(page: Any) -> None:
    page.goto("/patients/")
    page.locator("table a[href^='/patients/']").first.click()
    page.wait_for_selector("h1")


def test_a_complete_exam_entered_by_keyboard_is_classified_explained_and_signed(
    page: Any,
) -> None:
    login(page, "clinician@nth")
    open_first_patient(page)
    expect(page.locator("h1")).to_contain_text("NTH-")
    shot(page, "patient")
    page.get_by_role("link", name="Record exam").click()
    first = page.locator(f"[name={flat_key('C2', Side.RIGHT, Modality.TOUCH)}]")
    first.click()

    for value in keystrokes():
        if value:
            page.keyboard.type(value)
        page.keyboard.press("Tab")

    expect(page.locator('[data-result="asiaImpairmentScale"]')).to_have_text("A")
    expect(page.locator('[data-result="neurologicalLevelOfInjury"]')).to_have_text("T6")
    expect(page.locator('[data-result="upperMotorTotal"]')).to_have_text("50")
    expect(page.locator("#explain")).to_contain_text("T7")
    expect(page.locator('[data-dermatome="T8-right"]')).to_have_attribute("data-state", "absent")
    shot(page, "worksheet-full", full_page=True)
    page.locator("h1").scroll_into_view_if_needed()
    shot(page, "worksheet")

    page.get_by_role("button", name="Save draft").click()
    expect(page.locator("[data-signed]")).to_contain_text("Draft")
    page.get_by_label("Password").fill("not-my-password")
    page.get_by_role("button", name="Sign exam").click()
    expect(page.locator('.field-error[data-field="password"]')).to_contain_text(
        "Password is not correct: nothing was signed"
    )
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign exam").click()
    expect(page.locator("[data-signed]")).to_contain_text("Signed and locked")
    signature = page.locator('#signatures [data-meaning="authored"]')
    expect(signature).to_have_attribute("data-state", "valid")
    expect(signature).to_contain_text("Clinician North")
    expect(page.locator(".history")).to_contain_text(re.compile("Sign", re.IGNORECASE))
    shot(page, "exam-signed")


def test_arrow_keys_and_fill_helpers_move_and_fill_the_grid_on_a_tablet(page: Any) -> None:
    page.set_viewport_size({"width": 820, "height": 1180})  # a tablet, portrait
    login(page, "clinician@nth")
    open_first_patient(page)
    page.get_by_role("link", name="Record exam").click()
    page.get_by_label("Normal down to level").select_option("S4_5")
    page.get_by_role("button", name="Fill normal").click()
    expect(page.locator("[data-status=incomplete]")).to_contain_text("2 cells")
    start = page.locator("[name=t7RightTouch]")
    start.click()
    page.keyboard.type("0")
    page.keyboard.press("Control+d")
    expect(page.locator("[name=s4_5RightTouch]")).to_have_value("0")
    page.keyboard.press("ArrowRight")
    expect(page.locator("[name=t7RightPrick]")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(page.locator("[name=t8RightPrick]")).to_be_focused()
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    expect(page.locator("[name=t8RightTouch]")).to_be_focused()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the worksheet overflows a tablet screen by {overflow}px"


def test_values_typed_but_not_saved_can_be_restored_after_leaving_the_page(page: Any) -> None:
    login(page, "clinician@nth")
    open_first_patient(page)
    page.get_by_role("link", name="Record exam").click()
    exam_url = page.url
    page.locator("[name=c5RightMotor]").fill("3")
    page.locator("[name=c6RightMotor]").fill("2")
    page.goto("/dashboard/")
    page.goto(exam_url)
    expect(page.locator("[name=c5RightMotor]")).to_have_value("")
    page.get_by_role("button", name="Restore the values typed earlier").click()
    expect(page.locator("[name=c5RightMotor]")).to_have_value("3")
    expect(page.locator("[name=c6RightMotor]")).to_have_value("2")
