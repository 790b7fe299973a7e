"""An adverse event is signed off by the investigator and, once followed to its outcome, closed by
a monitor with a signature (meaning "reviewed"): it then leaves the open lists. A clinician
cannot close; a wrong password closes nothing; a later change invalidates the signature."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from cordtrack.server.accounts.models import Role, Site, User
from cordtrack.server.patients.models import Patient
from cordtrack.server.safety.models import AdverseEvent
from cordtrack.server.services import ae_followup, safety, signatures
from cordtrack.server.signatures.models import Meaning, Signature

from .conftest import TODAY, signing
from .test_api_helpers import ApiClient

PASSWORD = "pw-monitor-sign-1"
SUSAR = {"term": "Meningitis", "ctcae_grade": 3, "hospitalisation": True,
         "relatedness": "possible", "expected": False, "action": "none",
         "outcome": "recovering"}  # fmt: skip


@pytest.fixture
def monitor(make_user: Callable[..., User], north: Site) -> User:
    user = make_user("mona", Role.MONITOR, north)
    user.first_name, user.last_name = "Mona", "Reyes"
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def event(alice: User, make_patient: Callable[..., Patient], north: Site) -> AdverseEvent:
    return safety.report_adverse_event(
        alice, make_patient(north), onset_date=TODAY - dt.timedelta(days=3),
        awareness_date=TODAY - dt.timedelta(days=2), **SUSAR,
    )  # fmt: skip


def _resolve(alice: User, event: AdverseEvent) -> AdverseEvent:
    ae_followup.record_report_dates(alice, event, initial_report_date=TODAY)
    ae_followup.add_follow_up(alice, event, date=TODAY, status="resolved", outcome="recovered")
    event.refresh_from_db()
    return event


def test_a_monitor_closes_a_resolved_event_with_a_signature_and_it_leaves_the_open_lists(
    client: Client, event: AdverseEvent, alice: User, monitor: User
) -> None:
    _resolve(alice, event)
    client.force_login(monitor)
    assert "Close after review" in client.get(f"/adverse-events/{event.pk}/").content.decode()
    api = ApiClient(monitor)
    assert api.get("/adverse-events", status="open").json()["count"] == 1
    assert f"/adverse-events/{event.pk}/" in client.get("/dashboard/").content.decode()
    listed = client.get("/adverse-events/", {"status": "open"}).content.decode()
    assert f"/adverse-events/{event.pk}/" in listed

    response = client.post(f"/adverse-events/{event.pk}/close/", {"password": PASSWORD})

    assert response.status_code == 302
    event.refresh_from_db()
    assert event.status == "closed"
    assert event.closed_by == monitor
    closing = signatures.current(event, Meaning.REVIEWED)
    assert closing is not None
    assert closing.state == "valid"
    assert closing.printed_name == "Mona Reyes"
    page = client.get(f"/adverse-events/{event.pk}/").content.decode()
    assert 'data-ae-status="closed"' in page
    assert "Mona Reyes (reviewed)" in page
    assert 'data-meaning="reviewed" data-state="valid"' in page
    assert "Close after review" not in page
    assert api.get("/adverse-events", status="open").json()["count"] == 0
    assert [e["id"] for e in api.get("/adverse-events", status="closed").json()["items"]] == [
        event.pk
    ]
    dashboard = client.get("/dashboard/").content.decode()
    assert f"/adverse-events/{event.pk}/" not in dashboard
    worklist = client.get("/adverse-events/", {"status": "open"}).content.decode()
    assert f"/adverse-events/{event.pk}/" not in worklist


def test_a_wrong_password_closes_nothing_and_says_so_at_the_field(
    client: Client, event: AdverseEvent, alice: User, monitor: User
) -> None:
    _resolve(alice, event)
    client.force_login(monitor)

    response = client.post(f"/adverse-events/{event.pk}/close/", {"password": "nope"})

    assert response.status_code == 422
    assert "Password is not correct: nothing was signed" in response.content.decode()
    event.refresh_from_db()
    assert event.closed_at is None
    assert not Signature.objects.exists()


def test_a_clinician_cannot_close_and_nor_can_another_site(
    client: Client, event: AdverseEvent, alice: User, charlie: User
) -> None:
    _resolve(alice, event)
    alice.set_password(PASSWORD)
    alice.save()
    client.force_login(alice)

    assert (
        client.post(f"/adverse-events/{event.pk}/close/", {"password": PASSWORD}).status_code == 403
    )
    assert "Close after review" not in client.get(f"/adverse-events/{event.pk}/").content.decode()
    api = ApiClient(alice)
    assert api.post(f"/adverse-events/{event.pk}/close", {"password": PASSWORD}).status_code == 403
    other = ApiClient(charlie)
    assert other.post(f"/adverse-events/{event.pk}/close", {"password": "x"}).status_code == 404
    event.refresh_from_db()
    assert event.closed_at is None


def test_an_event_is_closed_only_once_resolved_and_reported(
    event: AdverseEvent, alice: User, monitor: User
) -> None:
    with pytest.raises(ValidationError) as raised:
        ae_followup.close_adverse_event(monitor, event, password=PASSWORD)
    assert set(raised.value.message_dict) == {"outcome", "initial_report_date"}
    ae_followup.add_follow_up(alice, event, date=TODAY, status="resolved", outcome="recovered")
    event.refresh_from_db()
    with pytest.raises(ValidationError) as raised:
        ae_followup.close_adverse_event(monitor, event, password=PASSWORD)
    assert set(raised.value.message_dict) == {"initial_report_date"}
    assert event.closed_at is None


def test_the_api_closes_with_the_password_in_the_body(
    event: AdverseEvent, alice: User, monitor: User
) -> None:
    _resolve(alice, event)
    api = ApiClient(monitor)

    refused = api.post(f"/adverse-events/{event.pk}/close", {"password": "nope"})
    done = api.post(f"/adverse-events/{event.pk}/close", {"password": PASSWORD})
    again = api.post(f"/adverse-events/{event.pk}/close", {"password": PASSWORD})

    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "password"
    assert done.status_code == 200
    body = done.json()
    assert body["status"] == "closed"
    assert [(s["meaning"], s["printed_name"], s["state"]) for s in body["signatures"]] == [
        ("reviewed", "Mona Reyes", "valid")
    ]
    assert again.status_code == 422
    follow_up = ApiClient(alice).post(
        f"/adverse-events/{event.pk}/follow-ups",
        {"date": TODAY.isoformat(), "status": "ongoing", "outcome": "unknown"},
    )
    assert follow_up.status_code == 422


def test_a_closed_event_changed_afterwards_shows_its_closing_signature_invalidated(
    client: Client, event: AdverseEvent, alice: User, monitor: User
) -> None:
    _resolve(alice, event)
    ae_followup.close_adverse_event(monitor, event, password=PASSWORD)
    AdverseEvent.objects.filter(pk=event.pk).update(ctcae_grade=2)  # outside the services

    client.force_login(monitor)
    page = client.get(f"/adverse-events/{event.pk}/").content.decode()

    assert 'data-meaning="reviewed" data-state="invalidated"' in page
    assert "signature invalidated" in page


def test_the_investigator_signs_the_report_and_a_follow_up_invalidates_it(
    client: Client, event: AdverseEvent, alice: User
) -> None:
    alice.set_password("pw-alice-sign-1")
    alice.save()
    client.force_login(alice)
    assert client.post(f"/adverse-events/{event.pk}/sign/", {"password": "x"}).status_code == 422
    client.post(f"/adverse-events/{event.pk}/sign/", {"password": "pw-alice-sign-1"})
    event.refresh_from_db()
    assert event.locked
    assert signatures.is_signed(event, Meaning.AUTHORED)

    ae_followup.add_follow_up(
        alice, event, date=TODAY, status="worsening", outcome="not_recovered", ctcae_grade=4,
        reason="needed ventilation",
    )  # fmt: skip

    assert not signatures.is_signed(event, Meaning.AUTHORED)
    page = client.get(f"/adverse-events/{event.pk}/").content.decode()
    assert 'data-meaning="authored" data-state="invalidated"' in page
    body = (
        ApiClient(alice)
        .post(f"/adverse-events/{event.pk}/sign", {"password": "pw-alice-sign-1"})
        .json()
    )
    assert [s["state"] for s in body["signatures"]] == ["superseded", "valid"]


def test_a_signed_off_event_is_not_signed_twice(event: AdverseEvent, alice: User) -> None:
    safety.sign_adverse_event(alice, event, password=signing(alice))
    with pytest.raises(ValidationError):
        safety.sign_adverse_event(alice, event, password=signing(alice))
