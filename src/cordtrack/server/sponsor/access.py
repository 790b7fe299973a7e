"""Who is a sponsor, and which requests of theirs the audit records.

A sponsor holds ``Role.SPONSOR`` memberships, one per sponsored site, which grant
``Cap.AGGREGATE`` and no ``Cap.READ``: the access rules (``access.scoped``) already give such a
user no record. On top of that, the sponsor's route fence (``fences.ROUTE_FENCES``, ADR 0052,
shared with the blinded assessor's) answers 403 to a sponsor on every route but the sponsor's
pages and API operations and the public ones, so a page added later is closed to sponsors until
someone opens it there; ``tests/server/test_sponsor_walk.py`` classifies every route. A user who
also holds an unfenced role is not kept to the fence: their other role decides what they see
elsewhere; the sponsor pages still show them only aggregates.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from ..access import Cap, roles_of, site_ids
from ..accounts.models import Role, Site
from ..fences import SPONSOR_PREFIXES, view_name_of


def is_sponsor_route(view_name: str) -> bool:
    """A route of the sponsor's own pages or API."""
    return view_name.startswith(SPONSOR_PREFIXES)


def is_sponsor(user: Any) -> bool:
    """Holds a sponsor membership (at any site)."""
    return Role.SPONSOR.value in roles_of(user)


def is_sponsor_only(user: Any) -> bool:
    """A sponsor and nothing else (sent to the sponsor's pages from home)."""
    return roles_of(user) == {Role.SPONSOR.value}


def sponsored_sites(user: Any) -> list[str]:
    """Codes of the sites ``user`` sponsors (aggregate access), in code order."""
    ids = site_ids(user, Cap.AGGREGATE)
    return list(Site.objects.filter(pk__in=ids).order_by("code").values_list("code", flat=True))


def is_sponsor_access(user: Any, request: HttpRequest) -> bool:
    """A request the audit records even when it reads no patient (``audit.reads``): any request
    of a sponsor-only user, and any request to a sponsor route."""
    if not is_sponsor(user):
        return False
    return is_sponsor_only(user) or is_sponsor_route(view_name_of(request))
