"""Visit schedules (placed by ``cordtrack.clinical.visits``), instruments and logistics."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from cordtrack.clinical import visits as schedule_rules
from cordtrack.clinical.errors import DefinitionError, InstrumentValidationError
from cordtrack.clinical.instruments import INSTRUMENTS, score_instrument

from ..access import Cap, require
from ..consent import scopes
from ..followup import travel
from ..followup.models import InstrumentResponse, Logistics, MobilityAid, Visit, VisitStatus
from ..intake.models import Protocol
from ..patients.models import Patient
from .base import FieldErrors, create, update

_STATUS = {
    schedule_rules.VisitStatus.DONE_IN_WINDOW: VisitStatus.DONE,
    schedule_rules.VisitStatus.DONE_OUT_OF_WINDOW: VisitStatus.OUT_OF_WINDOW,
    schedule_rules.VisitStatus.MISSED: VisitStatus.MISSED,
    schedule_rules.VisitStatus.SCHEDULED: VisitStatus.SCHEDULED,
}


def schedule_visits(
    actor: Any, patient: Patient, protocol: Protocol, reference_date: dt.date
) -> list[Visit]:
    """Create the protocol's visits for ``patient``, counted from ``reference_date`` (day 0)."""
    require(actor, patient.site_id, Cap.VISITS)
    scopes.check(patient, scopes.Action.VISIT)
    errors = FieldErrors()
    try:
        schedule = schedule_rules.VisitSchedule.from_dict(protocol.schedule)
    except DefinitionError as exc:
        for e in exc.errors:
            errors.add("protocol", f"schedule {e}")
        errors.raise_if_any()
        raise
    if patient.visits.exists():
        errors.add("patient", "already has a visit schedule")
        errors.raise_if_any()
    labels = {v.code: v.label for v in schedule.visits}
    days = {v.code: v.target_day for v in schedule.visits}
    with transaction.atomic():
        return [
            create(
                actor,
                Visit(
                    patient=patient,
                    protocol=protocol,
                    code=placed.code,
                    label=labels[placed.code],
                    target_day=days[placed.code],
                    target_date=placed.target_date,
                    window_open=placed.window_open,
                    window_close=placed.window_close,
                ),
            )
            for placed in schedule_rules.schedule_visits(schedule, reference_date)
        ]


def _placed(visit: Visit) -> schedule_rules.ScheduledVisit:
    return schedule_rules.ScheduledVisit(
        code=visit.code, target_date=visit.target_date,
        window_open=visit.window_open, window_close=visit.window_close,
    )  # fmt: skip


def complete_visit(actor: Any, visit: Visit, done_on: dt.date, *, reason: str = "") -> Visit:
    """Mark a visit done; it is "out of window" when ``done_on`` is outside its window."""
    require(actor, visit.patient.site_id, Cap.VISITS)
    scopes.check(visit.patient, scopes.Action.VISIT)
    if done_on > timezone.localdate():
        errors = FieldErrors()
        errors.add("done_on", "cannot be in the future")
        errors.raise_if_any()
    status = _STATUS[schedule_rules.visit_status(_placed(visit), done_on, timezone.localdate())]
    with transaction.atomic():
        return update(actor, visit, {"status": status, "done_on": done_on}, reason=reason)


def reschedule_visit(actor: Any, visit: Visit, target_date: dt.date, *, reason: str) -> Visit:
    """Move a scheduled visit to ``target_date``, its window with it (the same days before and
    after), with a reason (audited). Its reminders become due again for the new dates."""
    require(actor, visit.patient.site_id, Cap.VISITS)
    scopes.check(visit.patient, scopes.Action.VISIT)
    errors = FieldErrors()
    if visit.status != VisitStatus.SCHEDULED:
        errors.add("target_date", "only a scheduled visit can be moved")
    if not reason.strip():
        errors.add("reason", "say why the visit moves")
    errors.raise_if_any()
    shift = target_date - visit.target_date
    values = {
        "target_date": target_date, "window_open": visit.window_open + shift,
        "window_close": visit.window_close + shift,
    }  # fmt: skip
    with transaction.atomic():
        return update(actor, visit, values, reason=reason)


def refresh_visit_status(actor: Any, visit: Visit, today: dt.date) -> Visit:
    """Mark a scheduled visit missed once its window has closed (no-op otherwise)."""
    status = _STATUS[schedule_rules.visit_status(_placed(visit), visit.done_on, today)]
    if status == visit.status:
        return visit
    with transaction.atomic():
        return update(actor, visit, {"status": status})


