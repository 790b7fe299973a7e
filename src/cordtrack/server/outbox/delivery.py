"""Writing notifications to the outbox, and delivering the due ones.

Delivery is **at least once**: a worker claims due rows with a lease (``SKIP LOCKED`` on
PostgreSQL; SQLite serialises writers), confirms its claim just before sending each one, and marks
it sent right after. Two workers never send the same row at once. A worker killed between the
mail server's acceptance and the ``sent`` mark leaves the row claimed; once the lease expires it is
sent again, so that narrow window can duplicate a message, and never loses one: a missed serious
adverse event notification is worse than a second copy. Every copy carries the same
``Message-ID`` (``<outbox-ID@domain>``), so mail clients can recognise a duplicate; every copy of
a text message carries the same idempotency key (:func:`idempotency_key`), so an SMS provider
that honours it sends it once.

A backend that raises :class:`UndeliverableError` says that no retry can help (a provider refusing
a number as invalid): the message is marked failed at once instead of being retried.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import logging
import uuid
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from ..logsafety import redact_contacts
from .models import Channel, OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)

#: How long a claim holds before another worker may take the row (well above one SMTP timeout).
LEASE = dt.timedelta(minutes=5)
#: Attempts before a message is marked failed: with the backoff below, about three hours.
MAX_ATTEMPTS = 10
FIRST_RETRY = dt.timedelta(seconds=30)
LONGEST_WAIT = dt.timedelta(hours=1)


class UndeliverableError(Exception):
    """Raised by a backend for a message that no retry can deliver (refused as invalid)."""


@dataclasses.dataclass(frozen=True)
class DeliveryReport:
    """What one :func:`deliver_due` did (``sent_ids``: the rows it sent)."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    sent_ids: tuple[int, ...] = ()

    @property
    def claimed(self) -> int:
        return self.sent + self.retrying + self.failed


def enqueue(
    topic: str,
    recipients: Iterable[str],
    subject: str,
    body: str,
    *,
    dedupe_key: str | None = None,
    channel: str = Channel.EMAIL,
) -> OutboxMessage | None:
    """Write an e-mail (or, with ``channel="sms"``, a text message) to the outbox, in the
    caller's transaction (call it inside the service's ``transaction.atomic`` so the message
    commits or rolls back with the save). Nothing is written without recipients, nor a second
    time for the same ``dedupe_key``."""
    to = sorted({r for r in recipients if r})
    if not to:
        return None
    if dedupe_key is not None and OutboxMessage.objects.filter(dedupe_key=dedupe_key).exists():
        return None
    return OutboxMessage.objects.create(
        topic=topic, recipients=to, subject=subject, body=body, dedupe_key=dedupe_key,
        channel=channel,
    )  # fmt: skip


def backoff(attempts: int) -> dt.timedelta:
    """The wait after the ``attempts``-th failed attempt: 30 s, 1 min, 2 min... at most 1 h."""
    wait: dt.timedelta = FIRST_RETRY * 2 ** max(attempts - 1, 0)
    return min(wait, LONGEST_WAIT)


def deliver_due(
    now: dt.datetime | None = None, limit: int = 100, *, topics: Iterable[str] | None = None
) -> DeliveryReport:
    """Send up to ``limit`` due messages (pending and due, or claimed by a worker whose lease
    has run out; only those of ``topics`` when given); returns how many were sent, will be
    retried, and failed for good."""
    now = now or timezone.now()
    token, rows = _claim(now, limit, None if topics is None else list(topics))
    sent = retrying = failed = 0
    sent_ids: list[int] = []
    mail = get_connection(fail_silently=False)
    sms: Any = None
    try:
        for row in rows:
            if not _still_ours(row, token, now):
                continue
            try:
                if row.channel == Channel.SMS:
                    sms = sms or _sms_connection()
                    _send_sms(row, sms)
                else:
                    _message(row, mail).send()
            except Exception as exc:  # any backend error: retry later
                if _failed(row, token, now, exc):
                    failed += 1
                else:
                    retrying += 1
            else:
                OutboxMessage.objects.filter(pk=row.pk, claim=token).update(
                    status=OutboxStatus.SENT, sent_at=timezone.now(), claimed_until=None,
                    last_error="",
                )  # fmt: skip
                sent += 1
                sent_ids.append(row.pk)
    finally:
        try:
            mail.close()
        except Exception:  # closing a broken connection
            log.warning("outbox: closing the mail connection failed", exc_info=True)
        if sms is not None:
            try:
                sms.close()
            except Exception:
                log.warning("outbox: closing the SMS connection failed", exc_info=True)
    return DeliveryReport(sent, retrying, failed, tuple(sent_ids))


