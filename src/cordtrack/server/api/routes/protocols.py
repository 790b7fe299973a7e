"""Protocols as versioned data: the active version of each protocol, and every version."""

# No ``from __future__ import annotations`` here: django-ninja reads the operations' annotations
# at import time (Query[...], pagination), and string annotations break that.

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpRequest
from ninja import Router
from ninja.pagination import paginate

from ...access import site_ids
from ...intake.models import Protocol, ProtocolStatus
from ..errors import responses
from ..pagination import Paged, Pages
from ..protocol_schemas import ProtocolOut, ProtocolVersionOut
from . import user_of

router = Router()


def _staff(request: HttpRequest) -> None:
    """Protocols are shared by every site; any staff member reads them, a patient does not."""
    if not site_ids(user_of(request)):
        raise PermissionDenied("protocols are for site staff")


def version_out(p: Protocol) -> dict[str, Any]:
    arms = [a for a in p.arms if isinstance(a, dict)]
    return ProtocolVersionOut(
        version_id=p.pk, version=p.version, status=p.status, name=p.title, design=p.design,
        arms=[str(a.get("name")) for a in arms],
        arm_descriptions={str(a.get("name")): str(a.get("description", "")) for a in arms},
        randomisation=p.randomisation if p.design == "randomised" else {},
        criteria=p.criteria, schedule=p.schedule if isinstance(p.schedule, dict) else {},
        instruments=p.instruments, treatment_plan=p.treatment_plan, based_on=p.based_on_id,
        created_at=p.created_at, activated_at=p.activated_at,
        activation_reason=p.activation_reason,
    ).model_dump(mode="json")  # fmt: skip


def protocol_out(p: Protocol) -> dict[str, Any]:
    return {"id": p.code, "versions": getattr(p, "n_versions", 1), **version_out(p)}


@router.get("/protocols", response=responses(200, list[ProtocolOut]), tags=["protocols"])
@paginate(Pages)
def list_protocols(request: HttpRequest) -> Any:
    """Every protocol with its active version (criteria, schedule, arms...), by code."""
    _staff(request)
    counts = dict(
        Protocol.objects.values_list("code").annotate(n=Count("pk")).values_list("code", "n")
    )
    rows = Protocol.objects.filter(status=ProtocolStatus.ACTIVE).order_by("code")

    def render(p: Protocol) -> dict[str, Any]:
        p.n_versions = counts.get(p.code, 1)  # type: ignore[attr-defined]
        return protocol_out(p)

    return Paged(rows, render)


@router.get(
    "/protocols/{protocol_id}/versions",
    response=responses(200, list[ProtocolVersionOut]),
    tags=["protocols"],
)
@paginate(Pages)
def list_versions(request: HttpRequest, protocol_id: str) -> Any:
    """Every version of one protocol (``protocol_id`` is its code), newest first."""
    _staff(request)
    if "\x00" in protocol_id or len(protocol_id) > 30:  # never a code; PostgreSQL refuses NUL
        raise Http404("no such protocol")
    rows = Protocol.objects.filter(code=protocol_id).order_by("-pk")
    if not rows.exists():
        raise Http404("no such protocol")
    return Paged(rows, version_out)
