"""Writing notifications to the outbox, and delivering the due ones.

Delivery is **at least once**: a worker claims due rows with a lease (``SKIP LOCKED`` on
PostgreSQL; SQLite serialises writers), confirms its claim just before sending each one, and marks
it sent right after. Two workers never send the same row at once. A worker killed between the
mail server's acceptance and the ``sent`` mark leaves the row claimed; once the lease expires it is
sent again, so that narrow window can duplicate a message, and never loses one: a missed serious
adverse event notification is worse than a second copy. Every copy carries the same
``Message-ID`` (``<outbox-ID@domain>``), so mail clients can recognise a duplicate.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from .models import OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)

#: How long a claim holds before another worker may take the row (well above one SMTP timeout).
LEASE = dt.timedelta(minutes=5)
#: Attempts before a message is marked failed: with the backoff below, about three hours.
MAX_ATTEMPTS = 10
FIRST_RETRY = dt.timedelta(seconds=30)
LONGEST_WAIT = dt.timedelta(hours=1)


@dataclasses.dataclass(frozen=True)
class DeliveryReport:
    """What one :func:`deliver_due` did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0

    @property
    def claimed(self) -> int:
        return self.sent + self.retrying + self.failed


def enqueue(
    topic: str, recipients: Iterable[str], subject: str, body: str, *, dedupe_key: str | None = None
) -> OutboxMessage | None:
    """Write an e-mail to the outbox, in the caller's transaction (call it inside the service's
    ``transaction.atomic`` so the message commits or rolls back with the save). Nothing is
    written without recipients, nor a second time for the same ``dedupe_key``."""
    to = sorted({r for r in recipients if r})
    if not to:
        return None
    if dedupe_key is not None and OutboxMessage.objects.filter(dedupe_key=dedupe_key).exists():
        return None
    return OutboxMessage.objects.create(
        topic=topic, recipients=to, subject=subject, body=body, dedupe_key=dedupe_key
    )


def backoff(attempts: int) -> dt.timedelta:
    """The wait after the ``attempts``-th failed attempt: 30 s, 1 min, 2 min... at most 1 h."""
    wait: dt.timedelta = FIRST_RETRY * 2 ** max(attempts - 1, 0)
    return min(wait, LONGEST_WAIT)


def deliver_due(now: dt.datetime | None = None, limit: int = 100) -> DeliveryReport:
    """Send up to ``limit`` due messages (pending and due, or claimed by a worker whose lease
    has run out); returns how many were sent, will be retried, and failed for good."""
    now = now or timezone.now()
    token, rows = _claim(now, limit)
    sent = retrying = failed = 0
    mail = get_connection(fail_silently=False)
    try:
        for row in rows:
            if not _still_ours(row, token, now):
                continue
            try:
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
    finally:
        try:
            mail.close()
        except Exception:  # closing a broken connection
            log.warning("outbox: closing the mail connection failed", exc_info=True)
    return DeliveryReport(sent=sent, retrying=retrying, failed=failed)


def _claim(now: dt.datetime, limit: int) -> tuple[str, list[OutboxMessage]]:
    token = uuid.uuid4().hex
    due = Q(status=OutboxStatus.PENDING, due_at__lte=now) | Q(
        status=OutboxStatus.SENDING, claimed_until__lte=now
    )
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
    error = f"{type(exc).__name__}: {exc}"[:500]
    last = row.attempts >= MAX_ATTEMPTS
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
