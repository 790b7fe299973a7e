"""The logistics list (issue 4): per upcoming visit, the travel, lodging and mobility aids needed
and whether each is arranged; coordinators tick items as arranged through the service."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from cordtrack.server.accounts.models import Role, Site, User
from cordtrack.server.audit.models import AuditEntry
from cordtrack.server.followup.models import Logistics, Visit
from cordtrack.server.intake.models import Protocol
from cordtrack.server.patients.models import Patient
from cordtrack.server.services import followup

from .conftest import TODAY


def _changes() -> int:
    """Audit entries of changes (pages opened on the way are audited as views)."""
    return AuditEntry.objects.exclude(action__in=("view", "download")).count()


def _upcoming(actor: User, patient: Patient, protocol: Protocol) -> Visit:
    """The patient's first visit (day 0 = today: in the logistics list)."""
    return followup.schedule_visits(actor, patient, protocol, TODAY)[0]


@pytest.fixture
def visit(
    bob: User, make_patient: Callable[..., Patient], north: Site, protocol: Protocol
) -> Visit:
    return _upcoming(bob, make_patient(north), protocol)


@pytest.fixture
def logistics(bob: User, visit: Visit) -> Logistics:
    return followup.record_logistics(
        bob, visit, travel_mode="adapted_van", distance_km=120, lodging_nights=2,
        mobility_aids=["power_wheelchair"],
    )  # fmt: skip


def _row(page: str, visit: Visit) -> str:
    return page.split(f'<tr data-visit="{visit.pk}">', 1)[1].split("</tr>", 1)[0]


def _cell(page: str, visit: Visit, item: str) -> str:
    return _row(page, visit).split(f'data-item="{item}"', 1)[1].split("</td>", 1)[0]


def test_the_arranged_flags_are_saved_through_the_form_service_and_audited(
    bob: User, visit: Visit
) -> None:
    saved = followup.record_logistics(
        bob, visit, travel_mode="car", distance_km=30, lodging_nights=1,
        mobility_aids=["walker"], travel_arranged=True, lodging_arranged=False,
    )  # fmt: skip

    saved.refresh_from_db()
    assert (saved.travel_arranged, saved.lodging_arranged, saved.mobility_aids_arranged) == (
        True, False, False,
    )  # fmt: skip
    assert saved.to_arrange == ["lodging", "mobility_aids"]
    created = AuditEntry.objects.filter(model="followup.logistics").get()
    assert created.changes["travel_arranged"] == [None, True]


