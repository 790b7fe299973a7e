"""Importing ISNCSCI exams in bulk (flat CSV, REDCap): every row checked first, then all rows
recorded in one transaction, or none.

A dry run, or any row error, changes nothing and reports every error (row, field, value,
message). Each exam is recorded by :func:`cordtrack.server.services.exams.record_exam`, so it is
classified and audited exactly like one entered on the worksheet.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cordtrack import isncsci

from ..access import Cap, scoped
from ..exams.models import IsncsciExam
from ..followup.models import Visit, VisitStatus
from ..interop.models import ExamSourceFields
from ..patients.models import Patient
from . import exams as exam_services
from . import followup as followup_services
from .base import create


@dataclass(frozen=True)
class ExamRow:
    """One exam to import; ``row`` is its spreadsheet row (the header is row 1)."""

    row: int
    study_id: str
    exam_date: str
    values: dict[str, str]
    visit_code: str = ""
    extra: dict[str, str] | None = None  # kept as ExamSourceFields


@dataclass(frozen=True)
class RowError:
    row: int
    field: str
    value: str | None
    message: str

    def __str__(self) -> str:
        shown = "" if self.value is None else f" ({self.value!r})"
        return f"row {self.row}: {self.field}{shown}: {self.message}"


@dataclass
class ImportReport:
    rows: int
    errors: list[RowError] = field(default_factory=list)
    created: list[int] = field(default_factory=list)
    committed: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "committed": self.committed,
            "created": self.created,
            "errors": [
                {"row": e.row, "field": e.field, "value": e.value, "message": e.message}
                for e in self.errors
            ],
        }


@dataclass(frozen=True)
class _Checked:
    row: ExamRow
    patient: Patient
    exam_date: dt.date
    visit: Visit | None


def _check(actor: Any, row: ExamRow, errors: list[RowError]) -> _Checked | None:
    count = len(errors)
    patient = scoped(actor, Patient.objects.all(), Cap.CLINICAL).filter(study_id=row.study_id)
    found = patient.first()
    if found is None:
        errors.append(
            RowError(
                row.row,
                "study_id",
                row.study_id,
                "no such patient at a site where you may record exams",
            )
        )
    try:
        exam_date = dt.date.fromisoformat(row.exam_date)
        if exam_date > timezone.localdate():
            errors.append(RowError(row.row, "exam_date", row.exam_date, "is in the future"))
    except ValueError:
        exam_date = dt.date.min
        errors.append(RowError(row.row, "exam_date", row.exam_date, "is not a date YYYY-MM-DD"))
    try:
        isncsci.parse_exam(row.values)
    except isncsci.ExamValidationError as exc:
        errors += [
            RowError(row.row, e.field, None if e.value is None else str(e.value), e.message)
            for e in exc.errors
        ]
    visit = None
    if found is not None and row.visit_code:
        visit = Visit.objects.filter(patient=found, code=row.visit_code).first()
        if visit is None:
            errors.append(
                RowError(row.row, "visit", row.visit_code, "the patient has no such visit")
            )
    if found is not None and len(errors) == count:
        clean = {k: v for k, v in row.values.items() if k in isncsci.EXAM_KEYS and v != ""}
        same = IsncsciExam.objects.filter(patient=found, exam_date=exam_date, values=clean).first()
        if same is not None:
            errors.append(
                RowError(
                    row.row,
                    "exam_date",
                    row.exam_date,
                    f"an identical exam is already recorded (exam {same.pk})",
                )
            )
    if len(errors) > count or found is None:
        return None
    return _Checked(row, found, exam_date, visit)


def import_exams(
    actor: Any, rows: Sequence[ExamRow], *, dry_run: bool = False, source: str = "csv"
) -> ImportReport:
    """Check every row; unless ``dry_run`` or any row is bad, record them all in one transaction."""
    report = ImportReport(rows=len(rows))
    checked = [c for c in (_check(actor, row, report.errors) for row in rows) if c is not None]
    if report.errors or dry_run:
        return report
    try:
        with transaction.atomic():
            for c in checked:
                exam = exam_services.record_exam(
                    actor, c.patient, c.row.values, exam_date=c.exam_date, visit=c.visit
                )
                if c.row.extra:
                    create(actor, ExamSourceFields(exam=exam, source=source, fields=c.row.extra))
                if c.visit is not None and c.visit.status == VisitStatus.SCHEDULED:
                    followup_services.complete_visit(actor, c.visit, c.exam_date)
                report.created.append(exam.pk)
    except ValidationError as exc:  # a rule only the service checks; nothing was kept
        report.created.clear()
        for name, messages in exc.message_dict.items():
            report.errors += [RowError(c.row.row, name, None, m) for m in messages]
        return report
    report.committed = True
    return report
