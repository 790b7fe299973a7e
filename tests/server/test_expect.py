"""The public "what to expect" page: anonymous, nothing stored or logged, no cookie, clear
errors."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cordtrack.server.audit.models import AuditEntry

pytestmark = pytest.mark.django_db
WRITES = ("insert", "update", "delete")


def _get(client: Client, query: str) -> Any:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/expect/?{query}")
    written = [q["sql"] for q in queries if q["sql"].lstrip().lower().startswith(WRITES)]
    assert written == []
    return response


def test_t6_complete_at_30_days_answers_anonymously_with_a_probability_and_its_source(
    client: Client,
) -> None:
    response = _get(client, "level=T6&ais=A&days=30")
    page = response.content.decode()

    assert response.status_code == 200
    # T6, AIS A, exam on day 30: Kirshblum 2016 (SCIMS, <=30 d, N 187), Kirshblum 2021 Table 2
    assert "About 27.8 in 100 people" in page
    assert "https://doi.org/10.1016/j.apmr.2016.02.012" in page
    assert "not advice and not a prediction for you" in page
    assert "48.9" in page  # Shang 2022: at least one AIS grade, pooled, mostly uncontrolled
    assert "Is the treatment routine for this condition" in page  # ISSCR questions
    assert response.cookies == {} or set(response.cookies) <= {"csrftoken"}
    assert not AuditEntry.objects.exists()


def test_a_region_instead_of_a_level_uses_the_figures_for_the_whole_region(client: Client) -> None:
    page = _get(client, "level=neck&ais=C&days=20").content.decode()
    # cervical AIS C, day 20: Kirshblum 2016 tetraplegia (natural-history.md E1) 76.9%
    assert "About 76.9 in 100 people" in page


def test_a_chronic_injury_says_so_and_shows_the_one_to_five_year_figures(client: Client) -> None:
    page = _get(client, "level=C5&ais=A&days=800").content.decode()
    assert "More than a year after the injury" in page
    assert "5.6%" in page  # APMR 2004: complete at 1 year, incomplete at 5 years


def test_between_one_month_and_one_year_the_page_says_there_is_no_figure(client: Client) -> None:
    page = _get(client, "level=T4&ais=B&days=100").content.decode()
    assert "have no figure for one year ahead" in page


def test_bad_inputs_get_clear_messages_and_nothing_about_them_is_logged(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        response = _get(client, "level=Q9&ais=F&days=-3")
    page = response.content.decode()
    assert response.status_code == 400
    assert "Q9 is not a level of injury" in page
    assert "F is not an AIS grade" in page
    assert "cannot be negative" in page
    assert not any("Q9" in r.getMessage() for r in caplog.records)
    missing = _get(client, "level=&ais=&days=").content.decode()
    assert "Choose the level of injury" in missing


def test_the_page_prints_as_a_pdf(client: Client) -> None:
    response = client.get("/expect/pdf?level=T6&ais=A&days=30")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert client.get("/expect/pdf?level=T6").status_code == 400


def test_registry_figures_only_when_published_and_large_enough(
    client: Client, settings: Any
) -> None:
    from cordtrack.server.synthetic import generate

    settings.DEMO_MODE = True
    settings.EXPECT_PUBLISH_REGISTRY = False
    generate(30, ("NTH",), seed=11, cohort=True)
    assert "own registry" not in _get(client, "level=C5&ais=A&days=20").content.decode()
    settings.EXPECT_PUBLISH_REGISTRY = True
    page = _get(client, "level=T4&ais=C&days=20").content.decode()
    assert "own registry" in page
    assert "Not shown: fewer than 20 treated patients with a reference" in page
    assert "NTH-" not in page  # aggregate only
