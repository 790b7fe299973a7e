"""Recording, signing, amending and recomputing ISNCSCI exams."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from cordtrack import isncsci

from ..access import Cap, require
from ..audit.chain import record_change, snapshot
from ..audit.models import AuditAction
from ..exams.models import IsncsciExam
from ..followup.models import Visit
from ..patients.models import Patient
from .base import FieldErrors, create, require_reason_if_locked, update

Classifier = Callable[[Mapping[str, str]], dict[str, str]]


def engine_version() -> str:
    """The rules in force (:data:`cordtrack.isncsci.ENGINE_VERSION`), stored with each result."""
    return isncsci.ENGINE_VERSION


def classify_flat(values: Mapping[str, str]) -> dict[str, str]:
    """The engine's 25 result keys for a flat exam."""
    return isncsci.classify(isncsci.parse_exam(values)).to_flat()


def _validated_values(values: Mapping[str, object]) -> dict[str, str]:
    """The exam keys only, as strings; raises field errors from the engine's parser."""
    try:
        isncsci.parse_exam(values)
    except isncsci.ExamValidationError as exc:
        errors = FieldErrors()
        for e in exc.errors:
            errors.add(e.field, e.message)
        errors.raise_if_any()
    # parse_exam accepts only exact strings (no surrounding spaces, the worksheet's case).
    return {k: str(values[k]) for k in isncsci.EXAM_KEYS if values.get(k) not in (None, "")}


def _total(flat: Mapping[str, str], key: str) -> int | None:
    value = flat.get(key, "")
    return int(value) if value.isdigit() else None


def classified_fields(
    values: Mapping[str, str], classifier: Classifier | None = None
) -> dict[str, Any]:
    """The classification columns of validated exam values (the engine is always installed)."""
    flat = (classifier or classify_flat)(values)
    return {
        "classification": flat,
        "engine_version": engine_version(),
        "classified_at": timezone.now(),
        **indexed_fields(flat),
    }


def indexed_fields(flat: Mapping[str, str]) -> dict[str, Any]:
    """The indexed columns (NLI, AIS, UEMS, LEMS) derived from the 25 result keys."""
    return {
        "nli": flat["neurologicalLevelOfInjury"],
        "ais": flat["asiaImpairmentScale"],
        "uems": _total(flat, "upperMotorTotal"),
        "lems": _total(flat, "lowerMotorTotal"),
    }


def record_exam(
    actor: Any,
    patient: Patient,
    values: Mapping[str, object],
    *,
    exam_date: dt.date,
    visit: Visit | None = None,
    classifier: Classifier | None = None,
) -> IsncsciExam:
    """Validate the raw values with the engine, classify, store both, and audit."""
    require(actor, patient.site_id, Cap.CLINICAL)
    errors = FieldErrors()
    if exam_date > timezone.localdate():
        errors.add("exam_date", "cannot be in the future")
    if visit is not None and visit.patient_id != patient.pk:
        errors.add("visit", "belongs to another patient")
    errors.raise_if_any()
    clean = _validated_values(values)
    fields = classified_fields(clean, classifier)
    with transaction.atomic():
        return create(
            actor,
            IsncsciExam(
                patient=patient, visit=visit, examiner=actor, exam_date=exam_date, values=clean,
                **fields,
            ),
        )  # fmt: skip


def amend_exam(
    actor: Any,
    exam: IsncsciExam,
    values: Mapping[str, object],
    *,
    reason: str = "",
    classifier: Classifier | None = None,
) -> IsncsciExam:
    """Correct an exam's values (a signed exam needs a reason) and reclassify."""
    require(actor, exam.patient.site_id, Cap.CLINICAL)
    require_reason_if_locked(exam, reason)
    clean = _validated_values(values)
    fields = classified_fields(clean, classifier)
    with transaction.atomic():
        return update(actor, exam, {"values": clean, **fields}, reason=reason)


def sign_exam(actor: Any, exam: IsncsciExam) -> IsncsciExam:
    """Sign (lock) an exam; later changes need a reason."""
    require(actor, exam.patient.site_id, Cap.CLINICAL)
    if exam.locked:
        errors = FieldErrors()
        errors.add("signed_at", "this exam is already signed")
        errors.raise_if_any()
    with transaction.atomic():
        before = snapshot(exam)
        exam.signed_by = actor
        exam.signed_at = timezone.now()
        exam.save(update_fields=["signed_by", "signed_at"])
        record_change(actor, exam, before, action=AuditAction.SIGN)
    return exam


def recompute_exam(actor: Any, exam: IsncsciExam, *, reason: str = "engine update") -> bool:
    """Reclassify with the current engine; returns True if anything stored changed (audited)."""
    fields = classified_fields(exam.values)
    if all(getattr(exam, k) == v for k, v in fields.items() if k != "classified_at"):
        return False
    with transaction.atomic():
        update(actor, exam, fields, reason=reason)
    return True
