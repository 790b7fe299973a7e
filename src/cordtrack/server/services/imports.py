"""Importing ISNCSCI exams in bulk (flat CSV, REDCap): every row checked first, then all rows
recorded in one transaction, or none.

A dry run, or any row error, changes nothing and reports every error (row, field, value,
message). Each exam is recorded by :func:`cordtrack.server.services.exams.record_exam`, so it is
classified and audited exactly like one entered on the worksheet.

Importing is idempotent: a row whose exam is already recorded (same patient, date and values),
or that repeats an earlier row of the file, is skipped and listed as skipped, so re-importing
the same file creates nothing. A REDCap row is identified by record_id, event and repeat
instance: the same identity with other values (in the file, or already imported) is an error.
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


@dataclass(frozen=True)
class SkippedRow:
    row: int
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}: skipped: {self.reason}"


@dataclass
class ImportReport:
    rows: int
    errors: list[RowError] = field(default_factory=list)
    created: list[int] = field(default_factory=list)
    committed: bool = False
    skipped: list[SkippedRow] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "committed": self.committed,
            "created": self.created,
            "skipped": [{"row": s.row, "reason": s.reason} for s in self.skipped],
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


#: The columns that identify a REDCap row (with record_id).
REDCAP_IDENTITY = ("redcap_event_name", "redcap_repeat_instance")


def _clean(values: dict[str, str]) -> dict[str, str]:
    """The exam cells as :func:`exams.record_exam` stores them: in worksheet order (SQLite
    compares JSON as text, so the order matters to the "already recorded" lookup)."""
    return {k: str(values[k]) for k in isncsci.EXAM_KEYS if values.get(k, "") != ""}


def _identity(row: ExamRow, source: str) -> tuple[str, ...]:
    """A REDCap row with an event or repeat instance is identified by them and its record_id;
    any other row (a CSV row, a REDCap row of a project without events) by its content."""
    extra = row.extra or {}
    keys = tuple(extra.get(c, "") for c in REDCAP_IDENTITY)
    if source == "redcap" and any(keys):
        return ("redcap", row.study_id, *keys)
    return ("exam", row.study_id, row.exam_date, repr(sorted(_clean(row.values).items())))


def _same(a: ExamRow, b: ExamRow) -> bool:
    return a.exam_date == b.exam_date and _clean(a.values) == _clean(b.values)


def _described(identity: tuple[str, ...]) -> str:
    event, instance = identity[2], identity[3]
    return f"record_id {identity[1]!r}, event {event!r}" + (
        f", instance {instance}" if instance else ""
    )


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
        if found is not None:
            errors += [
                RowError(row.row, "exam_date", row.exam_date, message)
                for message in exam_services.exam_date_errors(found, exam_date)
            ]
        elif exam_date > timezone.localdate():
            errors.append(RowError(row.row, "exam_date", row.exam_date, "cannot be in the future"))
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
    if len(errors) > count or found is None:
        return None
    return _Checked(row, found, exam_date, visit)


def _recorded(c: _Checked, source: str, report: ImportReport) -> bool:
    """Whether the row's exam is already recorded: skipped when identical; an error when a
    REDCap row's identity was imported before with other values."""
    same = IsncsciExam.objects.filter(
        patient=c.patient, exam_date=c.exam_date, values=_clean(c.row.values)
    ).first()
    if same is not None:
        report.skipped.append(SkippedRow(c.row.row, f"already recorded as exam {same.pk}"))
        return True
    identity = _identity(c.row, source)
    if identity[0] == "redcap":
        imported = IsncsciExam.objects.filter(patient=c.patient, source__source="redcap")
        earlier = next(
            (
                exam
                for exam in imported.select_related("source")
                if tuple(exam.source.fields.get(col, "") for col in REDCAP_IDENTITY) == identity[2:]
            ),
            None,
        )
        if earlier is not None:
            report.errors.append(
                RowError(
                    c.row.row, "record_id", c.row.study_id,
                    f"{_described(identity)} was imported before as exam {earlier.pk} with "
                    "other values: correct that exam instead",
                )
            )  # fmt: skip
            return True
    return False


def import_exams(
    actor: Any, rows: Sequence[ExamRow], *, dry_run: bool = False, source: str = "csv"
) -> ImportReport:
    """Check every row; unless ``dry_run`` or any row is bad, record them all in one transaction."""
    report = ImportReport(rows=len(rows))
    seen: dict[tuple[str, ...], ExamRow] = {}
    checked = []
    for row in rows:
        identity = _identity(row, source)
        first = seen.setdefault(identity, row)
        if first is not row:
            if _same(first, row):
                report.skipped.append(SkippedRow(row.row, f"repeats row {first.row}"))
            else:
                report.errors.append(
                    RowError(
                        row.row, "record_id", row.study_id,
                        f"{_described(identity)} is also row {first.row}, with other values",
                    )
                )  # fmt: skip
            continue
        good = _check(actor, row, report.errors)
        if good is not None and not _recorded(good, source, report):
            checked.append(good)
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
