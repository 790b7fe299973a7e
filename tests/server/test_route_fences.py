"""One route fence for the roles kept to an allow-list of routes (ADR 0052): whose fence applies
when a user holds several roles, on the pages and through the API alike.

The walks over every route for each fenced role alone are ``test_blinding.py`` (the assessor) and
``test_sponsor_walk.py`` (the sponsor).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from route_walk import route_names

from cordtrack.server.accounts.models import Membership, Role, Site, User
from cordtrack.server.fences import BASE_ROUTES, ROUTE_FENCES, fences_of, may_open
from cordtrack.server.services import api_tokens

ASSESSOR, SPONSOR = ROUTE_FENCES[Role.ASSESSOR], ROUTE_FENCES[Role.SPONSOR]


def _with(user: User, role: str, site: Site) -> User:
    Membership.objects.create(user=user, site=site, role=role)
    return User.objects.get(pk=user.pk)  # a fresh object: roles are read once per user object


def _bearer(user: User) -> dict[str, str]:
    _, secret = api_tokens.create_token(user)
    return {"Authorization": f"Bearer {secret}"}


def test_the_fences_share_the_public_routes_and_open_each_other_nothing_else() -> None:
    names = set(route_names())
    both = {n for n in names if ASSESSOR.opens(n) and SPONSOR.opens(n)}
    assert both == BASE_ROUTES
    assert any(SPONSOR.opens(n) for n in names if n.startswith("sponsor:"))
    assert not any(ASSESSOR.opens(n) for n in names if n.startswith("sponsor:"))


def test_an_assessor_who_also_sponsors_opens_only_what_both_fences_open(
    make_user: Callable[..., User], north: Site, south: Site
) -> None:
    """Most restrictive: the sponsor's pages compare arms (closed to a blinded assessor), the
    assessor's pages show records (closed to a sponsor)."""
    user = _with(make_user("assessor-sponsor", Role.ASSESSOR, north), Role.SPONSOR, south)
    assert fences_of(user) == [ASSESSOR, SPONSOR]
    names = route_names()
    assert {n for n in names if may_open(user, n)} == BASE_ROUTES

    client = Client()
    client.force_login(user)
    assert client.get("/expect/").status_code == 200
    for url in ("/sponsor/", "/sponsor/cohort/", "/patients/", "/exams/", "/lots/", "/healthz"):
        assert client.get(url).status_code == 403, url
    bearer = _bearer(user)
    for url in ("/api/v1/sponsor/sites", "/api/v1/patients", "/api/v1/exams?patient_id=1"):
        assert Client().get(url, headers=bearer).status_code == 403, url


def test_an_unfenced_role_lifts_the_sponsors_fence_but_never_the_assessors(
    make_user: Callable[..., User], north: Site, south: Site
) -> None:
    """A clinician who also sponsors works their site as a clinician; a clinician who also
    assesses blinded is blinded everywhere (what a page shows cannot be unlearned)."""
    sponsoring = _with(make_user("clinician-sponsor", Role.CLINICIAN, north), Role.SPONSOR, south)
    assessing = _with(make_user("clinician-assessor", Role.CLINICIAN, north), Role.ASSESSOR, south)
    assert fences_of(sponsoring) == []
    assert fences_of(assessing) == [ASSESSOR]

    client = Client()
    client.force_login(sponsoring)
    assert client.get("/patients/").status_code == 200
    assert client.get("/sponsor/").status_code == 200
    assert Client().get("/api/v1/patients", headers=_bearer(sponsoring)).status_code == 200
    client.force_login(assessing)
    assert client.get("/patients/").status_code == 200
    assert client.get("/lots/").status_code == 403
    assert Client().get("/api/v1/products", headers=_bearer(assessing)).status_code == 403


@pytest.mark.parametrize("role", [r for r in Role.values if r not in ROUTE_FENCES])
def test_a_role_without_a_fence_is_kept_to_none(
    make_user: Callable[..., User], north: Site, role: str
) -> None:
    assert fences_of(make_user(f"user-{role}", role, north)) == []
