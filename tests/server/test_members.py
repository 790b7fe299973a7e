"""Site administrators manage who holds which role at their site; every change is audited with
its reason, and nobody grants, changes or removes their own roles (separation of duties)."""

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

    if role == Role.ASSESSOR:  # closed by route to a blinded assessor, whichever site (ADR 0040)
        assert (own, other) == (403, 403)
        return
    assert other == (403 if role == Role.SPONSOR else 404)  # a sponsor: aggregates only
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
        {"username": "Nina", "role": "clinician", "password": NEW_PASSWORD,
         "reason": "joins the spinal team"},
    )  # fmt: skip

    assert response.status_code == 302
    nina = User.objects.get(username="nina")
    assert Membership.objects.filter(user=nina, site=north, role="clinician").exists()
    assert AuditEntry.objects.filter(model="accounts.user", object_id=str(nina.pk)).exists()
    granted = AuditEntry.objects.get(model="accounts.membership", action="create")
    assert (granted.actor, granted.reason) == (sam, "joins the spinal team")
    assert granted.changes["user_id"] == [None, nina.pk]
    assert granted.changes["role"] == [None, "clinician"]
    assert Client().post(
        "/accounts/login/", {"username": "nina", "password": NEW_PASSWORD}
    ).status_code == 302  # fmt: skip


def test_weak_passwords_and_unknown_patients_are_field_errors(
    client: Client, sam: User, north: Site
) -> None:
    client.force_login(sam)

    weak = client.post(
        "/sites/nth/members/",
        {"username": "x", "role": "monitor", "password": "123", "reason": "monitoring visit"},
    )
    patient = client.post(
        "/sites/nth/members/",
        {"username": "pat", "role": "patient", "password": NEW_PASSWORD, "study_id": "STH-0001",
         "reason": "portal access"},
    )  # fmt: skip

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
         "study_id": patient.study_id.lower(), "reason": "portal access"},
    )  # fmt: skip

    patient.refresh_from_db()
    assert patient.user == User.objects.get(username="pat")


def test_removing_a_role_needs_a_reason_and_never_ones_own(
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
        "role_change_reason": "moved to the South program",
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
    reasons = set(
        AuditEntry.objects.filter(model="accounts.membership").values_list("reason", flat=True)
    )
    assert reasons == {"moved to the South program"}


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.PATIENT])
@pytest.mark.parametrize("spelled", ["site_admin@nth", "SITE_ADMIN@NTH "])
def test_a_site_admin_cannot_grant_themselves_any_role(
    client: Client, make_user: Callable[..., User], north: Site, role: str, spelled: str
) -> None:
    """The escalation path that worked before: site_admin@nth making itself a clinician (or a
    data manager) of its own site through the members page."""
    admin = make_user("site_admin@nth", Role.SITE_ADMIN, north)
    client.force_login(admin)
    before = AuditEntry.objects.count()

    response = client.post(
        "/sites/nth/members/", {"username": spelled, "role": role, "reason": "covering a shift"}
    )

    assert response.status_code == 200
    assert "you cannot grant a role to yourself: another site administrator must grant it" in (
        response.content.decode()
    )
    assert list(Membership.objects.filter(user=admin).values_list("role", flat=True)) == [
        Role.SITE_ADMIN
    ]
    assert AuditEntry.objects.count() == before


def test_granting_a_role_needs_a_reason(client: Client, sam: User, north: Site) -> None:
    from django.core.exceptions import ValidationError

    from cordtrack.server.services.accounts import grant_role

    client.force_login(sam)

    page = client.post(
        "/sites/nth/members/", {"username": "nina", "role": "clinician", "password": NEW_PASSWORD}
    )
    with pytest.raises(ValidationError) as refused:
        grant_role(sam, north, username="nina", role="clinician", reason="  ",
                   password=NEW_PASSWORD)  # fmt: skip

    assert page.status_code == 200
    assert "This field is required" in page.content.decode()
    assert refused.value.message_dict == {"reason": ["is required: say why this role is granted"]}
    assert not User.objects.filter(username="nina").exists()


