"""Telling the site's monitors about a serious adverse event.

The e-mail is written to the outbox (:mod:`cordtrack.server.outbox`) in the transaction of the
save that made the event serious, so a committed event always has its notification, a rolled-back
one never does, and a mail server that is down or not configured never breaks the save: the
message waits in the outbox and ``cordtrack outbox deliver`` (or the worker) sends it with
retries. It names the study id, term and grade only (no identifiers); the monitors' dashboards
list the same open serious events. One event is notified once (``sae:<event id>``), whether it
was serious when reported or became serious on correction.
"""

from __future__ import annotations

from ..accounts.models import Role, User
from ..outbox.delivery import enqueue
from ..outbox.models import OutboxMessage
from ..safety.models import AdverseEvent

TOPIC_SERIOUS_EVENT = "serious_adverse_event"


def monitors_of(site_id: int) -> list[User]:
    return list(
        User.objects.filter(memberships__site_id=site_id, memberships__role=Role.MONITOR)
        .filter(is_active=True)
        .distinct()
        .order_by("pk")
    )


def address_of(user: User) -> str:
    """The user's e-mail address; demo and test users are named like addresses."""
    return user.email or (user.username if "@" in user.username else "")


def enqueue_serious_event(event: AdverseEvent) -> OutboxMessage | None:
    """Queue one e-mail to every monitor of a serious event's site (inside the save's
    transaction); None when the event is not serious, has no monitor, or was already queued."""
    if not event.serious:
        return None
    recipients = [address_of(u) for u in monitors_of(event.patient.site_id)]
    subject = f"Serious adverse event at {event.patient.site.code}: {event.patient.study_id}"
    body = (
        f"A serious adverse event was reported for {event.patient.study_id}.\n"
        f"Term: {event.term}\nCTCAE grade: {event.ctcae_grade}\nOnset: {event.onset_date}\n\n"
        f"Review it in CordTrack: /patients/{event.patient_id}/ (open serious events are listed "
        "on your dashboard)."
    )
    return enqueue(TOPIC_SERIOUS_EVENT, recipients, subject, body, dedupe_key=f"sae:{event.pk}")
