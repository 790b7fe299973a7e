"""One notification waiting to be sent, being sent, sent, or given up on."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class OutboxStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending (claimed by a worker)"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed (no more retries)"


class Channel(models.TextChoices):
    EMAIL = "email", "E-mail"
    SMS = "sms", "SMS"


class OutboxMessage(models.Model):
    """An e-mail written by a service in the transaction of the save that caused it, so a save
    that commits always has its notification, and a rolled-back save never has one.

    A worker claims due rows (``sending``, with a lease until ``claimed_until``), sends them and
    marks them ``sent``; a failure puts the row back to ``pending`` with a later ``due_at``
    (exponential backoff), until ``failed`` after the last attempt. ``dedupe_key`` names the
    cause (``sae:<event id>``), so one cause is notified once however often it is saved.

    ``channel`` says how it goes: an e-mail through Django's mail backend, or a text message
    (``recipients`` one phone number, ``body`` the text, no subject) through the SMS backend of
    ``cordtrack.server.reminders.sms`` (issue 17, ADR 0046).
    """

    topic = models.CharField(max_length=40)
    channel = models.CharField(max_length=5, choices=Channel.choices, default=Channel.EMAIL)
    dedupe_key = models.CharField(max_length=120, unique=True, null=True, blank=True)
    recipients = models.JSONField()
    subject = models.CharField(max_length=300)
    body = models.TextField()
    status = models.CharField(
        max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField(default=timezone.now)
    claim = models.CharField(max_length=32, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The exception's class and message only (an SMTP reply); never the message body.
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ("pk",)
        indexes = (models.Index(fields=("status", "due_at"), name="outbox_due"),)

    def __str__(self) -> str:
        return f"outbox {self.pk} {self.topic} ({self.status})"