def record_instrument(
    actor: Any,
    patient: Patient,
    instrument: str,
    responses: dict[str, Any],
    *,
    recorded_on: dt.date,
    visit: Visit | None = None,
) -> InstrumentResponse:
    """Score the answers with ``cordtrack.clinical`` and store answers and score."""
    require(actor, patient.site_id, Cap.ASSESS)
    scopes.check(patient, scopes.Action.VISIT)
    errors = FieldErrors()
    if instrument not in INSTRUMENTS:
        errors.add("instrument", f"{instrument!r} is not one of {', '.join(sorted(INSTRUMENTS))}")
        errors.raise_if_any()
    if visit is not None and visit.patient_id != patient.pk:
        errors.add("visit", "belongs to another patient")
    if recorded_on > timezone.localdate():
        errors.add("recorded_on", "cannot be in the future")
    try:
        score = score_instrument(instrument, responses)
    except InstrumentValidationError as exc:
        for e in exc.errors:
            errors.add(e.key, e.message)
        errors.raise_if_any()
        raise
    errors.raise_if_any()
    with transaction.atomic():
        return create(
            actor,
            InstrumentResponse(
                patient=patient, visit=visit, instrument=instrument, responses=dict(responses),
                score=score.to_dict(), total=score.total, recorded_on=recorded_on,
                recorded_by=actor,
            ),
        )  # fmt: skip


def record_logistics(
    actor: Any,
    visit: Visit,
    *,
    travel_mode: str,
    distance_km: int,
    lodging_nights: int = 0,
    mobility_aids: list[str] | None = None,
    companion: bool = False,
    travel_arranged: bool = False,
    lodging_arranged: bool = False,
    mobility_aids_arranged: bool = False,
    arrival_date: dt.date | None = None,
    departure_date: dt.date | None = None,
    accompanying_persons: int | None = None,
    interpreter_language: str = "",
) -> Logistics:
    """Create or update the logistics of one visit, with whether each item is arranged, and the
    planned stay (checked against the visit window: ``followup.travel``)."""
    require(actor, visit.patient.site_id, Cap.VISITS)
    scopes.check(visit.patient, scopes.Action.VISIT)
    aids = list(mobility_aids or [])
    errors = FieldErrors()
    bad = [a for a in aids if a not in MobilityAid.values]
    if bad:
        errors.add("mobility_aids", f"unknown: {', '.join(bad)}")
    if MobilityAid.NONE in aids and len(aids) > 1:
        errors.add("mobility_aids", "'none' cannot be combined with other aids")
    if distance_km > 40000:
        errors.add("distance_km", "is more than around the world")
    for name, messages in travel.stay_errors(
        visit.window_open, visit.window_close, arrival_date, departure_date
    ).items():
        for message in messages:
            errors.add(name, message)
    if accompanying_persons is not None and not 0 <= accompanying_persons <= 20:
        errors.add("accompanying_persons", "must be between 0 and 20")
    if interpreter_language and interpreter_language not in dict(travel.interpreter_languages()):
        errors.add("interpreter_language", f"{interpreter_language!r} is not a known language")
    errors.raise_if_any()
    values = {
        "travel_mode": travel_mode, "distance_km": distance_km, "lodging_nights": lodging_nights,
        "mobility_aids": aids, "companion": companion, "travel_arranged": travel_arranged,
        "lodging_arranged": lodging_arranged, "mobility_aids_arranged": mobility_aids_arranged,
        "arrival_date": arrival_date, "departure_date": departure_date,
        "accompanying_persons": accompanying_persons, "interpreter_language": interpreter_language,
    }  # fmt: skip
    with transaction.atomic():
        existing = Logistics.objects.filter(visit=visit).first()
        if existing is not None:
            return update(actor, existing, values)
        return create(actor, Logistics(visit=visit, **values))


def mark_arranged(actor: Any, logistics: Logistics, item: str, arranged: bool = True) -> Logistics:
    """Tick (or untick) one needed item of a visit's logistics as arranged (audited)."""
    require(actor, logistics.visit.patient.site_id, Cap.VISITS)
    errors = FieldErrors()
    if item not in Logistics.ITEMS:
        errors.add("item", f"{item!r} is not one of {', '.join(Logistics.ITEMS)}")
        errors.raise_if_any()
    if arranged and not logistics.needs(item):
        errors.add("item", f"{item.replace('_', ' ')} is not needed for this visit")
        errors.raise_if_any()
    field = Logistics.ITEMS[item]
    if getattr(logistics, field) == arranged:
        return logistics
    with transaction.atomic():
        return update(actor, logistics, {field: arranged})
