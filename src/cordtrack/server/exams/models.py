"""ISNCSCI exams: raw values as entered, and the engine's classification, recomputable."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models

from ..patients.models import AIS_CHOICES, Patient


class IsncsciExam(models.Model):
    """One exam. ``values`` holds the flat exam keys exactly as entered; ``classification`` the
    25 result keys from ``cordtrack.isncsci`` (None while the engine is unavailable), with
    ``engine_version`` so that every stored result can be recomputed and compared."""

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

    SITE_PATH: ClassVar[str] = "patient__site"
    PATIENT_PATH: ClassVar[str] = "patient"

    class Meta:
        ordering = ("patient", "exam_date")

    def __str__(self) -> str:
        return f"exam {self.pk} {self.exam_date}"

    @property
    def locked(self) -> bool:
        return self.signed_at is not None


__all__ = ["AIS_CHOICES", "IsncsciExam"]
