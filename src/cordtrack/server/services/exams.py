"""Recording, signing, amending and recomputing ISNCSCI exams."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from cordtrack import isncsci
from cordtrack.isncsci.types import NON_KEY_KEYS

from ..access import Cap, require
from ..consent import scopes
from ..exams.models import IsncsciExam
from ..followup.models import Visit
from ..patients.models import Injury, Patient
from ..prepared import Prepared
from ..signatures.models import Meaning
from . import signatures
from .base import EARLIEST_DATE, FieldErrors, create, require_reason_if_locked, update

Classifier = Callable[[Mapping[str, str]], dict[str, str]]


def engine_version() -> str:
    """The rules in force (:data:`cordtrack.isncsci.ENGINE_VERSION`), stored with each result."""
    return isncsci.ENGINE_VERSION


#: The cells an exam needs before it can be signed (the lowest non-key muscles are optional).
REQUIRED_KEYS: tuple[str, ...] = tuple(
    k for k in isncsci.EXAM_KEYS if k not in set(NON_KEY_KEYS.values())
)
NOT_TESTABLE = "NT"


def missing_keys(values: Mapping[str, object]) -> list[str]:
    """The required cells that are empty, in worksheet order."""
    return [k for k in REQUIRED_KEYS if values.get(k) in (None, "")]


def provisional_values(values: Mapping[str, str]) -> dict[str, str]:
    """``values`` with every empty required cell taken as not testable: what the filled cells
    allow (the engine gives every value the NT cells leave possible). Unchanged when complete."""
    return {**values, **dict.fromkeys(missing_keys(values), NOT_TESTABLE)}


def classify_flat(values: Mapping[str, str]) -> dict[str, str]:
    """The engine's 25 result keys for a flat exam (a draft's empty cells taken as NT)."""
    return isncsci.classify(isncsci.parse_exam(provisional_values(values))).to_flat()


def _validated_values(values: Mapping[str, object], *, draft: bool = False) -> dict[str, str]:
    """The exam keys only, as strings; raises field errors from the engine's parser. A draft may
    leave cells empty; every value given is still checked."""
    given = {k: v for k, v in values.items() if v not in (None, "")}
    probe = provisional_values(given) if draft else dict(values)  # type: ignore[arg-type]
    try:
        isncsci.parse_exam(probe)
    except isncsci.ExamValidationError as exc:
        errors = FieldErrors()
        for e in exc.errors:
            errors.add(e.field, e.message)
        errors.raise_if_any()
    # parse_exam accepts only exact strings (no surrounding spaces, the worksheet's case).
    return {k: str(given[k]) for k in isncsci.EXAM_KEYS if k in given}


def _total(flat: Mapping[str, str], key: str) -> int | None:
    value = flat.get(key, "")
    return int(value) if value.isdigit() else None


def classified_fields(
    values: Mapping[str, str], classifier: Classifier | None = None
) -> dict[str, Any]:
    """The classification columns of validated exam values (provisional for an incomplete
    draft), and whether every cell is filled."""
    flat = (classifier or classify_flat)(values)
    return {
        "complete": not missing_keys(values),
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
    draft: bool = False,
) -> IsncsciExam:
    """Validate the raw values with the engine, classify, store both, and audit. With ``draft``
    cells may be empty (the classification is then provisional); an exam is signed later."""
    require(actor, patient.site_id, Cap.ASSESS)
    scopes.check(patient, scopes.Action.VISIT)
    errors = FieldErrors()
    for message in exam_date_errors(patient, exam_date):
        errors.add("exam_date", message)
    _check_visit(errors, patient, visit)
    errors.raise_if_any()
    clean = _validated_values(values, draft=draft)
    fields = classified_fields(clean, classifier)
    with transaction.atomic():
        return create(
            actor,
            IsncsciExam(
                patient=patient, visit=visit, examiner=actor, exam_date=exam_date, values=clean,
                **fields,
            ),
            # Read from the database by the caller (the patient, the visit) or signed in (the
            # examiner): model validation would query each again to learn that it exists; the
            # foreign keys still guard the insert.
            exclude=_READ_RELATIONS,
        )  # fmt: skip


_READ_RELATIONS = ("patient", "visit", "examiner")


#: A patient's injury date (every exam date is checked against it).
_INJURY_DATE: Prepared[dt.date] = Prepared(
    lambda patient_id: (
        Injury.objects.filter(patient_id=patient_id)
        .values_list("injury_date", flat=True)
        .order_by("pk")[:1]
    ),
    int,
)


def exam_date_errors(patient: Patient, exam_date: dt.date) -> list[str]:
    """What is wrong with ``exam_date`` for ``patient``: in the future, before 1900, before the
    year of birth or before the injury (the worksheet, the API and imports all ask here)."""
    problems = []
    if exam_date > timezone.localdate():
        problems.append("cannot be in the future")
    if exam_date < EARLIEST_DATE:
        problems.append("is before 1900")
    elif exam_date.year < patient.year_of_birth:
        problems.append(f"is before the patient's birth (born {patient.year_of_birth})")
    injury = _INJURY_DATE.first(patient.pk)
    if injury is not None and exam_date < injury:
        problems.append(f"is before the injury ({injury:%Y-%m-%d})")
    return problems


def _check_visit(errors: FieldErrors, patient: Patient, visit: Visit | None) -> None:
    if visit is not None and visit.patient_id != patient.pk:
        errors.add("visit", "belongs to another patient")


_KEEP = object()


def amend_exam(
    actor: Any,
    exam: IsncsciExam,
    values: Mapping[str, object],
    *,
    reason: str = "",
    classifier: Classifier | None = None,
    visit: Any = _KEEP,
) -> IsncsciExam:
    """Correct an exam's values (a signed exam needs a reason, and every cell) and reclassify;
    ``visit`` links it to another protocol visit (None: to none)."""
    require(actor, exam.patient.site_id, Cap.ASSESS)
    require_reason_if_locked(exam, reason)
    clean = _validated_values(values, draft=not exam.locked)
    changes: dict[str, Any] = {"values": clean, **classified_fields(clean, classifier)}
    if visit is not _KEEP:
        errors = FieldErrors()
        _check_visit(errors, exam.patient, visit)
        errors.raise_if_any()
        changes["visit"] = visit
    with transaction.atomic():
        return update(actor, exam, changes, reason=reason)


def sign_exam(
    actor: Any,
    exam: IsncsciExam,
    *,
    password: str | signatures.Reauthentication,
    request: HttpRequest | None = None,
) -> IsncsciExam:
    """Sign (lock) an exam as its author, re-entering the password (an electronic signature with
    meaning "authored", :mod:`.signatures`); later changes need a reason and invalidate the
    signature, and the corrected exam is signed again the same way."""
    require(actor, exam.patient.site_id, Cap.ASSESS)
    errors = FieldErrors()
    if signatures.is_signed(exam, Meaning.AUTHORED):
        errors.add("signed_at", "this exam is already signed")
    missing = missing_keys(exam.values)
    if missing:
        shown = ", ".join(missing[:6]) + (
            f" and {len(missing) - 6} more" if len(missing) > 6 else ""
        )
        errors.add("values", f"{len(missing)} cells are empty ({shown}): fill every cell to sign")
    errors.raise_if_any()

    def lock() -> None:
        exam.signed_by = actor
        exam.signed_at = timezone.now()
        exam.save(update_fields=["signed_by", "signed_at"])

    signatures.sign(actor, password, exam, Meaning.AUTHORED, request=request, apply=lock)
    return exam


def recompute_exam(actor: Any, exam: IsncsciExam, *, reason: str = "engine update") -> bool:
    """Reclassify with the current engine; returns True if anything stored changed (audited)."""
    fields = classified_fields(exam.values)
    if all(getattr(exam, k) == v for k, v in fields.items() if k != "classified_at"):
        return False
    with transaction.atomic():
        update(actor, exam, fields, reason=reason)
    return True