def test_another_site_admin_grants_and_removes_a_site_admins_roles(
    client: Client, sam: User, make_user: Callable[..., User], north: Site
) -> None:
    other = make_user("olga", Role.SITE_ADMIN, north)
    client.force_login(other)

    granted = client.post(
        "/sites/nth/members/", {"username": "sam", "role": "clinician", "reason": "covers clinic"}
    )
    clinician = Membership.objects.get(user=sam, role=Role.CLINICIAN)
    client.force_login(sam)
    own = client.post(f"/sites/nth/members/{clinician.pk}/revoke/", {"reason": "no longer"})
    page = client.get("/sites/nth/members/").content.decode()

    assert granted.status_code == 302
    assert own.status_code == 400
    assert "you cannot remove your own role: another site administrator must" in (
        own.content.decode()
    )
    assert Membership.objects.filter(pk=clinician.pk).exists()
    assert page.count("Your own role: another site administrator changes it") == 2
    entry = AuditEntry.objects.get(model="accounts.membership", action="create")
    assert (entry.actor, entry.reason, entry.changes["user_id"]) == (other, "covers clinic",
                                                                     [None, sam.pk])  # fmt: skip


def _admin_change(user: User, **extra: str) -> dict[str, str]:
    """The admin's change form for ``user`` as posted unchanged, with ``extra`` fields."""
    memberships = list(Membership.objects.filter(user=user))
    data = {
        "username": user.username, "first_name": "", "last_name": "", "email": "",
        "is_active": "on", "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00",
        "memberships-TOTAL_FORMS": str(len(memberships)),
        "memberships-INITIAL_FORMS": str(len(memberships)),
        "memberships-MIN_NUM_FORMS": "0", "memberships-MAX_NUM_FORMS": "1000",
    }  # fmt: skip
    if user.is_staff:
        data["is_staff"] = "on"
    if user.is_superuser:
        data["is_superuser"] = "on"
    for n, m in enumerate(memberships):
        prefix = f"memberships-{n}-"
        data |= {prefix + "id": str(m.pk), prefix + "user": str(user.pk),
                 prefix + "site": str(m.site_id), prefix + "role": m.role}  # fmt: skip
    return data | extra


def _add_membership(user: User, site: Site, role: str, data: dict[str, str]) -> dict[str, str]:
    n = int(data["memberships-TOTAL_FORMS"])
    return data | {
        "memberships-TOTAL_FORMS": str(n + 1),
        f"memberships-{n}-user": str(user.pk), f"memberships-{n}-site": str(site.pk),
        f"memberships-{n}-role": role,
    }  # fmt: skip


def test_in_the_admin_nobody_changes_their_own_roles_and_every_change_has_a_reason(
    client: Client, alice: User, north: Site
) -> None:
    root = User.objects.create_superuser("root", password="irrelevant-here-123")
    client.force_login(root)

    own = client.post(
        f"/admin/accounts/user/{root.pk}/change/",
        _add_membership(root, north, "data_manager", _admin_change(root, role_change_reason="x")),
    )
    no_reason = client.post(
        f"/admin/accounts/user/{alice.pk}/change/",
        _add_membership(alice, north, "data_manager", _admin_change(alice)),
    )
    unchanged = client.post(f"/admin/accounts/user/{alice.pk}/change/", _admin_change(alice))

    assert own.status_code == 200
    assert "You cannot change your own roles: another administrator must." in own.content.decode()
    assert no_reason.status_code == 200
    assert "Give the reason for this role change" in no_reason.content.decode()
    assert unchanged.status_code == 302  # saving other details needs no reason
    assert not Membership.objects.filter(role="data_manager").exists()
    assert not AuditEntry.objects.filter(model="accounts.membership").exists()


