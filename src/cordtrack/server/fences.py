"""Route fences: the roles kept to an allow-list of routes, 403 on every other (ADR 0052).

Two roles see less than their capabilities alone would let them (``access.ROLE_CAPS``):

* the **blinded outcome assessor** (``Role.ASSESSOR``, ADR 0040) reads what assessment needs and
  must never learn the arm or the product: most pages of a record would tell it;
* the **sponsor** (``Role.SPONSOR``, ADR 0050) sees aggregates and the de-identified export only.

Each is kept to its :class:`Fence` in :data:`ROUTE_FENCES`: the route names (``namespace:name``;
an API operation by its own name, ``api-v1:create_exam``) it may open, every other route answering
403 before the view runs, so nothing is read and nothing is written. A route added tomorrow is
closed to both until someone lists it here; ``tests/server/test_blinding.py`` and
``tests/server/test_sponsor_walk.py`` walk every route and fail on one left unclassified.

One rule for the pages (:class:`RouteFenceMiddleware`) and one for the API's bearer users, who are
known only once the token is read (:func:`check_api`, per operation).

Whose fence applies (:func:`fences_of`):

* the assessor's whenever the user holds the role at any site: what a page shows cannot be
  unlearned at another site (a clinician who also assesses blinded is blinded everywhere);
* the sponsor's only for a user whose other roles are all fenced: a clinician who also sponsors
  works their site as a clinician, and the sponsor pages still show them only aggregates;
* a user with both fenced roles is kept to the routes both fences open (the intersection, the
  most restrictive): the sponsor pages compare arms (closed to the assessor), the assessor's pages
  show records (closed to the sponsor). That leaves signing in, the public pages and the schema.

Hiding the treatment rows from a blinded request is not a route matter: ``blinding`` does it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import template
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from .access import roles_of
from .accounts.models import Role

#: Open to every fenced role: signing in and out, the second factor, the language picker (every
#: page's footer, ADR 0043), the public page of published figures and its PDF (registry
#: aggregates only, ADR 0030), and the API's schema (no data).
BASE_ROUTES = frozenset({
    "home", "login", "logout", "otp-setup", "otp-verify", "language", "expect:page", "expect:pdf",
    "api-v1:openapi-json",
})  # fmt: skip


@dataclass(frozen=True)
class Fence:
    """The routes one role may open: by name, or every route whose name starts with a prefix."""

    routes: frozenset[str]
    refusal: str  # the 403's message (no patient data: it is the same for every record)
    prefixes: tuple[str, ...] = ()
    # Whether holding an unfenced role too lifts this fence (see the module's docstring).
    lifted_by_other_roles: bool = False

    def opens(self, view_name: str) -> bool:
        return view_name in self.routes or view_name.startswith(self.prefixes)


#: The routes of the sponsor's own pages and API operations (open to a sponsor by prefix, so a
#: new sponsor page needs no listing; ``sponsor.access.is_sponsor_route``).
SPONSOR_PREFIXES = ("sponsor:", "api-v1:sponsor_")

# fmt: off
ROUTE_FENCES: dict[str, Fence] = {
    # Each still scoped to the assessor's sites by its view: the patient list and page (whose
    # treatment rows are hidden, blinding.py), exams and instruments and the visits they are
    # entered at, and the same through the API.
    Role.ASSESSOR: Fence(
        BASE_ROUTES | {
            "patients:list", "patients:detail",
            "exam-list", "exam-new", "exam-detail", "exam-edit", "exam-sign", "exam-classify",
            "visit-detail", "instrument-new",
            "api-v1:list_patients", "api-v1:get_patient",
            "api-v1:list_exams", "api-v1:get_exam", "api-v1:create_exam", "api-v1:update_exam",
            "api-v1:sign_exam",
            "api-v1:list_visits", "api-v1:get_visit",
            "api-v1:list_instruments", "api-v1:create_instrument",
        },
        refusal="this page is closed to blinded outcome assessors",
    ),
    # The sponsor's pages and operations, and the health check (no record).
    Role.SPONSOR: Fence(
        BASE_ROUTES | {"healthz"},
        refusal="a sponsor sees aggregate reports and the de-identified export only",
        prefixes=SPONSOR_PREFIXES,
        lifted_by_other_roles=True,
    ),
}
# fmt: on


def fences_of(user: Any) -> list[Fence]:
    """The fences that keep ``user`` (none for a user who holds no fenced role)."""
    held = roles_of(user)
    unfenced = any(role not in ROUTE_FENCES for role in held)
    return [
        fence
        for role, fence in ROUTE_FENCES.items()
        if role in held and not (fence.lifted_by_other_roles and unfenced)
    ]


def may_open(user: Any, view_name: str) -> bool:
    """Whether every fence of ``user`` opens the route (no fence: yes)."""
    return all(fence.opens(view_name) for fence in fences_of(user))


#: Template filters, built into every template (settings.TEMPLATES): ``{% if user|may_open:"x" %}``
#: keeps a page from linking a fenced user to a route that would answer them 403.
register = template.Library()
register.filter("may_open", may_open)


def refuse_outside_fences(user: Any, view_name: str) -> None:
    """403 unless every fence of ``user`` opens ``view_name``."""
    for fence in fences_of(user):
        if not fence.opens(view_name):
            raise PermissionDenied(fence.refusal)


def view_name_of(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    return "" if match is None else str(match.view_name)


class RouteFenceMiddleware:
    """403 for a fenced user on every route their fences do not open, before the view runs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: object, args: object, kwargs: object
    ) -> None:
        if request.resolver_match is not None:
            refuse_outside_fences(getattr(request, "user", None), view_name_of(request))


def check_api(request: HttpRequest, user: Any) -> None:
    """The same rule for a bearer-token user, per API operation: each operation names itself on
    the request (``api.api._named``), since the GET and the POST of ``/patients`` are one Django
    route with one name."""
    name = getattr(request, "cordtrack_operation", None) or view_name_of(request)
    refuse_outside_fences(user, name)
