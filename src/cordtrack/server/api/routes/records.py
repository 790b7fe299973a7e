"""Patients, ISNCSCI exams and eligibility screenings."""

# No ``from __future__ import annotations`` here: django-ninja reads the operations' annotations
# at import time (Query[...], pagination), and string annotations break that.

from typing import Any, cast

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from cordtrack import isncsci

from ...access import scoped
from ...exams.models import IsncsciExam
from ...followup.models import Visit
from ...intake.models import EligibilityScreening, Protocol
from ...patients.models import Patient
from ...services import exams as exam_services
from ...services import intake as intake_services
from ...services import patients as patient_services
from ...services import signatures
from ...services.base import FieldErrors
from ...signatures.models import Meaning
from ..errors import responses
from ..idempotency import OPENAPI_EXTRA, idempotent
from ..pagination import Paged, Pages
from ..schemas import (
    ExamIn,
    ExamOut,
    ExamPatchIn,
    PatientIn,
    PatientOut,
    ScreeningIn,
    ScreeningOut,
    SignatureOut,
)
from ..vocabulary import MAX_ID
from . import checked_id, one, patient_of, related, site_of, user_of

router = Router()


class PatientFilter(Schema):
    q: str | None = None
    site: str | None = None


class ByPatient(Schema):
    patient_id: int | None = None


def by_patient(queryset: QuerySet[Any], patient_id: int | None) -> QuerySet[Any]:
    if patient_id is None:
        return queryset
    return queryset.filter(patient_id=patient_id) if 1 <= patient_id <= MAX_ID else queryset.none()


def patient_out(patient: Patient) -> dict[str, Any]:
    """The ``PatientOut`` fields as JSON values (an idempotent write stores them), validated once:
    by the operation's response schema as the answer is rendered (building the schema here too
    validated every row twice, ADR 0058)."""
    return {
        "id": patient.pk,
        "study_id": patient.study_id,
        "site": patient.site.code,
        "year_of_birth": patient.year_of_birth,
        "sex": patient.sex,
        "consent_status": patient.consent_status,
        "consent_date": None if patient.consent_date is None else patient.consent_date.isoformat(),
        "consent_version": patient.consent_version,
    }


def exam_out(exam: IsncsciExam) -> dict[str, Any]:
    """The exam with its author's latest signature (prepared for a page of exams by
    :func:`with_signatures`, else read here)."""
    prepared = getattr(exam, "_signature", _UNREAD)
    state = (
        signatures.current(exam, Meaning.AUTHORED)
        if prepared is _UNREAD
        else cast("signatures.SignatureState | None", prepared)
    )
    body = ExamOut.from_orm(exam).model_dump(mode="json")
    # The signature checked on its own: the exam is not validated a second time for it.
    body["signature"] = (
        None if state is None else SignatureOut(**state.as_dict()).model_dump(mode="json")
    )
    return body


_UNREAD = object()


def with_signatures(page: list[IsncsciExam]) -> None:
    """Fetch the signatures of a page of exams in one query."""
    found = signatures.latest_by_record(page, Meaning.AUTHORED)
    for exam in page:
        exam._signature = found.get(exam.pk)  # type: ignore[attr-defined]


@router.get("/patients", response=responses(200, list[PatientOut]), tags=["patients"])
@paginate(Pages)
def list_patients(request: HttpRequest, filters: Query[PatientFilter]) -> Any:
    patients = scoped(user_of(request), Patient.objects.select_related("site"))
    if filters.q:
        patients = patients.filter(study_id__icontains=filters.q.replace("\x00", ""))
    if filters.site:
        patients = patients.filter(site__code=filters.site.replace("\x00", ""))
    return Paged(patients, patient_out)


@router.post(
    "/patients", response=responses(201, PatientOut), tags=["patients"], openapi_extra=OPENAPI_EXTRA
)
@idempotent
def create_patient(request: HttpRequest, payload: PatientIn) -> Status[dict[str, Any]]:
    """Register a patient at a site (coordinators, data managers): the next study id."""
    site = site_of(request, payload.site)
    patient = patient_services.register_patient(
        user_of(request), site, year_of_birth=payload.year_of_birth, sex=payload.sex,
        received_on=payload.received_on, source=payload.referral_source,
    )  # fmt: skip
    return Status(201, patient_out(patient))


@router.get("/patients/{patient_id}", response=responses(200, PatientOut), tags=["patients"])
def get_patient(request: HttpRequest, patient_id: int) -> dict[str, Any]:
    patient = one(request, Patient.objects.select_related("site"), checked_id(patient_id))
    return patient_out(patient)


@router.get("/exams", response=responses(200, list[ExamOut]), tags=["exams"])
@paginate(Pages)
def list_exams(request: HttpRequest, filters: Query[ByPatient]) -> Any:
    exams = by_patient(scoped(user_of(request), IsncsciExam.objects.all()), filters.patient_id)
    return Paged(exams.order_by("patient_id", "exam_date", "pk"), exam_out, with_signatures)


