"""Blinded outcome assessment (issue 15 item 3; ADR 0040).

A blinded outcome assessor (``Role.ASSESSOR``) enters ISNCSCI exams and instruments and must
never learn the arm, the product or anything that would suggest them: not on a page, an htmx
fragment, an API answer, an export, an audit view or a PDF. Two independent fences:

1. **Routes, closed by default.** The assessor's route fence (``fences.ROUTE_FENCES``, ADR 0052,
   shared with the sponsor's) answers 403 on every route it does not open, pages and API
   operations alike. A page added tomorrow is closed to the assessor until someone decides it is
   safe and lists it there; ``tests/server/test_blinding.py`` walks every route and fails on one
   left unclassified.
2. **Rows** (this module). While a blinded user's request is served (:func:`blinded_request`), the
   default managers of the treatment records hide them: randomisations, their annotations and
   unblindings, administrations, lots, treatment-related adverse events (at least possibly
   related, or linked to an administration or a lot) with their follow-ups, and the data queries
   and source verifications attached to any of these. So a listed page that grows a treatment
   table shows it empty rather than leaking. ``_base_manager`` (used by Django to follow a
   foreign key and to save) is unchanged, and outside a blinded request nothing is filtered
   (the worker, the CLI, backups).

Emergency unblinding of one patient is a separate, signed act of the site's clinician
(:mod:`.services.unblinding`, ADR 0041): it never unblinds the assessor.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from django.db import models
from django.http import HttpRequest, HttpResponse

from .access import roles_of

#: The roles kept blind to arm and product.
BLINDED_ROLES = frozenset({"assessor"})

#: The blinding of a request: "" none, ASSESSOR (arm, product and treatment-related events hidden)
#: or PARTICIPANT (a randomised patient's own pages: arm and product hidden).
ASSESSOR, PARTICIPANT = "assessor", "participant"


def is_blinded(user: Any) -> bool:
    """Whether ``user`` holds a blinded role at any site (then blinded everywhere: a role at one
    site cannot be unlearned at another)."""
    return bool(roles_of(user) & BLINDED_ROLES)


def participant_blinded(user: Any) -> bool:
    """A patient user whose record is randomised: the sham arm works only if they do not learn
    their arm, so their own pages and PDFs show no arm, product, lot or administration."""
    if not getattr(user, "is_authenticated", False):
        return False
    record = getattr(user, "patient_record", None)
    if record is None:
        return False
    from .intake.models import Randomisation

    return bool(Randomisation._base_manager.filter(patient=record).exists())


def mode_of(user: Any) -> str:
    if is_blinded(user):
        return ASSESSOR
    return PARTICIPANT if participant_blinded(user) else ""


class _Blinding:
    """The blinding of the request being served, worked out from its user when first asked and
    kept for the rest of the request. The assessor's question reads only the roles (the route
    fence has read them already); the participant's looks up the user's patient record and its
    randomisation, only when a treatment row or a page's header asks (a request that shows no
    treatment row makes neither query), and at most once a request."""

    __slots__ = ("_mode", "_user")

    def __init__(self, user: Any = None, mode: str | None = None) -> None:
        self._user, self._mode = user, mode

    def mode(self) -> str:
        if self._mode is None:
            self._mode = mode_of(self._user)
        return self._mode

    def assessor(self) -> bool:
        if self._mode is None and not is_blinded(self._user):
            return False  # not an assessor; whether a participant is left unasked
        return self.mode() == ASSESSOR


_NONE = _Blinding(mode="")
_blinded: ContextVar[_Blinding] = ContextVar("cordtrack_blinded_request", default=_NONE)


def blinded_request() -> bool:
    """Whether the request being served is a blinded assessor's (treatment rows hidden)."""
    return _blinded.get().assessor()


def current_mode() -> str:
    """The blinding of the request being served: "" (none), ASSESSOR or PARTICIPANT (what is
    computed from the default managers differs with it: the dashboard's kept counts, ADR 0056)."""
    return _blinded.get().mode()


def product_hidden() -> bool:
    """Whether arm and product are hidden in this request (an assessor's or a randomised
    patient's)."""
    return _blinded.get().mode() != ""


@contextmanager
def _serving(blinding: _Blinding) -> Iterator[None]:
    token = _blinded.set(blinding)
    try:
        yield
    finally:
        _blinded.reset(token)


def blinded(mode: str = ASSESSOR) -> AbstractContextManager[None]:
    """Serve the block as a blinded request would be (tests, and the middleware itself)."""
    return _serving(_Blinding(mode=mode))


class BlindingMiddleware:
    """Rows hidden for the whole request of a blinded user (its blinding worked out when first
    asked, reset when the response leaves); the routes closed to them are the route fence's
    (``fences``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with _serving(_Blinding(getattr(request, "user", None))):
            return self.get_response(request)


def blind_api_request(user: Any) -> None:
    """Hide the rows for a bearer-token user, who is known only once the API authenticated them
    (inside :class:`BlindingMiddleware`'s request, which resets the blinding when it leaves)."""
    _blinded.set(_Blinding(user))


M = TypeVar("M", bound=models.Model)


class HiddenWhenBlinded(models.Manager[M]):
    """Default manager of a treatment record: no row at all while arm and product are hidden."""

    def get_queryset(self) -> models.QuerySet[M]:
        rows = super().get_queryset()
        return rows.none() if product_hidden() else rows


def treatment_related() -> models.Q:
    """Adverse events that would suggest the arm: at least possibly related (the suspected
    classes of ``cordtrack.clinical.safety``) or linked to an administration or a lot."""
    from cordtrack.clinical.safety import DEFAULT_SUSPECTED

    return (
        models.Q(relatedness__in=[str(r) for r in DEFAULT_SUSPECTED])
        | models.Q(administration__isnull=False)
        | models.Q(lot__isnull=False)
    )


def _hidden_event_ids() -> models.QuerySet[Any]:
    from .safety.models import AdverseEvent

    return AdverseEvent._base_manager.filter(treatment_related()).values("pk")


class TreatmentEventsHiddenWhenBlinded(models.Manager[M]):
    """Adverse events: the treatment-related ones hidden during a blinded request."""

    def get_queryset(self) -> models.QuerySet[M]:
        rows = super().get_queryset()
        return rows.exclude(treatment_related()) if blinded_request() else rows


class FollowUpsHiddenWhenBlinded(models.Manager[M]):
    """Follow-ups of an adverse event hidden with their event."""

    def get_queryset(self) -> models.QuerySet[M]:
        rows = super().get_queryset()
        return rows.exclude(event__in=_hidden_event_ids()) if blinded_request() else rows


def _attached(prefix: str) -> models.Q:
    """Queries or verifications (``prefix`` to their target fields) attached to hidden rows."""
    return models.Q((f"{prefix}target", "administration")) | models.Q(
        (f"{prefix}target", "adverse_event"), (f"{prefix}target_id__in", _hidden_event_ids())
    )


class AttachedHiddenWhenBlinded(models.Manager[M]):
    """Data queries and source verifications of hidden rows hidden with them."""

    def get_queryset(self) -> models.QuerySet[M]:
        rows = super().get_queryset()
        return rows.exclude(_attached("")) if blinded_request() else rows


class MessagesHiddenWhenBlinded(models.Manager[M]):
    """The thread of a hidden data query hidden with it."""

    def get_queryset(self) -> models.QuerySet[M]:
        rows = super().get_queryset()
        return rows.exclude(_attached("query__")) if blinded_request() else rows
