"""Following an adverse event to its outcome: follow-up entries (state, grade change with its
reason, treatment, outcome) that carry the event along, the event's regulatory clock, and its
closure after review (a signature)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from ..access import Cap, require
from ..safety.models import (
    FINAL_OUTCOMES,
    AdverseEvent,
    AdverseEventFollowUp,
    FollowUpStatus,
    Outcome,
)
from ..signatures.models import Meaning
from . import signatures
from .base import FieldErrors, create
from .safety import correct_adverse_event

#: Outcomes of a resolved event.
RESOLVED_OUTCOMES = frozenset({Outcome.RECOVERED, Outcome.SEQUELAE, Outcome.FATAL})


def add_follow_up(
    actor: Any,
    event: AdverseEvent,
    *,
    date: dt.date,
    status: str,
    outcome: str,
    ctcae_grade: int | None = None,
    reason: str = "",
    treatment: str = "",
    note: str = "",
    resolution_date: dt.date | None = None,
) -> AdverseEventFollowUp:
    """Record a follow-up and carry the event along (grade, outcome, resolution date), in one
    transaction. A changed grade needs ``reason``; status ``resolved`` a resolved outcome
    (recovered, recovered with sequelae, fatal) and a resolution date (default: ``date``)."""
    require(actor, event.patient.site_id, Cap.CLINICAL)
    errors = FieldErrors()
    if event.closed_at is not None:
        errors.add("status", "this adverse event is closed")
    if status not in FollowUpStatus.values:
        errors.add("status", f"must be one of {', '.join(FollowUpStatus.values)}")
    if outcome not in Outcome.values:
        errors.add("outcome", f"must be one of {', '.join(Outcome.values)}")
    if date > timezone.localdate():
        errors.add("date", "cannot be in the future")
    if date < event.onset_date:
        errors.add("date", "is before the onset")
    grade = event.ctcae_grade if ctcae_grade is None else ctcae_grade
    if grade != event.ctcae_grade and not reason.strip():
        errors.add("reason", "is required to change the grade")
    resolving = status == FollowUpStatus.RESOLVED
    if resolving and outcome not in RESOLVED_OUTCOMES:
        errors.add("outcome", "a resolved event is recovered, recovered with sequelae or fatal")
    if not resolving and outcome in (Outcome.RECOVERED, Outcome.SEQUELAE):
        errors.add("status", "a recovered event is resolved: choose status resolved")
    for key, text, limit in (("treatment", treatment, 1000), ("note", note, 2000),
                             ("reason", reason, 300)):  # fmt: skip
        if len(text) > limit:
            errors.add(key, f"is longer than {limit} characters")
    errors.raise_if_any()
    changes: dict[str, Any] = {"ctcae_grade": grade, "outcome": outcome}
    if resolving:
        changes["resolution_date"] = resolution_date or date
    elif event.resolution_date is not None:
        changes["resolution_date"] = None  # it recurred or was resolved in error
    why = reason.strip() or f"follow-up of {date.isoformat()}"
    with transaction.atomic():
        before = event.ctcae_grade
        correct_adverse_event(actor, event, reason=why, **changes)
        return create(
            actor,
            AdverseEventFollowUp(
                event=event, date=date, status=status, grade_from=before, grade_to=grade,
                grade_reason=reason.strip(), treatment=treatment.strip(), outcome=outcome,
                note=note.strip(), author=actor, recorded_at=timezone.now(),
            ),
        )  # fmt: skip


def record_report_dates(
    actor: Any,
    event: AdverseEvent,
    *,
    awareness_date: dt.date | None = None,
    initial_report_date: dt.date | None = None,
    reason: str = "",
) -> AdverseEvent:
    """Set when the site became aware of the event and when the initial report was made."""
    changes: dict[str, Any] = {}
    if awareness_date is not None:
        changes["awareness_date"] = awareness_date
    if initial_report_date is not None:
        changes["initial_report_date"] = initial_report_date
    return correct_adverse_event(actor, event, reason=reason, **changes)


def close_adverse_event(
    actor: Any,
    event: AdverseEvent,
    *,
    password: str | signatures.Reauthentication,
    request: HttpRequest | None = None,
) -> AdverseEvent:
    """Close a followed-up event after review: an electronic signature meaning "reviewed" by a
    monitor (the ``safety_review`` capability; a clinician cannot close). The event must have
    reached a final outcome (recovered, recovered with sequelae, fatal, or unknown when lost to
    follow-up) and, if serious, its initial report must be recorded. A closed event takes no
    follow-up or correction and leaves the open lists; a later change of it (outside the
    services) shows the closing signature invalidated."""
    require(actor, event.patient.site_id, Cap.SAFETY_REVIEW)
    errors = FieldErrors()
    if event.closed_at is not None:
        errors.add("status", "this adverse event is already closed")
    else:
        if event.outcome not in FINAL_OUTCOMES:
            errors.add("outcome", f"is '{event.get_outcome_display()}': an event is closed once "
                       "it has resolved (or its outcome is final or unknown)")  # fmt: skip
        if event.serious and event.initial_report_date is None:
            errors.add("initial_report_date", "a serious event is closed only once its initial "
                       "report is recorded")  # fmt: skip
    errors.raise_if_any()

    def close() -> None:
        event.closed_at, event.closed_by = timezone.now(), actor
        event.save(update_fields=["closed_at", "closed_by"])

    signatures.sign(actor, password, event, Meaning.REVIEWED, request=request, apply=close)
    return event
