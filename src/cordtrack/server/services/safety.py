"""Reporting, correcting and signing adverse events (rules from ``cordtrack.clinical.safety``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from cordtrack.clinical import safety as rules
from cordtrack.clinical.errors import SafetyValidationError

from ..access import Cap, require
from ..patients.models import Patient
from ..safety.models import SERIOUSNESS_FIELDS, AdverseEvent, Outcome
from ..signatures.models import Meaning
from ..therapy.models import Administration, CellProductLot
from . import signatures
from .base import FieldErrors, create, update
from .notifications import enqueue_serious_event

_FIELDS = (
    "term", "onset_date", "resolution_date", "ctcae_grade", *SERIOUSNESS_FIELDS, "relatedness",
    "expected", "action", "outcome", "administration", "lot", "awareness_date",
    "initial_report_date", "baseline",
)  # fmt: skip


def _check(patient: Patient, values: dict[str, Any]) -> dict[str, Any]:
    """Field errors for an AE, and the derived values (serious, implied death criterion)."""
    errors = FieldErrors()
    criteria = [name for name in SERIOUSNESS_FIELDS if values.get(name)]
    expectedness = "expected" if values.get("expected") else "unexpected"
    try:
        assessment = rules.assess(
            values.get("ctcae_grade"), criteria, values.get("relatedness"), expectedness
        )
    except SafetyValidationError as exc:
        for e in exc.errors:
            errors.add("ctcae_grade" if e.key == "grade" else e.key, e.message)
        errors.raise_if_any()
        raise  # unreachable: assess raised with at least one error
    onset: dt.date | None = values.get("onset_date")
    resolved: dt.date | None = values.get("resolution_date")
    if onset is not None and onset > timezone.localdate():
        errors.add("onset_date", "cannot be in the future")
    if onset is not None and resolved is not None and resolved < onset:
        errors.add("resolution_date", "is before the onset")
    if resolved is not None and resolved > timezone.localdate():
        errors.add("resolution_date", "cannot be in the future")
    _check_baseline(errors, patient, values)
    outcome = values.get("outcome")
    if assessment.grade == rules.CtcaeGrade.DEATH and outcome != Outcome.FATAL:
        errors.add("outcome", "a grade 5 event has a fatal outcome")
    if outcome == Outcome.FATAL and assessment.grade != rules.CtcaeGrade.DEATH:
        errors.add("ctcae_grade", "a fatal outcome is grade 5")
    if values.get("death") and outcome != Outcome.FATAL:
        # ICH E2A's "results in death" is the event's outcome; CTCAE grade 5 is that death.
        errors.add("outcome", "an event that results in death has a fatal outcome (and grade 5)")
    if outcome in (Outcome.RECOVERED, Outcome.SEQUELAE) and resolved is None:
        errors.add("resolution_date", "is required when the event has resolved")
    _check_clock(errors, values)
    administration: Administration | None = values.get("administration")
    lot: CellProductLot | None = values.get("lot")
    if administration is not None:
        if administration.patient_id != patient.pk:
            errors.add("administration", "belongs to another patient")
        if lot is None:
            lot = administration.lot
        elif lot.pk != administration.lot_id:
            errors.add("lot", "is not the lot of the linked administration")
    if lot is not None and lot.site_id != patient.site_id:
        errors.add("lot", "belongs to another site")
    errors.raise_if_any()
    derived = {
        name: (name in {c.value for c in assessment.seriousness}) for name in SERIOUSNESS_FIELDS
    }
    return {**values, **derived, "lot": lot, "serious": assessment.serious}


def _check_baseline(errors: FieldErrors, patient: Patient, values: dict[str, Any]) -> None:
    """An event that began before consent is accepted only as a baseline (pre-treatment) event,
    and a baseline event begins before the first administration."""
    onset: dt.date | None = values.get("onset_date")
    if onset is None:
        return
    consent = patient.consent_date
    if values.get("baseline"):
        first = (
            Administration.objects.filter(patient=patient)
            .order_by("administered_at")
            .values_list("administered_at", flat=True)
            .first()
        )
        if first is not None and onset >= timezone.localdate(first):
            errors.add(
                "baseline",
                f"a baseline event begins before the first administration ({first:%Y-%m-%d})",
            )
    elif consent is not None and onset < consent:
        errors.add(
            "onset_date",
            f"is before consent ({consent:%Y-%m-%d}): record it as a baseline (pre-treatment) "
            "event, or correct the date",
        )


def _check_clock(errors: FieldErrors, values: dict[str, Any]) -> None:
    """Awareness (first knowledge) is on or after onset; the initial report on or after it."""
    today = timezone.localdate()
    onset: dt.date | None = values.get("onset_date")
    aware: dt.date | None = values.get("awareness_date")
    report: dt.date | None = values.get("initial_report_date")
    if aware is not None and aware > today:
        errors.add("awareness_date", "cannot be in the future")
    if aware is not None and onset is not None and aware < onset:
        errors.add("awareness_date", "is before the onset")
    if report is not None and report > today:
        errors.add("initial_report_date", "cannot be in the future")
    if report is not None and aware is not None and report < aware:
        errors.add("initial_report_date", "is before the site became aware of the event")


def report_adverse_event(actor: Any, patient: Patient, **values: Any) -> AdverseEvent:
    """Record a new adverse event; seriousness is derived per ICH E2A (grade 5 implies death).
    Awareness (first knowledge, the start of a serious event's reporting clock) defaults to the
    day it is reported. A serious event queues the monitors' e-mail in the same transaction."""
    require(actor, patient.site_id, Cap.CLINICAL)
    unknown = set(values) - set(_FIELDS)
    if unknown:
        raise TypeError(f"unknown adverse event fields: {sorted(unknown)}")
    values = {**values, "awareness_date": values.get("awareness_date") or timezone.localdate()}
    clean = _check(patient, values)
    with transaction.atomic():
        event = create(actor, AdverseEvent(patient=patient, reported_by=actor, **clean))
        enqueue_serious_event(event)
    return event


def correct_adverse_event(
    actor: Any, event: AdverseEvent, *, reason: str = "", **changes: Any
) -> AdverseEvent:
    """Change fields of an event; a signed event needs a reason. Old → new values are audited.
    A closed event is not changed. An event that becomes serious queues the monitors' e-mail."""
    require(actor, event.patient.site_id, Cap.CLINICAL)
    if event.closed_at is not None:
        errors = FieldErrors()
        errors.add("status", "this adverse event is closed")
        errors.raise_if_any()
    current = {name: getattr(event, name) for name in _FIELDS}
    clean = _check(event.patient, {**current, **changes})
    with transaction.atomic():
        update(actor, event, clean, reason=reason)
        enqueue_serious_event(event)
    return event


def sign_adverse_event(
    actor: Any,
    event: AdverseEvent,
    *,
    password: str | signatures.Reauthentication,
    request: HttpRequest | None = None,
) -> AdverseEvent:
    """The investigator's sign-off of the event report: an electronic signature meaning
    "authored" (:mod:`.signatures`). Later changes need a reason and invalidate it; the changed
    event is signed again the same way. A closed event is not signed any more."""
    require(actor, event.patient.site_id, Cap.CLINICAL)
    errors = FieldErrors()
    if event.closed_at is not None:
        errors.add("status", "this adverse event is closed")
    elif signatures.is_signed(event, Meaning.AUTHORED):
        errors.add("signed_at", "this event is already signed")
    errors.raise_if_any()

    def lock() -> None:
        event.signed_at = timezone.now()
        event.save(update_fields=["signed_at"])

    signatures.sign(actor, password, event, Meaning.AUTHORED, request=request, apply=lock)
    return event
