"""Reporting an adverse event and telling the site's monitors when it is serious.

The e-mail goes through Django's mail backend after the transaction commits, so a refused or
rolled-back report sends nothing. It names the study id, term and grade only (no identifiers);
the monitors' dashboards list the same open serious events.
"""

from __future__ import annotations

from typing import Any

from django.core.mail import send_mail
from django.db import transaction

from ..accounts.models import Role, User
from ..patients.models import Patient
from ..safety.models import AdverseEvent
from . import safety


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


def notify_serious_event(event: AdverseEvent) -> int:
    """Send one e-mail to every monitor of the event's site; returns how many were sent."""
    if not event.serious:
        return 0
    recipients = [a for a in (address_of(u) for u in monitors_of(event.patient.site_id)) if a]
    if not recipients:
        return 0
    subject = f"Serious adverse event at {event.patient.site.code}: {event.patient.study_id}"
    body = (
        f"A serious adverse event was reported for {event.patient.study_id}.\n"
        f"Term: {event.term}\nCTCAE grade: {event.ctcae_grade}\nOnset: {event.onset_date}\n\n"
        f"Review it in CordTrack: /patients/{event.patient_id}/ (open serious events are listed "
        "on your dashboard)."
    )
    return send_mail(subject, body, None, recipients)


def report_and_notify(actor: Any, patient: Patient, **values: Any) -> AdverseEvent:
    """:func:`safety.report_adverse_event`, then the monitors' e-mail once it is committed."""
    with transaction.atomic():
        event = safety.report_adverse_event(actor, patient, **values)
        transaction.on_commit(lambda: notify_serious_event(event))
    return event
