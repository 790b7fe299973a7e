"""Electronic consent: versioned consent documents, signed consents and withdrawals.

A :class:`ConsentDocument` is one published text of the consent of a protocol version, in one
language, under a version label (``3.0``); the English and Arabic texts of version 3.0 are two
rows with the same label. A published document is never edited: a new text is a new version
(a new row). A :class:`Consent` is one signing of one document by one patient (in the portal, or
in clinic on a tablet before a staff member and, when the document requires it, a witness), with
its PDF copy. A :class:`Withdrawal` is a signed, reasoned withdrawal with a nested scope: stopping
treatment, stopping visits (and treatment), or withdrawing from further data use (and both).
All three are never changed or deleted (ADR 0045).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..patients.models import Patient


class Immutable(models.Model):
    """Rows written once (a published text, a signing, a withdrawal)."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError(f"{self._meta.verbose_name} rows are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError(f"{self._meta.verbose_name} rows are never deleted")


class ConsentDocument(Immutable):
    """One published consent text: protocol version, version label, language."""

    protocol = models.ForeignKey(
        "intake.Protocol", on_delete=models.PROTECT, related_name="consent_documents"
    )
    version = models.CharField(max_length=20)
    language = models.CharField(max_length=8)
    title = models.CharField(max_length=200)
    text = models.TextField()
    # [{"question": str, "choices": [str, ...], "answer": int (index into choices)}]
    questions = models.JSONField(default=list)
    witness_required = models.BooleanField(default=False)
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip

    class Meta:
        ordering = ("protocol__code", "published_at", "pk")
        constraints = (
            models.UniqueConstraint(
                fields=("protocol", "version", "language"), name="consent_document_unique"
            ),
        )

    def __str__(self) -> str:
        return f"consent {self.protocol.code} {self.version} ({self.language})"


class Setting(models.TextChoices):
    PORTAL = "portal", _("Portal (patient's own account)")
    CLINIC = "clinic", _("In clinic (tablet, before staff)")


class Consent(Immutable):
    """A patient's signing of one consent document."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="consents")
    document = models.ForeignKey(ConsentDocument, on_delete=models.PROTECT, related_name="+")
    setting = models.CharField(max_length=8, choices=Setting.choices)
    signed_at = models.DateTimeField()
    # The patient's own name or initials as typed on the tablet (clinic), or their account's
    # printed name (portal).
    patient_name = models.CharField(max_length=200)
    # In clinic: the staff member before whom the patient signed (who re-entered a password).
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    witness_name = models.CharField(max_length=200, blank=True)
    comprehension_attempts = models.PositiveSmallIntegerField(default=1)
    pdf = models.ForeignKey(
        "intake.Document", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    SITE_PATH: ClassVar[str] = "patient__site"
    PATIENT_PATH: ClassVar[str] = "patient"

    class Meta:
        ordering = ("signed_at", "pk")

    def __str__(self) -> str:
        return f"consent {self.pk} of {self.patient_id} to {self.document_id}"


class Scope(models.TextChoices):
    """Nested: each scope includes the ones before it (treatment ⊂ visits ⊂ data use)."""

    TREATMENT = "treatment", _("Stop treatment")
    VISITS = "visits", _("Stop treatment and visits")
    DATA_USE = "data_use", _("Withdraw from further data use")


class Withdrawal(Immutable):
    """A signed, reasoned withdrawal; a later one may only widen the scope."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="withdrawals")
    scope = models.CharField(max_length=10, choices=Scope.choices)
    reason = models.TextField()
    withdrawn_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    by_patient = models.BooleanField(default=False)  # in the portal, by the patient themself

    SITE_PATH: ClassVar[str] = "patient__site"
    PATIENT_PATH: ClassVar[str] = "patient"

    class Meta:
        ordering = ("withdrawn_at", "pk")

    def __str__(self) -> str:
        return f"withdrawal {self.pk} ({self.scope}) of {self.patient_id}"