def idempotency_key(row: OutboxMessage) -> str:
    """The key every copy of one message carries to a provider that deduplicates: the same for
    a row on every attempt, different for every row (across databases too: the creation time is
    in it), and with nothing of the message or its recipient in it."""
    seed = f"{row.pk}:{row.created_at.isoformat()}:{row.dedupe_key or ''}"
    return "cordtrack-" + hashlib.sha256(seed.encode()).hexdigest()[:40]


def _sms_connection() -> Any:
    from ..reminders.sms import get_backend

    return get_backend()


def _send_sms(row: OutboxMessage, backend: Any) -> None:
    from ..reminders.sms import TextMessage

    for to in row.recipients:
        backend.send(TextMessage(to=to, body=row.body, key=idempotency_key(row)))


def _claim(
    now: dt.datetime, limit: int, topics: list[str] | None = None
) -> tuple[str, list[OutboxMessage]]:
    token = uuid.uuid4().hex
    due = Q(status=OutboxStatus.PENDING, due_at__lte=now) | Q(
        status=OutboxStatus.SENDING, claimed_until__lte=now
    )
    if topics is not None:
        due &= Q(topic__in=topics)
    with transaction.atomic():
        rows = OutboxMessage.objects.filter(due).order_by("due_at", "pk")
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True)
        ids = list(rows.values_list("pk", flat=True)[:limit])
        OutboxMessage.objects.filter(due, pk__in=ids).update(
            status=OutboxStatus.SENDING, claim=token, claimed_until=now + LEASE,
            attempts=F("attempts") + 1,
        )  # fmt: skip
    return token, list(OutboxMessage.objects.filter(claim=token).order_by("due_at", "pk"))


def _still_ours(row: OutboxMessage, token: str, now: dt.datetime) -> bool:
    """Renew the lease just before sending; False when another worker took the row meanwhile."""
    later = max(now, timezone.now()) + LEASE
    return bool(
        OutboxMessage.objects.filter(pk=row.pk, claim=token, status=OutboxStatus.SENDING).update(
            claimed_until=later
        )
    )


def _message(row: OutboxMessage, mail: object) -> EmailMessage:
    domain = getattr(settings, "OUTBOX_MESSAGE_ID_DOMAIN", "cordtrack.invalid")
    return EmailMessage(
        subject=row.subject,
        body=row.body,
        to=list(row.recipients),
        connection=mail,
        headers={"Message-ID": f"<outbox-{row.pk}@{domain}>"},
    )


def _failed(row: OutboxMessage, token: str, now: dt.datetime, exc: Exception) -> bool:
    """Record a failed attempt; True when it was the last one."""
    # A refusal names its recipient ("550 5.1.1 <someone@example.org>: ..."): the error is kept
    # (and printed by `cordtrack outbox status`) without addresses or numbers.
    error = redact_contacts(f"{type(exc).__name__}: {exc}")[:500]
    last = row.attempts >= MAX_ATTEMPTS or isinstance(exc, UndeliverableError)
    log.warning(
        "outbox: message %s attempt %s failed (%s)", row.pk, row.attempts, type(exc).__name__
    )
    OutboxMessage.objects.filter(pk=row.pk, claim=token).update(
        status=OutboxStatus.FAILED if last else OutboxStatus.PENDING,
        due_at=now + backoff(row.attempts), claimed_until=None, last_error=error,
    )  # fmt: skip
    return last


def requeue_failed(ids: Iterable[int] | None = None) -> int:
    """Put failed messages (all, or those of ``ids``) back in the queue with fresh attempts."""
    rows = OutboxMessage.objects.filter(status=OutboxStatus.FAILED)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return rows.update(status=OutboxStatus.PENDING, attempts=0, due_at=timezone.now(), claim="")
