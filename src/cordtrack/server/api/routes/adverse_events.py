"""One adverse event: read it with its follow-up and clock, follow it up, resolve it."""

# No ``from __future__ import annotations`` here: django-ninja reads the operations' annotations
# at import time (Query[...], pagination), and string annotations break that.

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Status

from ...access import Cap, get_scoped_or_404
from ...safety.clock import event_clock
from ...safety.models import AdverseEvent, AdverseEventFollowUp
from ...services import ae_followup, signatures
from ..errors import responses
from ..idempotency import OPENAPI_EXTRA, idempotent
from ..schemas import AdverseEventOut, SignatureOut
from ..trial_schemas import AdverseEventPatchIn, ClockOut, FollowUpIn, FollowUpOut
from . import checked_id, one, user_of

router = Router()


class AdverseEventDetailOut(AdverseEventOut):
    clock: ClockOut | None
    follow_ups: list[FollowUpOut]
    signatures: list[SignatureOut] = Field(
        description="the investigator's sign-off (authored) and the closure (reviewed), oldest "
        "first, each valid, invalidated by a later change, or superseded"
    )


def follow_up_out(f: AdverseEventFollowUp) -> FollowUpOut:
    return FollowUpOut(
        id=f.pk, event_id=f.event_id, date=f.date, status=f.status, grade_from=f.grade_from,
        grade_to=f.grade_to, grade_reason=f.grade_reason, treatment=f.treatment,
        outcome=f.outcome, note=f.note, author=f.author.username,
    )  # fmt: skip


def detail_out(event: AdverseEvent) -> dict[str, Any]:
    clock = event_clock(event, timezone.localdate())
    base = AdverseEventOut.from_orm(event).model_dump()
    return AdverseEventDetailOut(
        **base,
        clock=ClockOut(**{k: getattr(clock, k) for k in ClockOut.model_fields}) if clock else None,
        follow_ups=[follow_up_out(f) for f in event.follow_ups.select_related("author")],
        signatures=[SignatureOut(**s.as_dict()) for s in signatures.states(event)],
    ).model_dump(mode="json")


def _event(request: HttpRequest, event_id: int, cap: Cap = Cap.READ) -> AdverseEvent:
    queryset = AdverseEvent.objects.select_related("patient")
    return get_scoped_or_404(user_of(request), queryset, cap, pk=checked_id(event_id))


@router.get(
    "/adverse-events/{event_id}",
    response=responses(200, AdverseEventDetailOut),
    tags=["adverse events"],
)
def get_adverse_event(request: HttpRequest, event_id: int) -> dict[str, Any]:
    """The event with its follow-up entries and, if serious, its regulatory clock."""
    return detail_out(one(request, AdverseEvent.objects.select_related("patient"),
                          checked_id(event_id)))  # fmt: skip


@router.post(
    "/adverse-events/{event_id}/follow-ups",
    response=responses(201, FollowUpOut),
    tags=["adverse events"],
    openapi_extra=OPENAPI_EXTRA,
)
@idempotent
def create_follow_up(
    request: HttpRequest, event_id: int, payload: FollowUpIn
) -> Status[dict[str, Any]]:
    """Record a follow-up (clinicians, data managers); the event's grade (a change needs
    ``reason``), outcome and resolution follow it."""
    event = _event(request, event_id, Cap.CLINICAL)
    entry = ae_followup.add_follow_up(user_of(request), event, **payload.model_dump())
    return Status(201, follow_up_out(entry).model_dump(mode="json"))


@router.patch(
    "/adverse-events/{event_id}",
    response=responses(200, AdverseEventDetailOut),
    tags=["adverse events"],
)
def update_adverse_event(
    request: HttpRequest, event_id: int, payload: AdverseEventPatchIn
) -> dict[str, Any]:
    """A follow-up or resolution: any of ``ctcae_grade`` (a change needs ``reason``),
    ``outcome``, ``status``, ``resolution_date``, ``treatment``, ``note`` records a follow-up
    dated ``date`` (default today); ``awareness_date`` and ``initial_report_date`` set the
    reporting clock. All in one transaction."""
    event = _event(request, event_id, Cap.CLINICAL)
    actor = user_of(request)
    sent = payload.model_fields_set
    follow = {"ctcae_grade", "outcome", "status", "resolution_date", "treatment", "note"} & sent
    with transaction.atomic():
        if {"awareness_date", "initial_report_date"} & sent:
            ae_followup.record_report_dates(
                actor, event, awareness_date=payload.awareness_date,
                initial_report_date=payload.initial_report_date, reason=payload.reason,
            )  # fmt: skip
        if follow:
            resolving = payload.resolution_date is not None
            ae_followup.add_follow_up(
                actor, event, date=payload.date or timezone.localdate(),
                status=payload.status or ("resolved" if resolving else "ongoing"),
                outcome=payload.outcome or event.outcome, ctcae_grade=payload.ctcae_grade,
                reason=payload.reason, treatment=payload.treatment, note=payload.note,
                resolution_date=payload.resolution_date,
            )  # fmt: skip
    event.refresh_from_db()
    return detail_out(event)
