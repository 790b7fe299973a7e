"""Site administrators manage who holds which role at their site; every change is audited."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from cordtrack.server.accounts.models import Membership, Role, Site, User
from cordtrack.server.audit.models import AuditEntry
from cordtrack.server.patients.models import Patient

NEW_PASSWORD = "a-sufficiently-long-passphrase"


@pytest.fixture
def sam(make_user: Callable[..., User], north: Site) -> User:
    """Site admin at North."""
    return make_user("sam", Role.SITE_ADMIN, north)


@pytest.mark.parametrize("role", Role.values)
def test_only_site_admins_see_their_sites_members(
    client: Client, make_user: Callable[..., User], north: Site, south: Site, role: str
) -> None:
    client.force_login(make_user(f"{role}-user", role, north))

    own = client.get("/sites/nth/members/").status_code
    other = client.get("/sites/sth/members/").status_code

    assert other == 404
    if role == Role.SITE_ADMIN:
        assert own == 200
    else:
        assert own == (404 if role == Role.PATIENT else 403)


def test_a_site_admin_creates_an_account_with_a_role(
    client: Client, sam: User, north: Site
) -> None:
    client.force_login(sam)

    response = client.post(
        "/sites/nth/members/",
        {"username": "Nina", "role": "clinician", "password": NEW_PASSWORD},
    )

    assert response.status_code == 302
    nina = User.objects.get(username="nina")
    assert Membership.objects.filter(user=nina, site=north, role="clinician").exists()
    assert AuditEntry.objects.filter(model="accounts.user", object_id=str(nina.pk)).exists()
    assert AuditEntry.objects.filter(model="accounts.membership", action="create").exists()
    assert Client().post(
        "/accounts/login/", {"username": "nina", "password": NEW_PASSWORD}
    ).status_code == 302  # fmt: skip


def test_weak_passwords_and_unknown_patients_are_field_errors(
    client: Client, sam: User, north: Site
) -> None:
    client.force_login(sam)

    weak = client.post(
        "/sites/nth/members/", {"username": "x", "role": "monitor", "password": "123"}
    )
    patient = client.post(
        "/sites/nth/members/",
        {"username": "pat", "role": "patient", "password": NEW_PASSWORD, "study_id": "STH-0001"},
    )

    assert "This password is too short" in weak.content.decode()
    assert "needs the study id of a patient of this site" in patient.content.decode()
    assert not User.objects.filter(username__in=["x", "pat"]).exists()


def test_a_patient_account_is_linked_to_its_record(
    client: Client, sam: User, north: Site, make_patient: Callable[..., Patient]
) -> None:
    patient = make_patient(north)
    client.force_login(sam)

    client.post(
        "/sites/nth/members/",
        {"username": "pat", "role": "patient", "password": NEW_PASSWORD,
         "study_id": patient.study_id.lower()},
    )  # fmt: skip

    patient.refresh_from_db()
    assert patient.user == User.objects.get(username="pat")


def test_removing_a_role_needs_a_reason_and_not_ones_own_admin_role(
    client: Client, sam: User, alice: User, north: Site
) -> None:
    client.force_login(sam)
    alice_role = Membership.objects.get(user=alice)
    own_role = Membership.objects.get(user=sam)

    no_reason = client.post(f"/sites/nth/members/{alice_role.pk}/revoke/", {"reason": ""})
    own = client.post(f"/sites/nth/members/{own_role.pk}/revoke/", {"reason": "leaving"})
    done = client.post(f"/sites/nth/members/{alice_role.pk}/revoke/", {"reason": "left the unit"})

    assert no_reason.status_code == 400
    assert own.status_code == 400
    assert done.status_code == 302
    assert not Membership.objects.filter(user=alice).exists()
    entry = AuditEntry.objects.filter(model="accounts.membership", action="delete").get()
    assert entry.reason == "left the unit"
    assert entry.changes["role"] == ["clinician", None]


def test_a_site_admin_cannot_touch_another_sites_members(
    client: Client, sam: User, charlie: User
) -> None:
    client.force_login(sam)
    south_role = Membership.objects.get(user=charlie)

    response = client.post(f"/sites/sth/members/{south_role.pk}/revoke/", {"reason": "x"})
    sneaky = client.post(f"/sites/nth/members/{south_role.pk}/revoke/", {"reason": "x"})

    assert response.status_code == 404
    assert sneaky.status_code == 404
    assert Membership.objects.filter(user=charlie).exists()


def test_role_changes_in_the_admin_are_audited(
    client: Client, alice: User, north: Site, south: Site
) -> None:
    root = User.objects.create_superuser("root", password="irrelevant-here-123")
    client.force_login(root)
    existing = Membership.objects.get(user=alice)
    data = {
        "username": "alice", "first_name": "", "last_name": "", "email": "",
        "is_active": "on", "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00",
        "memberships-TOTAL_FORMS": "2", "memberships-INITIAL_FORMS": "1",
        "memberships-MIN_NUM_FORMS": "0", "memberships-MAX_NUM_FORMS": "1000",
        "memberships-0-id": str(existing.pk), "memberships-0-user": str(alice.pk),
        "memberships-0-site": str(north.pk), "memberships-0-role": "clinician",
        "memberships-0-DELETE": "on",
        "memberships-1-user": str(alice.pk), "memberships-1-site": str(south.pk),
        "memberships-1-role": "monitor",
    }  # fmt: skip

    response = client.post(f"/admin/accounts/user/{alice.pk}/change/", data)

    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(Membership.objects.filter(user=alice).values_list("site__code", "role")) == [
        ("STH", "monitor")
    ]
    actions = set(
        AuditEntry.objects.filter(model="accounts.membership").values_list("action", flat=True)
    )
    assert actions == {"create", "delete"}