def test_a_coordinator_ticks_an_item_as_arranged_on_the_list_and_it_is_audited(
    client: Client, bob: User, visit: Visit, logistics: Logistics
) -> None:
    client.force_login(bob)
    before = client.get("/logistics/").content.decode()
    assert 'data-status="to_arrange"' in _cell(before, visit, "lodging")
    assert "to arrange" in _cell(before, visit, "lodging")
    assert f'action="/visits/{visit.pk}/logistics/arranged/"' in before
    assert "csrfmiddlewaretoken" in before

    response = client.post(
        f"/visits/{visit.pk}/logistics/arranged/", {"item": "lodging", "arranged": "yes"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/logistics/"
    logistics.refresh_from_db()
    assert logistics.lodging_arranged
    assert not logistics.travel_arranged
    entry = AuditEntry.objects.filter(model="followup.logistics").last()
    assert entry is not None
    assert entry.action == "update"
    assert entry.actor == bob
    assert entry.changes == {"lodging_arranged": [False, True]}
    after = client.get("/logistics/").content.decode()
    assert 'data-status="arranged"' in _cell(after, visit, "lodging")
    assert ">arranged<" in _cell(after, visit, "lodging")
    assert 'data-status="to_arrange"' in _cell(after, visit, "travel")


def test_the_list_shows_each_needed_item_and_the_visit_arranged_once_all_are(
    client: Client, bob: User, visit: Visit, logistics: Logistics
) -> None:
    followup.record_logistics(
        bob, visit, travel_mode="car", distance_km=10, lodging_nights=0, mobility_aids=["none"],
    )  # fmt: skip
    client.force_login(bob)
    page = client.get("/logistics/").content.decode()
    assert 'data-status="to_arrange"' in _cell(page, visit, "travel")
    assert 'data-status="not_needed"' in _cell(page, visit, "lodging")
    assert 'data-status="not_needed"' in _cell(page, visit, "mobility_aids")
    assert 'data-arranged="no"' in _row(page, visit)
    assert "3 visits</strong> with travel, lodging or mobility aids still to arrange" in page

    client.post(f"/visits/{visit.pk}/logistics/arranged/", {"item": "travel", "arranged": "yes"})

    page = client.get("/logistics/").content.decode()
    assert 'data-status="arranged"' in _cell(page, visit, "travel")
    assert 'data-arranged="yes"' in _row(page, visit)
    assert "2 visits</strong> with travel" in page  # the next two have no logistics yet


def test_an_item_can_be_unticked_and_an_unneeded_one_is_refused(
    client: Client, bob: User, visit: Visit, logistics: Logistics
) -> None:
    followup.mark_arranged(bob, logistics, "travel")
    client.force_login(bob)

    client.post(f"/visits/{visit.pk}/logistics/arranged/", {"item": "travel", "arranged": "no"})
    logistics.refresh_from_db()
    assert not logistics.travel_arranged

    none_needed = followup.record_logistics(
        bob, visit, travel_mode="car", distance_km=10, lodging_nights=0, mobility_aids=["none"]
    )
    with pytest.raises(ValidationError, match="lodging is not needed"):
        followup.mark_arranged(bob, none_needed, "lodging")
    count = _changes()
    response = client.post(
        f"/visits/{visit.pk}/logistics/arranged/", {"item": "lodging", "arranged": "yes"},
        follow=True,
    )  # fmt: skip
    assert "lodging is not needed for this visit" in response.content.decode()
    bogus = client.post(f"/visits/{visit.pk}/logistics/arranged/", {"item": "companion"})
    assert bogus.status_code == 302
    assert _changes() == count


def test_another_sites_coordinator_is_refused_with_404(
    client: Client, make_user: Callable[..., User], south: Site, visit: Visit,
    logistics: Logistics,
) -> None:  # fmt: skip
    other = make_user("coordinator@sth", Role.COORDINATOR, south)
    count = _changes()
    client.force_login(other)

    response = client.post(
        f"/visits/{visit.pk}/logistics/arranged/", {"item": "travel", "arranged": "yes"}
    )

    assert response.status_code == 404
    logistics.refresh_from_db()
    assert not logistics.travel_arranged
    assert _changes() == count
    assert str(visit.patient.study_id) not in client.get("/logistics/").content.decode()
    with pytest.raises(PermissionDenied):
        followup.mark_arranged(other, logistics, "travel")


def test_a_monitor_sees_the_status_but_cannot_tick(
    client: Client, make_user: Callable[..., User], north: Site, visit: Visit,
    logistics: Logistics,
) -> None:  # fmt: skip
    monitor = make_user("monitor@nth", Role.MONITOR, north)
    count = _changes()
    client.force_login(monitor)

    page = client.get("/logistics/").content.decode()
    response = client.post(
        f"/visits/{visit.pk}/logistics/arranged/", {"item": "travel", "arranged": "yes"}
    )

    assert "to arrange" in _cell(page, visit, "travel")
    assert "logistics/arranged/" not in page
    assert response.status_code == 403
    logistics.refresh_from_db()
    assert not logistics.travel_arranged
    assert _changes() == count
    with pytest.raises(PermissionDenied):
        followup.mark_arranged(monitor, logistics, "travel")


def test_a_visit_without_logistics_has_nothing_to_tick(
    client: Client, bob: User, visit: Visit
) -> None:
    client.force_login(bob)
    response = client.post(
        f"/visits/{visit.pk}/logistics/arranged/", {"item": "travel", "arranged": "yes"}
    )
    assert response.status_code == 404
    assert client.get(f"/visits/{visit.pk}/logistics/arranged/").status_code == 405


def test_the_visit_page_form_saves_the_arranged_flags(
    client: Client, bob: User, visit: Visit
) -> None:
    client.force_login(bob)
    client.post(f"/visits/{visit.pk}/", {
        "form": "logistics", "travel_mode": "train", "distance_km": "200", "lodging_nights": "1",
        "mobility_aids": ["crutches"], "travel_arranged": "on", "lodging_arranged": "on",
    })  # fmt: skip
    saved = Logistics.objects.get(visit=visit)
    assert (saved.travel_arranged, saved.lodging_arranged, saved.mobility_aids_arranged) == (
        True, True, False,
    )  # fmt: skip
    page = client.get(f"/visits/{visit.pk}/").content.decode()
    assert "To arrange:</strong> mobility aids" in page


def test_logistics_without_mobility_aids_can_be_recorded(db) -> None:  # type: ignore[no-untyped-def]
    from cordtrack.server.followup.models import Logistics

    field = Logistics._meta.get_field("mobility_aids")
    assert field.blank
    Logistics(mobility_aids=[]).clean_fields(
        exclude=[f.name for f in Logistics._meta.fields if f.name != "mobility_aids"]
    )
