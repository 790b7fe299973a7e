"""What a sponsor may open: the routes below, nothing else (deny by default).

A sponsor holds ``Role.SPONSOR`` memberships, one per sponsored site, which grant
``Cap.AGGREGATE`` and no ``Cap.READ``: the access rules (``access.scoped``) already give such a
user no record. On top of that, :class:`SponsorsSeeAggregatesOnly` answers 403 to a sponsor on any
route not listed in :data:`SPONSOR_ROUTES` (pages, the API with a bearer token through
:func:`refuse_outside_sponsor_routes`, the admin), so a page added later is closed to sponsors
until someone opens it here, and the walk in ``tests/server/test_sponsor_walk.py`` classifies
every route. A user who also holds another role is not a sponsor-only user: their other role
decides what they see elsewhere; the sponsor pages still show them only aggregates.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from ..access import Cap, roles_of, site_ids
from ..accounts.models import Role, Site

#: Routes open to a sponsor-only user besides the ``sponsor`` namespace and the API's
#: ``sponsor_*`` operations: signing in and out, the second factor, the health check, the public
#: page of published figures and the API's schema.
SPONSOR_ROUTES = frozenset({
    "home", "login", "logout", "otp-setup", "otp-verify", "healthz", "expect:page", "expect:pdf",
    "api-v1:openapi-json",
})  # fmt: skip


def is_sponsor_route(view_name: str) -> bool:
    """A route of the sponsor's own pages or API."""
    return view_name.startswith("sponsor:") or view_name.startswith("api-v1:sponsor_")


def open_to_sponsors(view_name: str) -> bool:
    return view_name in SPONSOR_ROUTES or is_sponsor_route(view_name)


def is_sponsor(user: Any) -> bool:
    """Holds a sponsor membership (at any site)."""
    return Role.SPONSOR.value in roles_of(user)


def is_sponsor_only(user: Any) -> bool:
    """A sponsor and nothing else: kept to :data:`SPONSOR_ROUTES`."""
    return roles_of(user) == {Role.SPONSOR.value}


def sponsored_sites(user: Any) -> list[str]:
    """Codes of the sites ``user`` sponsors (aggregate access), in code order."""
    ids = site_ids(user, Cap.AGGREGATE)
    return list(Site.objects.filter(pk__in=ids).order_by("code").values_list("code", flat=True))


def view_name_of(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    return "" if match is None else str(match.view_name)


def is_sponsor_access(user: Any, request: HttpRequest) -> bool:
    """A request the audit records even when it reads no patient (``audit.reads``): any request
    of a sponsor-only user, and any request to a sponsor route."""
    if not is_sponsor(user):
        return False
    return is_sponsor_only(user) or is_sponsor_route(view_name_of(request))


def refuse_outside_sponsor_routes(user: Any, request: HttpRequest) -> None:
    """403 for a sponsor-only user on a route not open to sponsors (the API's bearer users,
    who are known only once the token is read)."""
    name = view_name_of(request)
    if is_sponsor_only(user) and not open_to_sponsors(name):
        raise PermissionDenied("a sponsor sees aggregate reports and the de-identified export only")


class SponsorsSeeAggregatesOnly:
    """Answer 403 to a sponsor-only user on every route not open to sponsors (patient pages,
    lists, the audit trail, staff reports, the admin, writes): before the view runs, so nothing
    is read and nothing is written."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: object, args: object, kwargs: object
    ) -> HttpResponse | None:
        refuse_outside_sponsor_routes(request.user, request)
        return None
