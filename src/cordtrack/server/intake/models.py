"""Inquiries and their pipeline, uploaded documents, protocols and eligibility screening."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..blinding import HiddenWhenBlinded
from ..patients.models import Patient


class InquiryStatus(models.TextChoices):
    NEW = "new", _("New")
    RECORDS_REQUESTED = "records_requested", _("Records requested")
    RECORDS_RECEIVED = "records_received", _("Records received")
    UNDER_REVIEW = "under_review", _("Under review")
    ELIGIBLE = "eligible", _("Eligible")
    NOT_ELIGIBLE = "not_eligible", _("Not eligible")
    SCHEDULED = "scheduled", _("Scheduled")
    TREATED = "treated", _("Treated")
    IN_FOLLOWUP = "in_followup", _("In follow-up")
    COMPLETED = "completed", _("Completed")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    LOST = "lost", _("Lost to follow-up")


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
    SELF = "self", _("Self-referral")
    PHYSICIAN = "physician", _("Physician")
    OTHER = "other", _("Other")


class Inquiry(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="inquiries")
    received_on = models.DateField()
    source = models.CharField(max_length=10, choices=ReferralSource.choices)
    status = models.CharField(
        max_length=20, choices=InquiryStatus.choices, default=InquiryStatus.NEW, db_index=True
    )
    status_changed_at = models.DateTimeField()
    # Filled by the public inquiry form (/inquire/); staff-registered inquiries leave them blank.
    # The reference is what the inquirer quotes: random, never the database id.
    reference = models.CharField(max_length=16, unique=True, null=True, blank=True)
    injury_region = models.CharField(max_length=12, blank=True)
    injury_level = models.CharField(max_length=20, blank=True)  # as the inquirer wrote it
    completeness = models.CharField(max_length=12, blank=True)
    injury_date = models.DateField(null=True, blank=True)
    country = models.CharField(max_length=80, blank=True)
    preferred_language = models.CharField(max_length=8, blank=True)
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=30, blank=True)
    description = models.TextField(max_length=2000, blank=True)
    contact_consent_at = models.DateTimeField(null=True, blank=True)
    # A digest of the public form's one-time token (intake/public.py): unique, so a form sent
    # twice (a retry, "resend", two app servers at once) is one inquiry whichever process
    # receives it. Never the token itself.
    form_token = models.CharField(max_length=64, unique=True, null=True, blank=True)

    SITE_PATH: ClassVar[str] = "patient__site"
    PATIENT_PATH: ClassVar[str] = "patient"

    class Meta:
        verbose_name_plural = "inquiries"
        ordering = ("-received_on",)
        # The patient list's search by status (``patients.views._search``, the dashboard's
        # pipeline links): the patients at a status read from this index alone, not from every
        # inquiry row at that status across all sites (ADR 0063).
        indexes = (models.Index(fields=("status", "patient"), name="inquiry_status_patient"),)

    def __str__(self) -> str:
        return f"inquiry {self.pk} ({self.status})"


class DocumentKind(models.TextChoices):
    MEDICAL_RECORD = "medical_record", _("Medical record")
    IMAGING = "imaging", _("Imaging")
    CONSENT_FORM = "consent_form", _("Signed consent form")
    OTHER = "other", _("Other")


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
    # None: sent through the public inquiry form, by someone without an account.
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    SITE_PATH: ClassVar[str] = "patient__site"
    PATIENT_PATH: ClassVar[str] = "patient"

    class Meta:
        ordering = ("-uploaded_at",)

    def __str__(self) -> str:
        return f"document {self.pk} ({self.kind})"


class ProtocolStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    RETIRED = "retired", _("Retired")


class Protocol(models.Model):
    """One version of a treatment protocol, as data (``cordtrack.clinical.protocol_document``).

    A protocol is the set of rows sharing a ``code``; each row is a version. At most one version
    per code is active: screenings, visits and administrations point at the version they
    followed, so activating a new one never rewrites them. ``criteria`` holds
    ``cordtrack.clinical.eligibility`` rows; ``schedule`` a ``cordtrack.clinical.visits``
    ``VisitSchedule`` as a dict; ``instruments`` visit code -> instrument codes; ``arms`` a list of
    ``{"name", "description"}``; ``randomisation`` the strata factors and block sizes (never the
    seed). Rows made outside the drafting service (fixtures) are active by default.
    """

    code = models.CharField(max_length=30)
    version = models.CharField(max_length=10)
    title = models.CharField(max_length=200)
    criteria = models.JSONField(default=list)
    schedule = models.JSONField(default=list)
    design = models.CharField(max_length=12, default="uncontrolled")
    arms = models.JSONField(default=list, blank=True)
    randomisation = models.JSONField(default=dict, blank=True)
    instruments = models.JSONField(default=dict, blank=True)
    treatment_plan = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=8, choices=ProtocolStatus.choices, default=ProtocolStatus.ACTIVE
    )
    based_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(null=True, blank=True)
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    activated_at = models.DateTimeField(null=True, blank=True)
    activation_reason = models.TextField(blank=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=("code", "version"), name="protocol_code_version"),
            models.UniqueConstraint(
                fields=("code",), condition=models.Q(status="active"),
                name="protocol_one_active_version",
            ),
        )  # fmt: skip

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"

    @property
    def arm_names(self) -> list[str]:
        return [str(a.get("name")) for a in self.arms if isinstance(a, dict)]

    def document(self) -> dict[str, object]:
        """The version as the document a data manager imports, compares and activates."""
        doc: dict[str, object] = {
            "code": self.code, "name": self.title, "version": self.version,
            "design": self.design, "arms": self.arms, "criteria": self.criteria,
            "schedule": self.schedule, "instruments": self.instruments,
            "treatment_plan": self.treatment_plan,
        }  # fmt: skip
        if self.design == "randomised":
            doc["randomisation"] = self.randomisation
        return doc


class Decision(models.TextChoices):
    """The proposed decision of ``cordtrack.clinical.eligibility`` (a clinician confirms it)."""

    ELIGIBLE = "eligible", _("Eligible")
    NOT_ELIGIBLE = "not_eligible", _("Not eligible")
    NEEDS_REVIEW = "needs_review", _("Needs review")


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


class AllocationList(models.Model):
    """The concealed randomisation list of one randomised protocol (all its versions).

    The list itself is never stored: it is regenerated from ``seed`` and the design copied here at
    creation (``cordtrack.outcomes.randomisation``), which is prefix-stable, so the next
    allocation of a stratum is row ``n + 1`` of that stratum's list. Only the unblinded role reads
    this row (ADR 0033); it is kept out of every page, export and API response of other roles.
    """

    protocol_code = models.CharField(max_length=30, unique=True)
    seed = models.BigIntegerField()
    arms = models.JSONField()
    factors = models.JSONField()
    block_sizes = models.JSONField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"allocation list of {self.protocol_code}"


class Randomisation(models.Model):
    """A patient's allocation: signed when made, never changed or removed (only annotated)."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="randomisations")
    protocol = models.ForeignKey(Protocol, on_delete=models.PROTECT, related_name="+")
    protocol_code = models.CharField(max_length=30)
    screening = models.ForeignKey(EligibilityScreening, on_delete=models.PROTECT, related_name="+")
    stratum = models.CharField(max_length=100)
    sequence = models.PositiveIntegerField()
    arm = models.CharField(max_length=30)
    randomised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    randomised_at = models.DateTimeField()

    # No allocation in a blinded assessor's request (blinding.py, ADR 0040).
    objects = HiddenWhenBlinded["Randomisation"]()

    SITE_PATH: ClassVar[str] = "patient__site"
    PATIENT_PATH: ClassVar[str] = "patient"

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=("patient", "protocol_code"), name="randomised_once_per_protocol"
            ),
            # Two concurrent randomisations cannot take the same row of a stratum's list.
            models.UniqueConstraint(
                fields=("protocol_code", "stratum", "sequence"), name="allocation_row_used_once"
            ),
        )

    def __str__(self) -> str:
        return f"randomisation {self.pk}"


