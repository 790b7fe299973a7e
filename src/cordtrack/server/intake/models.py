"""Inquiries and their pipeline, uploaded documents, protocols and eligibility screening."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models

from ..patients.models import Patient


class InquiryStatus(models.TextChoices):
    NEW = "new", "New"
    RECORDS_REQUESTED = "records_requested", "Records requested"
    RECORDS_RECEIVED = "records_received", "Records received"
    UNDER_REVIEW = "under_review", "Under review"
    ELIGIBLE = "eligible", "Eligible"
    NOT_ELIGIBLE = "not_eligible", "Not eligible"
    SCHEDULED = "scheduled", "Scheduled"
    TREATED = "treated", "Treated"
    IN_FOLLOWUP = "in_followup", "In follow-up"
    COMPLETED = "completed", "Completed"
    WITHDRAWN = "withdrawn", "Withdrawn"
    LOST = "lost", "Lost to follow-up"


_S = InquiryStatus
_EXITS = frozenset({_S.WITHDRAWN, _S.LOST})
#: The pipeline: each status and where it may go next. Withdrawal or loss is possible from any
#: open status; eligibility may be re-reviewed when new records arrive.
TRANSITIONS: dict[str, frozenset[str]] = {
    _S.NEW: frozenset({_S.RECORDS_REQUESTED, _S.UNDER_REVIEW}) | _EXITS,
    _S.RECORDS_REQUESTED: frozenset({_S.RECORDS_RECEIVED}) | _EXITS,
    _S.RECORDS_RECEIVED: frozenset({_S.UNDER_REVIEW, _S.RECORDS_REQUESTED}) | _EXITS,
    _S.UNDER_REVIEW: frozenset({_S.ELIGIBLE, _S.NOT_ELIGIBLE, _S.RECORDS_REQUESTED}) | _EXITS,
    _S.ELIGIBLE: frozenset({_S.SCHEDULED}) | _EXITS,
    _S.NOT_ELIGIBLE: frozenset({_S.UNDER_REVIEW}) | _EXITS,
    _S.SCHEDULED: frozenset({_S.TREATED, _S.ELIGIBLE}) | _EXITS,
    _S.TREATED: frozenset({_S.IN_FOLLOWUP}) | _EXITS,
    _S.IN_FOLLOWUP: frozenset({_S.COMPLETED}) | _EXITS,
    _S.COMPLETED: frozenset(),
    _S.WITHDRAWN: frozenset(),
    _S.LOST: frozenset(),
}


class ReferralSource(models.TextChoices):
    SELF = "self", "Self-referral"
    PHYSICIAN = "physician", "Physician"
    OTHER = "other", "Other"


class Inquiry(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="inquiries")
    received_on = models.DateField()
    source = models.CharField(max_length=10, choices=ReferralSource.choices)
    status = models.CharField(
        max_length=20, choices=InquiryStatus.choices, default=InquiryStatus.NEW, db_index=True
    )
    status_changed_at = models.DateTimeField()

    SITE_PATH: ClassVar[str] = "patient__site"
    PATIENT_PATH: ClassVar[str] = "patient"

    class Meta:
        verbose_name_plural = "inquiries"
        ordering = ("-received_on",)

    def __str__(self) -> str:
        return f"inquiry {self.pk} ({self.status})"


class DocumentKind(models.TextChoices):
    MEDICAL_RECORD = "medical_record", "Medical record"
    IMAGING = "imaging", "Imaging"
    CONSENT_FORM = "consent_form", "Signed consent form"
    OTHER = "other", "Other"


class Document(models.Model):
    """An uploaded file, kept on disk (``DOCUMENTS_DIR/<sha256>``) and described here."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=20, choices=DocumentKind.choices)
    content_type = models.CharField(max_length=40)
    original_name = models.CharField(max_length=200)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    dicom_header = models.JSONField(null=True, blank=True)
    deidentified_ok = models.BooleanField(null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    SITE_PATH: ClassVar[str] = "patient__site"
    PATIENT_PATH: ClassVar[str] = "patient"

    class Meta:
        ordering = ("-uploaded_at",)

    def __str__(self) -> str:
        return f"document {self.pk} ({self.kind})"


class Protocol(models.Model):
    """A treatment protocol version: its eligibility criteria and visit schedule, as data.

    ``criteria`` is a list of ``{"code", "description", "kind", "params", "source"}`` rows of
    ``cordtrack.clinical.eligibility``; ``schedule`` a ``cordtrack.clinical.visits``
    ``VisitSchedule`` as a dict.
    """

    code = models.CharField(max_length=30)
    version = models.CharField(max_length=10)
    title = models.CharField(max_length=200)
    criteria = models.JSONField(default=list)
    schedule = models.JSONField(default=list)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=("code", "version"), name="protocol_code_version"),
        )

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"


class Decision(models.TextChoices):
    """The proposed decision of ``cordtrack.clinical.eligibility`` (a clinician confirms it)."""

    ELIGIBLE = "eligible", "Eligible"
    NOT_ELIGIBLE = "not_eligible", "Not eligible"
    NEEDS_REVIEW = "needs_review", "Needs review"


class EligibilityScreening(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="screenings")
    protocol = models.ForeignKey(Protocol, on_delete=models.PROTECT, related_name="+")
    facts = models.JSONField(default=dict)
    # [{"code", "description", "kind", "outcome": met|not_met|unknown, "reason"}]
    results = models.JSONField(default=list)
    decision = models.CharField(max_length=15, choices=Decision.choices)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    screened_on = models.DateField()  # the date the facts were assessed
    reviewed_at = models.DateTimeField()  # when the decision was recorded
    # The clinician's decision, confirmed with a signature (meaning "approved"): the proposal, or
    # another decision with its reason (always a reason when the proposal needs review).
    confirmed_decision = models.CharField(
        max_length=15, blank=True,
        choices=[(Decision.ELIGIBLE, "Eligible"), (Decision.NOT_ELIGIBLE, "Not eligible")],
    )  # fmt: skip
    confirmation_reason = models.CharField(max_length=300, blank=True)

    SITE_PATH: ClassVar[str] = "patient__site"
    PATIENT_PATH: ClassVar[str] = "patient"

    def __str__(self) -> str:
        return f"screening {self.pk} ({self.decision})"