@router.get("/exams/{exam_id}", response=responses(200, ExamOut), tags=["exams"])
def get_exam(request: HttpRequest, exam_id: int) -> dict[str, Any]:
    return exam_out(one(request, IsncsciExam.objects.all(), checked_id(exam_id)))


@router.post(
    "/exams", response=responses(201, ExamOut), tags=["exams"], openapi_extra=OPENAPI_EXTRA
)
@idempotent
def create_exam(request: HttpRequest, payload: ExamIn) -> Status[dict[str, Any]]:
    """Record an exam from its raw flat values; the response carries the engine's
    classification (the 25 result keys). An invalid value is a 422 naming key and value. With
    ``"status": "draft"`` keys may be missing: the classification is then provisional."""
    patient = patient_of(request, payload.patient_id)
    visit = related(request, Visit.objects.all(), payload.visit_id, "visit_id")
    draft = payload.status == "draft"
    if draft and not any(payload.values.values()):
        errors = FieldErrors()
        errors.add("values", "a draft needs at least one filled cell")
        errors.raise_if_any()
    if not draft:
        isncsci.parse_exam(payload.values)  # ExamValidationError → 422 naming key and value
    exam = exam_services.record_exam(
        user_of(request), patient, payload.values, exam_date=payload.exam_date, visit=visit,
        draft=draft,
    )  # fmt: skip
    exam._signature = None  # type: ignore[attr-defined]  # just made: nobody has signed it
    return Status(201, exam_out(exam))


@router.patch("/exams/{exam_id}", response=responses(200, ExamOut), tags=["exams"])
def update_exam(request: HttpRequest, exam_id: int, payload: ExamPatchIn) -> dict[str, Any]:
    """Correct cells of an exam (a draft may be completed cell by cell; a signed exam needs a
    ``reason``), or link it to a visit; it is reclassified and the change audited."""
    exam = one(request, IsncsciExam.objects.select_related("patient"), checked_id(exam_id))
    values = {**exam.values, **payload.values}
    changes: dict[str, Any] = {}
    if "visit_id" in payload.model_fields_set:
        changes["visit"] = related(request, Visit.objects.all(), payload.visit_id, "visit_id")
    exam = exam_services.amend_exam(
        user_of(request), exam, values, reason=payload.reason, **changes
    )
    return exam_out(exam)


@router.get("/screenings", response=responses(200, list[ScreeningOut]), tags=["screenings"])
@paginate(Pages)
def list_screenings(request: HttpRequest, filters: Query[ByPatient]) -> Any:
    screenings = scoped(user_of(request), EligibilityScreening.objects.all())
    rows = by_patient(screenings, filters.patient_id).order_by("pk")
    return Paged(rows, screening_out, with_decisions)


@router.post(
    "/screenings",
    response=responses(201, ScreeningOut),
    tags=["screenings"],
    openapi_extra=OPENAPI_EXTRA,
)
@idempotent
def create_screening(request: HttpRequest, payload: ScreeningIn) -> Status[dict[str, Any]]:
    """Evaluate a protocol's eligibility criteria for a patient and record the decision."""
    patient = patient_of(request, payload.patient_id)
    protocol = Protocol.objects.filter(pk=payload.protocol_id).first()
    if protocol is None:
        errors = FieldErrors()
        errors.add("protocol_id", f"no protocol {payload.protocol_id}")
        errors.raise_if_any()
    assert protocol is not None
    unknown = sorted(set(payload.conditions) - set(intake_services.ASSESSED_CONDITIONS))
    if unknown:
        errors = FieldErrors()
        known = ", ".join(intake_services.ASSESSED_CONDITIONS)
        errors.add("conditions", f"unknown: {', '.join(unknown)} (known: {known})")
        errors.raise_if_any()
    assessed = {"medically_stable": payload.medically_stable, **payload.conditions}
    screening = intake_services.screen_eligibility(
        user_of(request), patient, protocol, assessed, screened_on=payload.screened_on
    )
    return Status(201, screening_out(screening))


def screening_out(screening: EligibilityScreening) -> dict[str, Any]:
    """The screening with the latest signature of its decision."""
    prepared = getattr(screening, "_signature", _UNREAD)
    state = (
        signatures.current(screening, Meaning.APPROVED)
        if prepared is _UNREAD
        else cast("signatures.SignatureState | None", prepared)
    )
    body = ScreeningOut.from_orm(screening).model_dump(mode="json")
    body["signature"] = None if state is None else state.as_dict()
    return ScreeningOut(**body).model_dump(mode="json")


def with_decisions(page: list[EligibilityScreening]) -> None:
    found = signatures.latest_by_record(page, Meaning.APPROVED)
    for screening in page:
        screening._signature = found.get(screening.pk)  # type: ignore[attr-defined]
