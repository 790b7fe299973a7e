"""FHIR R4 export: one patient's Bundle, and NDJSON in bulk."""

# No ``from __future__ import annotations`` here: django-ninja reads the operations' annotations
# at import time (Query[...], pagination), and string annotations break that.

import json
from typing import Any

from django.http import HttpRequest, StreamingHttpResponse
from ninja import Router

from ...access import scoped
from ...audit.chain import record_view
from ...audit.models import AuditAction
from ...consent.scopes import without_withdrawn
from ...interop import fhir
from ...patients.models import Patient
from ...services.base import FieldErrors
from ..errors import responses
from . import checked_id, one, user_of

router = Router(tags=["fhir"])

NDJSON = "application/fhir+ndjson"


@router.get("/patients/{patient_id}/fhir", response=responses(200, dict[str, Any]))
def patient_bundle(request: HttpRequest, patient_id: int) -> dict[str, Any]:
    """The patient's record as a FHIR R4 ``collection`` Bundle."""
    patient = one(request, Patient.objects.all(), checked_id(patient_id))
    record_view(user_of(request), patient, AuditAction.DOWNLOAD)
    data: dict[str, Any] = json.loads(
        fhir.patient_bundle(patient).model_dump_json(exclude_none=True)
    )
    return data


@router.get(
    "/fhir/export",
    response=responses(200, str),
    openapi_extra={
        "responses": {
            "200": {
                "description": "FHIR resources as NDJSON, one a line",
                "content": {NDJSON: {"schema": {"type": "string"}}},
            }
        }
    },
)
def bulk_export(request: HttpRequest, type: str | None = None) -> Any:
    """Every resource of every patient the user may see, as NDJSON (``?type=`` one type)."""
    if type is not None and type not in fhir.RESOURCE_TYPES:
        errors = FieldErrors()
        errors.add("type", f"one of {', '.join(fhir.RESOURCE_TYPES)}")
        errors.raise_if_any()
    # Patients withdrawn from further data use never leave (consent/scopes.py).
    patients = list(
        without_withdrawn(scoped(user_of(request), Patient.objects.all())).order_by("pk")
    )
    for patient in patients:  # each record leaving is in the audit trail, as downloads
        record_view(user_of(request), patient, AuditAction.DOWNLOAD)
    return StreamingHttpResponse(fhir.ndjson_lines(patients, type), content_type=NDJSON)
