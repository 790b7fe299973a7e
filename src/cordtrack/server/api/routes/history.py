"""Concomitant medications and medical history."""

# No ``from __future__ import annotations`` here: django-ninja reads the operations' annotations
# at import time (Query[...], pagination), and string annotations break that.

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import paginate

from ...access import scoped
from ...patients.models import Comorbidity, Medication
from ...services import history as history_services
from ..errors import responses
from ..idempotency import OPENAPI_EXTRA, idempotent
from ..pagination import Paged, Pages
from ..trial_schemas import MedicalHistoryIn, MedicalHistoryOut, MedicationIn, MedicationOut
from . import patient_of, user_of
from .records import ByPatient, by_patient

router = Router()


def medication_out(m: Medication) -> dict[str, Any]:
    atc, classes = m.classification
    return MedicationOut(
        id=m.pk, patient_id=m.patient_id, name=m.name, dose=m.dose, route=m.route,
        start_date=m.start_date, stop_date=m.stop_date, indication=m.indication, atc_code=atc,
        classes=sorted(classes),
    ).model_dump(mode="json")  # fmt: skip


def history_out(h: Comorbidity) -> dict[str, Any]:
    return MedicalHistoryOut(
        id=h.pk, patient_id=h.patient_id, condition=h.condition, onset_date=h.onset_date,
        ongoing=h.ongoing, icd10=h.icd10,
    ).model_dump(mode="json")  # fmt: skip


@router.get("/medications", response=responses(200, list[MedicationOut]), tags=["medications"])
@paginate(Pages)
def list_medications(request: HttpRequest, filters: Query[ByPatient]) -> Any:
    rows = by_patient(scoped(user_of(request), Medication.objects.all()), filters.patient_id)
    return Paged(rows.order_by("patient_id", "start_date", "pk"), medication_out)


@router.post(
    "/medications",
    response=responses(201, MedicationOut),
    tags=["medications"],
    openapi_extra=OPENAPI_EXTRA,
)
@idempotent
def create_medication(request: HttpRequest, payload: MedicationIn) -> Status[dict[str, Any]]:
    """Record a concomitant medication (clinicians, data managers); its classes come from its
    WHO ATC code (entered, or identified from the name)."""
    patient = patient_of(request, payload.patient_id)
    values = payload.model_dump(exclude={"patient_id"})
    medication = history_services.add_medication(user_of(request), patient, **values)
    return Status(201, medication_out(medication))


@router.get(
    "/medical-history", response=responses(200, list[MedicalHistoryOut]), tags=["medications"]
)
@paginate(Pages)
def list_history(request: HttpRequest, filters: Query[ByPatient]) -> Any:
    rows = by_patient(scoped(user_of(request), Comorbidity.objects.all()), filters.patient_id)
    return Paged(rows.order_by("patient_id", "onset_date", "pk"), history_out)


@router.post(
    "/medical-history",
    response=responses(201, MedicalHistoryOut),
    tags=["medications"],
    openapi_extra=OPENAPI_EXTRA,
)
@idempotent
def create_history(request: HttpRequest, payload: MedicalHistoryIn) -> Status[dict[str, Any]]:
    """Record a condition of the medical history (clinicians, data managers)."""
    patient = patient_of(request, payload.patient_id)
    values = payload.model_dump(exclude={"patient_id"})
    entry = history_services.add_medical_history(user_of(request), patient, **values)
    return Status(201, history_out(entry))
