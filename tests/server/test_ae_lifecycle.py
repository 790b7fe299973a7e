"""Adverse events followed to an outcome: follow-up entries, grade changes with a reason,
resolution, the regulatory clock of a serious event (due, overdue, met), on the API and the page,
site-scoped and refused to roles that do not enter clinical data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from cordtrack.server.accounts.models import Role, Site, User
from cordtrack.server.audit.models import AuditEntry
from cordtrack.server.patients.models import Patient
from cordtrack.server.safety.models import AdverseEvent, AdverseEventFollowUp
from cordtrack.server.services import safety

from .conftest import TODAY
from .test_api_helpers import ApiClient

SUSAR = {"term": "Meningitis", "ctcae_grade": 3, "hospitalisation": True,
         "relatedness": "possible", "expected": False, "action": "none",
         "outcome": "recovering"}  # fmt: skip


@pytest.fixture
def event(alice: User, make_patient: Callable[..., Patient], north: Site) -> AdverseEvent:
    return safety.report_adverse_event(
        alice, make_patient(north), onset_date=TODAY - dt.timedelta(days=3),
        awareness_date=TODAY - dt.timedelta(days=2), **SUSAR,
    )  # fmt: skip


def test_a_serious_event_carries_its_clock_from_awareness(event: AdverseEvent, alice: User) -> None:
    out = ApiClient(alice).get(f"/adverse-events/{event.pk}").json()
    clock = out["clock"]
    assert clock["days"] == 15  # a SUSAR that is not fatal or life-threatening
    assert clock["due"] == (TODAY + dt.timedelta(days=13)).isoformat()
    assert clock["state"] == "due"
    assert "312.32" in clock["source"]
    assert out["status"] == "open"
    assert out["resolved"] is False
    reported = ApiClient(alice).patch(
        f"/adverse-events/{event.pk}", {"initial_report_date": TODAY.isoformat()}
    )
    assert reported.json()["clock"]["state"] == "met"


def test_an_unreported_clock_turns_overdue(
    alice: User, make_patient: Callable[..., Patient], north: Site
) -> None:
    patient = make_patient(north, consented=False)  # no consent date to precede
    late = safety.report_adverse_event(
        alice, patient, onset_date=TODAY - dt.timedelta(days=20),
        awareness_date=TODAY - dt.timedelta(days=10),
        **{**SUSAR, "life_threatening": True, "ctcae_grade": 4},
    )  # fmt: skip
    clock = ApiClient(alice).get(f"/adverse-events/{late.pk}").json()["clock"]
    assert clock["days"] == 7
    assert clock["state"] == "overdue"


def test_follow_ups_change_the_grade_only_with_a_reason_and_resolve_the_event(
    event: AdverseEvent, alice: User
) -> None:
    client = ApiClient(alice)
    url = f"/adverse-events/{event.pk}/follow-ups"
    body = {"date": TODAY.isoformat(), "status": "worsening", "outcome": "not_recovered",
            "ctcae_grade": 4, "treatment": "ICU admission"}  # fmt: skip
    refused = client.post(url, body)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "reason"
    made = client.post(url, {**body, "reason": "needed ventilation"})
    assert made.status_code == 201
    assert made.json()["grade_from"] == 3
    assert made.json()["grade_to"] == 4
    event.refresh_from_db()
    assert event.ctcae_grade == 4
    assert AuditEntry.objects.filter(reason="needed ventilation").exists()
    bad = client.post(
        url, {"date": TODAY.isoformat(), "status": "resolved", "outcome": "recovering"}
    )
    assert bad.status_code == 422
    resolved = client.patch(
        f"/adverse-events/{event.pk}",
        {"status": "resolved", "outcome": "sequelae", "resolution_date": TODAY.isoformat(),
         "treatment": "rehabilitation"},
    )  # fmt: skip
    assert resolved.status_code == 200
    out = resolved.json()
    assert out["resolved"] is True
    assert out["outcome"] == "sequelae"
    assert out["status"] == "open"  # open until closed with a signature
    assert [f["status"] for f in out["follow_ups"]] == ["worsening", "resolved"]
    assert AdverseEventFollowUp.objects.count() == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"date": "2000-01-01"}, "date"),
        ({"date": "2999-01-01"}, "date"),
        ({"status": "better"}, "status"),
        ({"outcome": "fine"}, "outcome"),
        ({"ctcae_grade": 6}, "ctcae_grade"),
    ],
)
def test_a_bad_follow_up_is_a_field_error_and_changes_nothing(
    event: AdverseEvent, alice: User, body: dict[str, Any], field: str
) -> None:
    base = {"date": TODAY.isoformat(), "status": "ongoing", "outcome": "recovering"}
    response = ApiClient(alice).post(f"/adverse-events/{event.pk}/follow-ups", {**base, **body})
    assert response.status_code == 422
    assert field in {e["field"] for e in response.json()["errors"]}
    assert not AdverseEventFollowUp.objects.exists()


def test_roles_and_sites(
    event: AdverseEvent, make_user: Callable[..., User], north: Site, charlie: User
) -> None:
    body = {"date": TODAY.isoformat(), "status": "ongoing", "outcome": "recovering"}
    for role in (Role.MONITOR, Role.COORDINATOR, Role.SITE_ADMIN):
        user = make_user(f"x-{role}", role, north)
        response = ApiClient(user).post(f"/adverse-events/{event.pk}/follow-ups", body)
        assert response.status_code == 403
        assert ApiClient(user).patch(f"/adverse-events/{event.pk}", body).status_code == 403
    other = ApiClient(charlie)
    assert other.get(f"/adverse-events/{event.pk}").status_code == 404
    assert other.post(f"/adverse-events/{event.pk}/follow-ups", body).status_code == 404
    assert other.patch(f"/adverse-events/{event.pk}", body).status_code == 404
    assert other.get("/adverse-events", status="open").json()["count"] == 0


def test_the_list_filters_open_and_closed(event: AdverseEvent, alice: User) -> None:
    client = ApiClient(alice)
    assert client.get("/adverse-events", status="open").json()["count"] == 1
    assert client.get("/adverse-events", status="closed").json()["count"] == 0
    assert client.get("/adverse-events", status="shut").status_code == 422


def test_awareness_cannot_precede_onset_nor_the_report_precede_awareness(
    event: AdverseEvent, alice: User
) -> None:
    early = (event.onset_date - dt.timedelta(days=1)).isoformat()
    response = ApiClient(alice).patch(f"/adverse-events/{event.pk}", {"awareness_date": early})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "awareness_date"
    before = (TODAY - dt.timedelta(days=3)).isoformat()
    response = ApiClient(alice).patch(
        f"/adverse-events/{event.pk}", {"initial_report_date": before}
    )
    assert response.json()["errors"][0]["field"] == "initial_report_date"


def test_the_page_shows_the_clock_and_records_a_follow_up(
    event: AdverseEvent, alice: User, make_user: Callable[..., User], north: Site
) -> None:
    client = Client()
    client.force_login(alice)
    url = f"/adverse-events/{event.pk}/"
    page = client.get(url).content.decode()
    assert 'data-clock="due"' in page
    assert "SUSAR" in page
    form = {"form": "follow_up", "fu-date": TODAY.isoformat(), "fu-status": "improving",
            "fu-ctcae_grade": "2", "fu-outcome": "recovering",
            "fu-treatment": "Antibiotics"}  # fmt: skip
    refused = client.post(url, form)
    assert refused.status_code == 200
    assert "Required when the grade changes" in refused.content.decode()
    assert client.post(url, {**form, "fu-reason": "afebrile"}).status_code == 302
    assert "Antibiotics" in client.get(url).content.decode()
    monitor = Client()
    monitor.force_login(make_user("mona", Role.MONITOR, north))
    assert "Record follow-up" not in monitor.get(url).content.decode()
    assert monitor.post(url, {**form, "fu-reason": "x"}).status_code == 403
    dashboard = monitor.get("/dashboard/").content.decode()
    assert 'data-clock="due"' in dashboard


def test_the_report_form_suggests_ctcae_terms_with_their_version(
    alice: User, make_patient: Callable[..., Patient], north: Site
) -> None:
    client = Client()
    client.force_login(alice)
    page = client.get(f"/patients/{make_patient(north).pk}/adverse-events/new/").content.decode()
    assert 'list="ctcae-terms"' in page
    assert '<option value="Meningitis">Infections and infestations</option>' in page
    assert "CTCAE v5.0 (2017-11-27)" in page
