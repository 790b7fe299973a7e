"""ISNCSCI exams: raw values as entered, and the engine's classification, recomputable."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from ..patients.models import AIS_CHOICES, Patient


class ExamQuerySet(models.QuerySet["IsncsciExam"]):
    def signed(self) -> ExamQuerySet:
        """Signed exams: the only ones reports, exports and patients see."""
        return self.filter(signed_at__isnull=False)

    def drafts(self) -> ExamQuerySet:
        return self.filter(signed_at__isnull=True)


class ExamStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SIGNED = "signed", _("Signed")


class IsncsciExam(models.Model):
    """One exam. ``values`` holds the flat exam keys exactly as entered; ``classification`` the
    25 result keys from ``cordtrack.isncsci``, with ``engine_version`` so that every stored result
    can be recomputed and compared.

    An exam is a draft until it is signed. A draft may be incomplete (``complete`` False: some
    cells empty); its classification is then provisional, computed with the empty cells taken as
    not testable (NT), so it shows what the filled cells allow. Signing needs every cell.
    Reports, exports and patients see signed exams only (:meth:`ExamQuerySet.signed`)."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="exams")
    visit = models.ForeignKey(
        "followup.Visit", null=True, blank=True, on_delete=models.SET_NULL, related_name="exams"
    )
    examiner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    exam_date = models.DateField()
    values = models.JSONField()
    classification = models.JSONField(null=True, blank=True)
    engine_version = models.CharField(max_length=40, blank=True)
    classified_at = models.DateTimeField(null=True, blank=True)
    nli = models.CharField(max_length=200, blank=True, db_index=True)
    ais = models.CharField(max_length=20, blank=True, db_index=True)
    uems = models.PositiveSmallIntegerField(null=True, blank=True)
    lems = models.PositiveSmallIntegerField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    complete = models.BooleanField(default=True)

    objects = ExamQuerySet.as_manager()

    #: Columns computed from ``values`` (a change to them alone is not a change of source data).
    DERIVED_FIELDS: ClassVar[frozenset[str]] = frozenset(
        {"classification", "engine_version", "classified_at", "nli", "ais", "uems", "lems",
         "complete", "signed_by", "signed_by_id", "signed_at"}
    )  # fmt: skip

    SITE_PATH: ClassVar[str] = "patient__site"
    PATIENT_PATH: ClassVar[str] = "patient"

    class Meta:
        ordering = ("patient", "exam_date")
        # ADR 0053: the newest exams first (dashboard "recent exams", the exams worklist's
        # default sort) without sorting every exam; and a site's signed exams counted (source
        # verification progress) from a narrow index (an index-only scan) instead of the wide rows.
        indexes = (
            models.Index(F("exam_date").desc(), F("id").desc(), name="exam_recency"),
            models.Index(
                fields=("patient", "id"), condition=Q(signed_at__isnull=False), name="exam_signed"
            ),
        )

    def __str__(self) -> str:
        return f"exam {self.pk} {self.exam_date}"

    @property
    def locked(self) -> bool:
        return self.signed_at is not None

    @property
    def status(self) -> str:
        return ExamStatus.SIGNED if self.signed_at is not None else ExamStatus.DRAFT

    @property
    def provisional(self) -> bool:
        """The classification rests on empty cells taken as NT."""
        return not self.complete


__all__ = ["AIS_CHOICES", "ExamQuerySet", "ExamStatus", "IsncsciExam"]
