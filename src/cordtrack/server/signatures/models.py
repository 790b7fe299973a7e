"""Electronic signatures: who signed which record, meaning what, when, over which content.

A :class:`Signature` names its record the way the audit trail does (model label and primary key),
so one table serves exams, adverse events, eligibility decisions and lot releases. It keeps the
signer's printed name as it was at signing (21 CFR 11.50(a)(1)) and a SHA-256 of the record's
signed content: a later change of the record no longer matches it, and the signature is shown as
invalidated (11.70: a signature is linked to its record and cannot be carried to another content).
Rows are never changed or deleted; a new signature supersedes an older one.
See ``docs/adr/0030-electronic-signatures.md``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..accounts.models import Site
from ..patients.models import Patient


class Meaning(models.TextChoices):
    """What a signature attests (21 CFR 11.50(a)(3))."""

    AUTHORED = "authored", _("Authored")
    REVIEWED = "reviewed", _("Reviewed")
    APPROVED = "approved", _("Approved")


class SignatureQuerySet(models.QuerySet["Signature"]):
    def update(self, **kwargs: Any) -> int:
        raise TypeError("signatures are never changed")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("signatures are never deleted")


class Signature(models.Model):
    model = models.CharField(max_length=60)  # the signed record's label, e.g. exams.isncsciexam
    object_id = models.CharField(max_length=40)
    # None for a record of no site: a protocol version, activated for every site (ADR 0042).
    site = models.ForeignKey(
        Site, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    patient = models.ForeignKey(
        Patient, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    printed_name = models.CharField(max_length=300)
    meaning = models.CharField(max_length=10, choices=Meaning.choices)
    signed_at = models.DateTimeField()
    content_hash = models.CharField(max_length=64)

    objects: ClassVar[models.Manager[Signature]] = SignatureQuerySet.as_manager()

    SITE_PATH: ClassVar[str] = "site"
    PATIENT_PATH: ClassVar[str] = "patient"

    class Meta:
        ordering = ("signed_at", "pk")
        indexes = (models.Index(fields=("model", "object_id")),)

    def __str__(self) -> str:
        return f"signature {self.pk} ({self.meaning}) of {self.model}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError("signatures are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("signatures are never deleted")
