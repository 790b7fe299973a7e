"""What an imported exam carried beyond the flat exam values, so that an export gives it back."""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from ..exams.models import IsncsciExam


class ExamSourceFields(models.Model):
    """The fields of an imported REDCap row that CordTrack's exam has no column for: the reason
    behind each non-SCI impairment (ISNCSCI 2019 asks for it), examiner, visit, time, comments,
    REDCap's event and form status. Exported back unchanged (lossless round trip)."""

    exam = models.OneToOneField(IsncsciExam, on_delete=models.CASCADE, related_name="source")
    source = models.CharField(max_length=20, default="redcap")
    fields = models.JSONField(default=dict)

    SITE_PATH: ClassVar[str] = "exam__patient__site"
    PATIENT_PATH: ClassVar[str] = "exam__patient"

    class Meta:
        verbose_name_plural = "exam source fields"

    def __str__(self) -> str:
        return f"{self.source} fields of exam {self.exam_id}"
