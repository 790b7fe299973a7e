"""Sending the reminders due: queue each once per channel through the outbox, then deliver.

:func:`queue_due` writes, for each due reminder (:mod:`.plan`) and each channel the patient has
an address for and has not opted out of, a :class:`~.models.ReminderLog` row and the message's
outbox row in one transaction; the log's unique ``(cause, channel)`` makes a second run (or two
runs at once) queue nothing new. :func:`run` then delivers the reminders' outbox rows: a mail
server or SMS provider that is down leaves them queued, retried by the next run or by the
worker's outbox delivery, never lost (ADR 0036, 0046).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from ..outbox.delivery import deliver_due, enqueue
from ..outbox.models import Channel, OutboxMessage, OutboxStatus
from . import sms
from .models import ContactPreference, ReminderLog
from .plan import Due, due_reminders
from .texts import language_of, render

log = logging.getLogger("cordtrack.reminders")

TOPIC = "reminder"
#: Outbox rows delivered per round of :func:`run`.
ROUND = 100


@dataclass
class RunReport:
    """What one run did: ``queued`` the reminders it wrote, ``sent`` those delivered (queued now
    or earlier), ``waiting`` those still to deliver after it (a retry is due later), ``failed``
    those given up during it, ``skipped`` why due reminders were not queued."""

    queued: list[ReminderLog] = field(default_factory=list)
    sent: list[ReminderLog] = field(default_factory=list)
    failed: int = 0
    waiting: int = 0
    skipped: Counter[str] = field(default_factory=Counter)

    def to_dict(self) -> dict[str, Any]:
        def rows(logs: list[ReminderLog]) -> list[dict[str, Any]]:
            return [
                {"id": r.pk, "channel": r.channel, "template": r.template,
                 "language": r.language, "due_on": r.due_on.isoformat()}
                for r in logs
            ]  # fmt: skip

        by_channel = Counter(r.channel for r in self.sent)
        return {
            "sent": len(self.sent),
            "email": by_channel[Channel.EMAIL],
            "sms": by_channel[Channel.SMS],
            "queued": len(self.queued),
            "waiting": self.waiting,
            "failed": self.failed,
            "skipped": dict(sorted(self.skipped.items())),
            "messages": rows(self.sent),
        }


def _addresses(due: Due, preference: ContactPreference | None) -> dict[str, str | None]:
    """The address per channel, None when the patient opted out or has none."""
    patient = due.patient
    email = (preference.email if preference else "") or (
        patient.user.email if patient.user is not None else ""
    )
    phone = preference.phone if preference else ""
    out: dict[str, str | None] = {Channel.EMAIL: email or None, Channel.SMS: phone or None}
    if preference is not None and preference.email_opt_out:
        out[Channel.EMAIL] = None
    if preference is not None and preference.sms_opt_out:
        out[Channel.SMS] = None
    return out


def _skip_reason(due: Due, channel: str, preference: ContactPreference | None) -> str:
    opted = preference is not None and (
        preference.email_opt_out if channel == Channel.EMAIL else preference.sms_opt_out
    )
    return "opted_out" if opted else "no_address"


def queue_due(today: dt.date, report: RunReport | None = None) -> RunReport:
    report = report or RunReport()
    due = due_reminders(today)
    if not due:
        return report
    patients = {d.patient.pk for d in due}
    preferences = {
        p.patient_id: p for p in ContactPreference.objects.filter(patient_id__in=patients)
    }
    done = set(
        ReminderLog.objects.filter(cause__in=[d.cause for d in due]).values_list("cause", "channel")
    )
    sms_on = sms.enabled()
    for d in due:
        preference = preferences.get(d.patient.pk)
        for channel, address in _addresses(d, preference).items():
            if (d.cause, channel) in done:
                report.skipped["already_sent"] += 1
            elif address is None:
                report.skipped[_skip_reason(d, channel, preference)] += 1
            elif channel == Channel.SMS and not sms_on:
                report.skipped["sms_off"] += 1
            else:
                row = _queue(d, channel, address)
                if row is None:
                    report.skipped["already_sent"] += 1
                else:
                    report.queued.append(row)
    return report


def _queue(due: Due, channel: str, address: str) -> ReminderLog | None:
    language = language_of(due.patient)
    text = render(due, channel, language)
    try:
        with transaction.atomic():
            message = enqueue(
                TOPIC, [address], text.subject, text.body,
                dedupe_key=f"reminder:{channel}:{due.cause}", channel=channel,
            )  # fmt: skip
            if message is None:
                return None
            return ReminderLog.objects.create(
                patient=due.patient, visit=due.visit, template=due.template, channel=channel,
                cause=due.cause, language=language, due_on=due.due_on, message=message,
            )  # fmt: skip
    except IntegrityError:  # another run queued the same cause a moment ago
        return None


def run(now: dt.datetime | None = None, *, deliver: bool = True) -> RunReport:
    """Queue what is due now, then (``deliver``) send the reminders' outbox rows that are due."""
    now = now or timezone.now()
    report = queue_due(timezone.localdate(now))
    if deliver:
        sent_ids: list[int] = []
        while True:
            # (the rows just queued are due from the moment they were written)
            delivery = deliver_due(now=max(now, timezone.now()), limit=ROUND, topics=[TOPIC])
            sent_ids.extend(delivery.sent_ids)
            report.failed += delivery.failed
            if delivery.claimed < ROUND:
                break
        report.sent = list(ReminderLog.objects.filter(message_id__in=sent_ids).order_by("pk"))
    report.waiting = OutboxMessage.objects.filter(
        topic=TOPIC, status__in=(OutboxStatus.PENDING, OutboxStatus.SENDING)
    ).count()
    if report.queued or report.sent or report.failed:
        log.info(
            "reminders: %d queued, %d sent, %d failed, %d waiting",
            len(report.queued), len(report.sent), report.failed, report.waiting,
        )  # fmt: skip
    return report
