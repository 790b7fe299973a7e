"""Visits, outcome instruments and report summaries."""

# No ``from __future__ import annotations`` here: django-ninja reads the operations' annotations
# at import time (Query[...], pagination), and string annotations break that.

from typing import Any

from django.db.models import Count, Q
from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import paginate

from ...access import Cap, require, scoped, site_ids
from ...accounts.models import Site
from ...exams.models import IsncsciExam
from ...followup.models import InstrumentResponse, Visit, VisitStatus
from ...patients.models import ConsentStatus, Patient
from ...safety.models import AdverseEvent
from ...services import followup as followup_services
from ..errors import responses
from ..idempotency import OPENAPI_EXTRA, idempotent
from ..pagination import Paged, Pages
from ..schemas import (
    InstrumentIn,
    InstrumentOut,
    PatientReportOut,
    SiteReportOut,
    VisitDoneIn,
    VisitOut,
)
from . import checked_id, one, patient_of, related, user_of
from .records import ByPatient, by_patient

router = Router()


def visit_out(v: Visit) -> dict[str, Any]:
    return VisitOut.from_orm(v).model_dump(mode="json")


def instrument_out(r: InstrumentResponse) -> dict[str, Any]:
    return InstrumentOut.from_orm(r).model_dump(mode="json")


@router.get("/visits", response=responses(200, list[VisitOut]), tags=["visits"])
@paginate(Pages)
def list_visits(request: HttpRequest, filters: Query[ByPatient]) -> Any:
    rows = by_patient(scoped(user_of(request), Visit.objects.all()), filters.patient_id)
    return Paged(rows.order_by("patient_id", "target_day"), visit_out)


@router.get("/visits/{visit_id}", response=responses(200, VisitOut), tags=["visits"])
def get_visit(request: HttpRequest, visit_id: int) -> dict[str, Any]:
    return visit_out(one(request, Visit.objects.all(), checked_id(visit_id)))


@router.post(
    "/visits/{visit_id}/complete",
    response=responses(200, VisitOut),
    tags=["visits"],
    openapi_extra=OPENAPI_EXTRA,
)
@idempotent
def complete_visit(
    request: HttpRequest, visit_id: int, payload: VisitDoneIn
) -> Status[dict[str, Any]]:
    """Mark a visit done on a date (out of window when outside its window)."""
    visit = one(request, Visit.objects.select_related("patient"), checked_id(visit_id))
    require(user_of(request), visit.patient.site_id, Cap.VISITS)
    done = followup_services.complete_visit(
        user_of(request), visit, payload.done_on, reason=payload.reason
    )
    return Status(200, visit_out(done))


@router.get("/instruments", response=responses(200, list[InstrumentOut]), tags=["instruments"])
@paginate(Pages)
def list_instruments(request: HttpRequest, filters: Query[ByPatient]) -> Any:
    rows = by_patient(
        scoped(user_of(request), InstrumentResponse.objects.all()), filters.patient_id
    )
    return Paged(rows.order_by("pk"), instrument_out)


@router.post(
    "/instruments",
    response=responses(201, InstrumentOut),
    tags=["instruments"],
    openapi_extra=OPENAPI_EXTRA,
)
@idempotent
def create_instrument(request: HttpRequest, payload: InstrumentIn) -> Status[dict[str, Any]]:
    """Record an outcome instrument (SCIM III, WISCI II...); the response carries its score."""
    patient = patient_of(request, payload.patient_id)
    visit = related(request, Visit.objects.all(), payload.visit_id, "visit_id")
    response = followup_services.record_instrument(
        user_of(request),
        patient,
        payload.instrument,
        payload.responses,
        recorded_on=payload.recorded_on,
        visit=visit,
    )
    return Status(201, instrument_out(response))


@router.get(
    "/reports/patients/{patient_id}", response=responses(200, PatientReportOut), tags=["reports"]
)
def patient_report(request: HttpRequest, patient_id: int) -> dict[str, Any]:
    """A patient's summary: latest classification, treatments, safety and visit adherence."""
    patient = one(request, Patient.objects.all(), checked_id(patient_id))
    signed = IsncsciExam.objects.signed().filter(patient=patient)  # drafts are not reported
    latest = signed.order_by("-exam_date", "-pk").first()
    visits = patient.visits.aggregate(
        done=Count("pk", filter=Q(status__in=[VisitStatus.DONE, VisitStatus.OUT_OF_WINDOW])),
        missed=Count("pk", filter=Q(status=VisitStatus.MISSED)),
        scheduled=Count("pk", filter=Q(status=VisitStatus.SCHEDULED)),
    )
    events = AdverseEvent.objects.filter(patient=patient)
    return PatientReportOut(
        patient_id=patient.pk,
        study_id=patient.study_id,
        exams=signed.count(),
        latest_exam_date=latest.exam_date if latest else None,
        latest_nli=latest.nli if latest else "",
        latest_ais=latest.ais if latest else "",
        administrations=patient.administrations.count(),
        adverse_events=events.count(),
        serious_adverse_events=events.filter(serious=True).count(),
        visits_done=visits["done"],
        visits_missed=visits["missed"],
        visits_scheduled=visits["scheduled"],
    ).model_dump(mode="json")


@router.get("/reports/sites", response=responses(200, list[SiteReportOut]), tags=["reports"])
def site_reports(request: HttpRequest) -> list[dict[str, Any]]:
    """Counts per site the user reads (staff only; a patient sees no site totals)."""
    out = []
    for site in Site.objects.filter(pk__in=site_ids(user_of(request), Cap.READ)):
        patients = Patient.objects.filter(site=site)
        events = AdverseEvent.objects.filter(patient__site=site)
        out.append(
            SiteReportOut(
                site=site.code,
                patients=patients.count(),
                consented=patients.filter(consent_status=ConsentStatus.CONSENTED).count(),
                treated=patients.filter(administrations__isnull=False).distinct().count(),
                exams=IsncsciExam.objects.signed().filter(patient__site=site).count(),
                adverse_events=events.count(),
                serious_adverse_events=events.filter(serious=True).count(),
            ).model_dump(mode="json")
        )
    return out
