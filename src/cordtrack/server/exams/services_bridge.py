"""What the ``recompute_exams`` command needs from the exams service (kept out of the command)."""

from __future__ import annotations

from ..services import exams as exam_services
from .models import IsncsciExam


def classification_differs(exam: IsncsciExam) -> bool:
    """True when the current engine gives another stored classification than the exam has."""
    fields = exam_services.classified_fields(exam.values)
    return any(getattr(exam, k) != v for k, v in fields.items() if k != "classified_at")


def recompute(exam: IsncsciExam) -> bool:
    return exam_services.recompute_exam(None, exam)
