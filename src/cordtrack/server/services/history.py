"""Concomitant medications and medical history: entry and correction, validated and audited.

A medication's classes (anticoagulant, immunosuppressant...) come from its WHO ATC code through
``cordtrack.clinical.medications``: the code entered with it, else the substance its name names.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from cordtrack.clinical.medications import ATC_PATTERN

from ..access import Cap, require
from ..consent import scopes
from ..patients.models import Comorbidity, Medication, MedicationRoute, Patient
from .base import FieldErrors, create, update

_MEDICATION_FIELDS = ("name", "dose", "route", "indication", "atc_code", "start_date", "stop_date")
_HISTORY_FIELDS = ("condition", "icd10", "onset_date", "ongoing")


def _check_medication(values: dict[str, Any]) -> dict[str, Any]:
    errors = FieldErrors()
    clean: dict[str, Any] = {k: values.get(k) for k in _MEDICATION_FIELDS}
    for key in ("name", "dose", "route", "indication", "atc_code"):
        clean[key] = str(clean[key] or "").strip()
    clean["atc_code"] = str(clean["atc_code"]).upper()
    if not clean["name"]:
        errors.add("name", "is required")
    if clean["route"] and clean["route"] not in MedicationRoute.values:
        errors.add("route", f"must be one of {', '.join(MedicationRoute.values)}")
    if clean["atc_code"] and not ATC_PATTERN.fullmatch(clean["atc_code"]):
        errors.add("atc_code", "is not a WHO ATC code (e.g. B01AF02)")
    start: dt.date | None = clean["start_date"]
    stop: dt.date | None = clean["stop_date"]
    today = timezone.localdate()
    if start is not None and start > today:
        errors.add("start_date", "cannot be in the future")
    if start is not None and stop is not None and stop < start:
        errors.add("stop_date", "is before the start date")
    errors.raise_if_any()
    return clean


def add_medication(actor: Any, patient: Patient, **values: Any) -> Medication:
    """Record a concomitant medication (clinicians, data managers)."""
    require(actor, patient.site_id, Cap.CLINICAL)
    scopes.check(patient, scopes.Action.DATA_ENTRY)
    unknown = set(values) - set(_MEDICATION_FIELDS)
    if unknown:
        raise TypeError(f"unknown medication fields: {sorted(unknown)}")
    clean = _check_medication(values)
    with transaction.atomic():
        return create(actor, Medication(patient=patient, **clean))


def correct_medication(
    actor: Any, medication: Medication, *, reason: str = "", **changes: Any
) -> Medication:
    """Change a medication (a stop date, a corrected dose...); old → new values are audited."""
    require(actor, medication.patient.site_id, Cap.CLINICAL)
    current = {k: getattr(medication, k) for k in _MEDICATION_FIELDS}
    clean = _check_medication({**current, **changes})
    with transaction.atomic():
        return update(actor, medication, clean, reason=reason)


def _check_history(values: dict[str, Any]) -> dict[str, Any]:
    errors = FieldErrors()
    clean: dict[str, Any] = {k: values.get(k) for k in _HISTORY_FIELDS}
    clean["condition"] = str(clean["condition"] or "").strip()
    clean["icd10"] = str(clean["icd10"] or "").strip().upper()
    if not clean["condition"]:
        errors.add("condition", "is required")
    if not isinstance(clean["ongoing"], bool):
        errors.add("ongoing", "must be yes or no")
    onset: dt.date | None = clean["onset_date"]
    if onset is not None and onset > timezone.localdate():
        errors.add("onset_date", "cannot be in the future")
    errors.raise_if_any()
    return clean


def add_medical_history(
    actor: Any, patient: Patient, *, condition: str, onset_date: dt.date | None = None,
    ongoing: bool = True, icd10: str = "",
) -> Comorbidity:  # fmt: skip
    """Record a condition of the medical history (clinicians, data managers)."""
    require(actor, patient.site_id, Cap.CLINICAL)
    scopes.check(patient, scopes.Action.DATA_ENTRY)
    clean = _check_history(
        {"condition": condition, "onset_date": onset_date, "ongoing": ongoing, "icd10": icd10}
    )
    with transaction.atomic():
        return create(actor, Comorbidity(patient=patient, **clean))


def correct_medical_history(
    actor: Any, entry: Comorbidity, *, reason: str = "", **changes: Any
) -> Comorbidity:
    require(actor, entry.patient.site_id, Cap.CLINICAL)
    current = {k: getattr(entry, k) for k in _HISTORY_FIELDS}
    clean = _check_history({**current, **changes})
    with transaction.atomic():
        return update(actor, entry, clean, reason=reason)


def current_medications(patient: Patient, on: dt.date) -> list[Medication]:
    """The medications taken on ``on``: started by then (or no start date) and not stopped
    before it."""
    return [
        m
        for m in patient.medications.all()
        if (m.start_date is None or m.start_date <= on)
        and (m.stop_date is None or m.stop_date >= on)
    ]
