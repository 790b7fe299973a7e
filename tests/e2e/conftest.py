"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

The live server runs on the test database with the demo data loaded afresh for each test (the
live server needs a transactional database, which is emptied after every test). Screenshots of
the key pages are kept in ``var/screenshots/``; ``make screenshots`` copies them to
``docs/screenshots/`` for the README.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import sync_playwright

# Playwright's sync API runs an event loop in this thread; the ORM calls made here by the
# fixtures are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("CORDTRACK_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "var" / "screenshots"
PASSWORD = "cordtrack-demo"
TIMEOUT_MS = 15_000


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists() or shutil.which(str(CHROMIUM)) is None:
        message = f"{CHROMIUM} is missing: `make test` installs Debian's chromium"
        if os.environ.get("CI"):  # never a silent skip on CI, where the Makefile installs it
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as pw:
        launched = pw.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield launched
        launched.close()


@pytest.fixture
def demo(transactional_db: None, settings: Any) -> dict[str, int]:
    """The demo sites, users (password ``cordtrack-demo``) and journey patients. The browser tests
    drive the journey pages; the treated cohort that `make run` adds is left out here (it would
    add seconds to every test) and is tested in tests/server (test_demo, test_demo_cohort)."""
    from cordtrack.server import demo as demo_data

    settings.DEMO_MODE = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return demo_data.load(cohort_per_site=0)


@contextmanager
def tab(browser: Any, base_url: str, **options: Any) -> Iterator[Any]:
    """A page in a fresh browser context (no cookies; ``options`` as Playwright's
    ``new_context``: viewport, locale), closed on leaving; a JavaScript error on any page it
    opened fails the test."""
    options.setdefault("viewport", {"width": 1280, "height": 860})
    context = browser.new_context(base_url=base_url, **options)
    context.set_default_timeout(TIMEOUT_MS)
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        yield opened
    finally:
        context.close()
    assert not errors, f"JavaScript errors: {errors}"


@pytest.fixture
def page(browser: Any, live_server: Any, demo: dict[str, int]) -> Iterator[Any]:
    """A fresh browser context (no cookies) on a tablet-to-laptop sized screen."""
    with tab(browser, live_server.url) as opened:
        yield opened


def login(page: Any, username: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_selector("header .who")


def shot(page: Any, name: str, *, full_page: bool = False) -> Path:
    """Keep a screenshot of the current page as ``var/screenshots/<name>.png``."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
