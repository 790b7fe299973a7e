"""ISNCSCI exams as flat CSV: one exam a row, the flat keys of the published cases as columns.

Columns: ``study_id``, ``exam_date`` (YYYY-MM-DD), ``visit`` (a visit code of the patient, may be
empty), the 134 exam keys (an empty cell where no lowest non-key muscle is recorded) and, on
export, ``exam_id`` and the 25 result keys. Import reads the same file: result columns and
``exam_id`` are ignored (the engine classifies every exam again), so an export can be edited
and imported into another registry.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import IO

from cordtrack.isncsci import EXAM_KEYS, RESULT_KEYS

from ..exams.models import IsncsciExam
from ..services.imports import ExamRow, RowError

ID_COLUMNS = ("study_id", "exam_date", "visit")
EXPORT_COLUMNS = ("exam_id", *ID_COLUMNS, *EXAM_KEYS, *RESULT_KEYS)


def read_rows(stream: IO[str]) -> tuple[list[ExamRow], list[RowError]]:
    """The exams of a flat CSV, and the errors of its header (missing columns)."""
    reader = csv.DictReader(stream)
    header = reader.fieldnames or []
    missing = [c for c in ("study_id", "exam_date") if c not in header]
    if missing:
        return [], [RowError(1, c, None, "column missing from the header") for c in missing]
    rows = []
    for number, record in enumerate(reader, start=2):
        # Exam values are exact, as the engine reads them: " 3 " is reported, not repaired.
        values = {k: record.get(k) or "" for k in EXAM_KEYS if k in record}
        rows.append(
            ExamRow(
                row=number,
                study_id=(record.get("study_id") or "").strip(),
                exam_date=(record.get("exam_date") or "").strip(),
                values={k: v for k, v in values.items() if v != ""},
                visit_code=(record.get("visit") or "").strip(),
            )
        )
    return rows, []


def export_rows(exams: Iterable[IsncsciExam]) -> Iterator[dict[str, str]]:
    for exam in exams:
        result = exam.classification or {}
        row = {
            "exam_id": str(exam.pk),
            "study_id": exam.patient.study_id,
            "exam_date": exam.exam_date.isoformat(),
            "visit": exam.visit.code if exam.visit else "",
        }
        row.update({k: str(exam.values.get(k, "")) for k in EXAM_KEYS})
        row.update({k: str(result.get(k, "")) for k in RESULT_KEYS})
        yield row


def write_csv(exams: Iterable[IsncsciExam], stream: IO[str]) -> int:
    writer = csv.DictWriter(stream, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    count = 0
    for row in export_rows(exams):
        writer.writerow(row)
        count += 1
    return count
