"""The cohort report lists its members a page at a time (htmx fetches the next page into the
table; a plain link works without JavaScript) and downloads all of them as CSV, each with the
status the report counted; the CSV is audited as a download."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from cordtrack.server.accounts.models import Site, User
from cordtrack.server.audit.models import AuditAction, AuditEntry
from cordtrack.server.patients.models import Patient
from cordtrack.server.reports import members

from .reports_cohort import build

pytestmark = pytest.mark.django_db
PAGE = "/reports/cohort/?site=NTH&definition=ais1_12m"


@pytest.fixture
def cohort(
    make_patient: Callable[..., Patient], make_lot: Callable[..., Any], alice: User, north: Site,
    client: Client, monkeypatch: pytest.MonkeyPatch,
) -> dict[str, Patient]:  # fmt: skip
    monkeypatch.setattr(members, "PER_PAGE", 2)
    client.force_login(alice)
    return build(make_patient, make_lot, alice, north)


def rows(html: str) -> int:
    """Member rows: each links the member's outcomes page (the figures' tables link sources)."""
    return html.count('<tr><td><a href="/reports/patients/')


def test_the_report_shows_one_page_of_members_and_links_the_next(
    cohort: dict[str, Patient], client: Client
) -> None:
    page = client.get(PAGE).content.decode()
    assert "5 patients, 1–2 shown" in page
    assert rows(page) == 2
    assert "page 1 of 3" in page
    assert 'hx-get="?site=NTH&amp;definition=ais1_12m&amp;page=2"' in page
    assert 'href="?site=NTH&amp;definition=ais1_12m&amp;page=2"' in page  # without JavaScript
    assert "Observed versus expected" in page


def test_an_htmx_request_for_a_page_gets_that_page_of_the_table_only(
    cohort: dict[str, Patient], client: Client
) -> None:
    response = client.get(f"{PAGE}&page=3", headers={"HX-Request": "true"})
    fragment = response.content.decode()
    assert response.status_code == 200
    assert fragment.startswith('<section id="members"')
    assert "<html" not in fragment
    assert "Observed versus expected" not in fragment  # no figure computed for a page of rows
    assert rows(fragment) == 1
    assert "page 3 of 3" in fragment
    # The same page without htmx is the whole report, on its third page of members.
    whole = client.get(f"{PAGE}&page=3").content.decode()
    assert "Observed versus expected" in whole
    assert rows(whole) == 1


def test_every_member_downloads_as_csv_with_the_status_the_report_counted(
    cohort: dict[str, Patient], client: Client
) -> None:
    response = client.get(f"{PAGE}&members=csv")
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment")
    found = list(csv.DictReader(io.StringIO(response.content.decode())))
    by_id = {row["study_id"]: row for row in found}
    assert len(found) == 5
    assert by_id[cohort["R1"].study_id]["status"] == "responder"
    assert by_id[cohort["N1"].study_id]["status"] == "non-responder"
    assert by_id[cohort["L1"].study_id]["status"] == "lost to follow-up"
    assert by_id[cohort["Y1"].study_id]["status"] == "not yet due"
    r1 = by_id[cohort["R1"].study_id]
    assert (r1["baseline_ais"], r1["level_group"], r1["phase"]) == ("A", "T1-T9", "acute")
    assert "Kirshblum" in r1["natural_history_figure"]
    assert 0 < float(r1["expected_probability"]) < 1
    assert AuditEntry.objects.filter(action=AuditAction.DOWNLOAD, object_id="list").exists()


def test_a_page_past_the_end_shows_the_last_one(cohort: dict[str, Patient], client: Client) -> None:
    page = client.get(f"{PAGE}&page=99").content.decode()
    assert "page 3 of 3" in page
    assert rows(page) == 1