def test_privileges_change_in_the_admin_only_for_others_with_a_reason_and_are_audited(
    client: Client, alice: User
) -> None:
    root = User.objects.create_superuser("root", password="irrelevant-here-123")
    other = User.objects.create_superuser("root2", password="irrelevant-here-123")
    client.force_login(root)

    own = client.post(f"/admin/accounts/user/{root.pk}/change/",
                      _admin_change(root, is_staff="", role_change_reason="x"))  # fmt: skip
    no_reason = client.post(f"/admin/accounts/user/{alice.pk}/change/",
                            _admin_change(alice, is_superuser="on"))  # fmt: skip
    done = client.post(
        f"/admin/accounts/user/{other.pk}/change/",
        _admin_change(other, is_superuser="", role_change_reason="left IT"),
    )

    assert "You cannot change your own privileges." in own.content.decode()
    assert "Required: privileges are changing." in no_reason.content.decode()
    assert done.status_code == 302
    root.refresh_from_db()
    alice.refresh_from_db()
    other.refresh_from_db()
    assert (root.is_staff, alice.is_superuser, other.is_superuser) == (True, False, False)
    entry = AuditEntry.objects.get(model="accounts.user", object_id=str(other.pk))
    assert (entry.actor, entry.reason, entry.changes) == (
        root, "left IT", {"is_superuser": [True, False]}
    )  # fmt: skip


def test_a_site_admin_cannot_reach_accounts_in_the_admin(
    client: Client, make_user: Callable[..., User], north: Site
) -> None:
    admin = make_user("site_admin@nth", Role.SITE_ADMIN, north)
    admin.is_staff = True
    admin.save()
    client.force_login(admin)

    change = client.get(f"/admin/accounts/user/{admin.pk}/change/")
    post = client.post(
        f"/admin/accounts/user/{admin.pk}/change/",
        _add_membership(admin, north, "clinician", _admin_change(admin, role_change_reason="x")),
    )

    assert (change.status_code, post.status_code) == (403, 403)
    assert not Membership.objects.filter(user=admin, role="clinician").exists()


def test_the_api_has_no_route_that_changes_roles(client: Client) -> None:
    """Roles change on the members page and in the admin only, where the rules above hold."""
    schema = client.get("/api/v1/openapi.json").json()
    writes = [
        path
        for path, operations in schema["paths"].items()
        if {"post", "put", "patch", "delete"} & set(operations)
    ]

    assert writes
    assert not [p for p in writes if any(w in p for w in ("member", "role", "user", "account"))]


def test_an_account_added_in_the_admin_with_a_role_needs_a_reason_and_is_audited(
    client: Client, north: Site
) -> None:
    root = User.objects.create_superuser("root", password="irrelevant-here-123")
    client.force_login(root)
    data = {
        "username": "nina", "usable_password": "true",
        "password1": NEW_PASSWORD, "password2": NEW_PASSWORD,
        "memberships-TOTAL_FORMS": "1", "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0", "memberships-MAX_NUM_FORMS": "1000",
        "memberships-0-site": str(north.pk), "memberships-0-role": "clinician",
    }  # fmt: skip

    assert client.get("/admin/accounts/user/add/").status_code == 200
    refused = client.post("/admin/accounts/user/add/", data)
    added = client.post("/admin/accounts/user/add/", data | {"role_change_reason": "new fellow"})

    assert "Give the reason for this role change" in refused.content.decode()
    assert added.status_code == 302
    nina = User.objects.get(username="nina")
    granted = AuditEntry.objects.get(model="accounts.membership", action="create")
    assert (granted.actor, granted.reason, granted.changes["user_id"]) == (
        root, "new fellow", [None, nina.pk]
    )  # fmt: skip
    created = AuditEntry.objects.get(model="accounts.user", object_id=str(nina.pk))
    assert created.changes["username"] == [None, "nina"]
    assert "password" not in created.changes
