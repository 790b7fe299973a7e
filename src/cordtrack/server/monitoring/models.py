"""Data queries (discrepancy management) and source data verification marks.

A :class:`DataQuery` is raised by a monitor or data manager on a record (``target``,
``target_id``) or one field of it (an exam cell such as ``c5RightMotor``, an adverse event's
``onset_date``); the site answers, perhaps correcting the value with a reason through the record's
own correction service; the raiser's side closes or re-opens it. Each step is a
:class:`QueryMessage`. A :class:`SourceVerification` marks a record (``field`` empty) or one field
verified against source; any later change of what it covers removes it (``clearing.py``).
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models

from ..blinding import AttachedHiddenWhenBlinded, MessagesHiddenWhenBlinded
from ..patients.models import Patient


class Target(models.TextChoices):
    EXAM = "exam", "ISNCSCI exam"
    ADVERSE_EVENT = "adverse_event", "Adverse event"
    ADMINISTRATION = "administration", "Administration"
    MEDICATION = "medication", "Medication"
    MEDICAL_HISTORY = "medical_history", "Medical history"


class QueryStatus(models.TextChoices):
    OPEN = "open", "Open"
    ANSWERED = "answered", "Answered"
    CLOSED = "closed", "Closed"


class DataQuery(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="data_queries")
    target = models.CharField(max_length=20, choices=Target.choices)
    target_id = models.PositiveBigIntegerField()
    field = models.CharField(max_length=60, blank=True)  # empty: the whole record
    text = models.TextField(max_length=2000)
    status = models.CharField(
        max_length=10, choices=QueryStatus.choices, default=QueryStatus.OPEN, db_index=True
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    # Queries on hidden treatment rows hidden with them (blinding.py, ADR 0040).
    objects = AttachedHiddenWhenBlinded["DataQuery"]()

    SITE_PATH: ClassVar[str] = "patient__site"
    PATIENT_PATH: ClassVar[str] = "patient"

    class Meta:
        ordering = ("raised_at", "pk")
        indexes = (models.Index(fields=("target", "target_id")),)
        verbose_name = "data query"
        verbose_name_plural = "data queries"

    def __str__(self) -> str:
        return f"query {self.pk} ({self.status})"


class MessageKind(models.TextChoices):
    RAISED = "raised", "Raised"
    ANSWERED = "answered", "Answered"
    CLOSED = "closed", "Closed"
    REOPENED = "reopened", "Re-opened"


class QueryMessage(models.Model):
    """One step of a query's thread; ``correction`` is ``{"field", "old", "new", "reason"}``
    when the answer corrected the value."""

    query = models.ForeignKey(DataQuery, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=10, choices=MessageKind.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    text = models.TextField(max_length=2000, blank=True)
    correction = models.JSONField(null=True, blank=True)

    objects = MessagesHiddenWhenBlinded["QueryMessage"]()

    SITE_PATH: ClassVar[str] = "query__patient__site"
    PATIENT_PATH: ClassVar[str] = "query__patient"

    class Meta:
        ordering = ("at", "pk")

    def __str__(self) -> str:
        return f"{self.kind} on query {self.query_id}"


class SourceVerification(models.Model):
    patient = models.ForeignKey(
        Patient, on_delete=models.CASCADE, related_name="source_verifications"
    )
    target = models.CharField(max_length=20, choices=Target.choices)
    target_id = models.PositiveBigIntegerField()
    field = models.CharField(max_length=60, blank=True)  # empty: the whole record
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    verified_at = models.DateTimeField()

    objects = AttachedHiddenWhenBlinded["SourceVerification"]()

    SITE_PATH: ClassVar[str] = "patient__site"
    PATIENT_PATH: ClassVar[str] = "patient"

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=("target", "target_id", "field"), name="one_verification_per_field"
            ),
        )

    def __str__(self) -> str:
        return f"{self.target} {self.target_id} {self.field or 'record'} verified"
