"""The public "what to expect" page in a browser: no sign-in, no cookie, sources one click away."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import shot, tab


@pytest.fixture
def public(browser: Any, live_server: Any, transactional_db: None) -> Iterator[Any]:
    """A fresh browser context (no cookies) on an empty registry: the page needs no data."""
    with tab(browser, live_server.url, viewport={"width": 1100, "height": 900}) as opened:
        yield opened


def test_a_person_fills_the_form_and_reads_what_usually_happens(public: Any) -> None:
    page = public
    page.goto("/expect/")
    page.get_by_label("Level of injury").select_option("T6")
    page.get_by_label("A: no feeling and no movement").check()
    page.get_by_label("Days since the injury").fill("30")
    page.get_by_role("button", name="Show what to expect").click()

    expect(page.locator(".headline").first).to_contain_text("About 27.8 in 100 people")
    assert "level=T6" in page.url
    assert "ais=A" in page.url
    assert "days=30" in page.url
    source = page.locator(".headline + p a").first
    assert source.get_attribute("href") == "https://doi.org/10.1016/j.apmr.2016.02.012"
    expect(page.get_by_text("not advice and not a prediction for you")).to_be_visible()
    expect(page.get_by_role("link", name="Print as PDF")).to_be_visible()
    assert page.context.cookies() == []
    shot(page, "expect", full_page=True)


def test_bad_inputs_are_named_next_to_their_field(public: Any) -> None:
    page = public
    page.goto("/expect/?level=Q9&ais=A&days=-1")
    expect(page.get_by_text("Q9 is not a level of injury")).to_be_visible()
    expect(page.get_by_text("The number of days cannot be negative.")).to_be_visible()
    assert page.context.cookies() == []