class RandomisationNote(models.Model):
    """An annotation of a randomisation: the allocation is never changed or removed, a mistake
    (wrong stratum fact, randomised in error) is explained here, and the patient stays in the
    arm they were given (intention to treat). Audited; shown to unblinded roles only."""

    randomisation = models.ForeignKey(Randomisation, on_delete=models.PROTECT, related_name="notes")
    text = models.TextField(max_length=2000)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField()

    objects = HiddenWhenBlinded["RandomisationNote"]()

    SITE_PATH: ClassVar[str] = "randomisation__patient__site"
    PATIENT_PATH: ClassVar[str] = "randomisation__patient"

    class Meta:
        ordering = ("written_at", "pk")

    def __str__(self) -> str:
        return f"note {self.pk} on randomisation {self.randomisation_id}"


class Unblinding(models.Model):
    """An emergency unblinding of one patient: the site's clinician, signed, with a reason
    (ADR 0041). The arm is shown to the requester only and is in no other column, no audit
    entry and no message."""

    randomisation = models.ForeignKey(
        Randomisation, on_delete=models.PROTECT, related_name="unblindings"
    )
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="unblindings")
    reason = models.TextField(max_length=2000)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()

    objects = HiddenWhenBlinded["Unblinding"]()

    SITE_PATH: ClassVar[str] = "patient__site"
    PATIENT_PATH: ClassVar[str] = "patient"

    class Meta:
        ordering = ("requested_at", "pk")

    def __str__(self) -> str:
        return f"unblinding {self.pk}"
