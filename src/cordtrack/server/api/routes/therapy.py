"""Cell product lots, administrations and adverse events."""

# No ``from __future__ import annotations`` here: django-ninja reads the operations' annotations
# at import time (Query[...], pagination), and string annotations break that.

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import paginate

from ...access import scoped
from ...safety.models import AdverseEvent
from ...services import safety as safety_services
from ...services import signatures
from ...services import therapy as therapy_services
from ...services.base import FieldErrors
from ...signatures.models import Meaning
from ...therapy.models import Administration, CellProductLot
from ..errors import responses
from ..idempotency import OPENAPI_EXTRA, idempotent
from ..pagination import Paged, Pages
from ..schemas import (
    AdministrationIn,
    AdministrationOut,
    AdverseEventIn,
    AdverseEventOut,
    LotIn,
    LotOut,
    SignatureOut,
)
from . import checked_id, one, patient_of, related, site_of, user_of
from .records import ByPatient, by_patient

router = Router()


def lot_out(lot: CellProductLot) -> dict[str, Any]:
    state = signatures.current(lot, Meaning.APPROVED) if lot.released_at else None
    return LotOut(
        id=lot.pk,
        site=lot.site.code,
        lot_number=lot.lot_number,
        manufacturer=lot.manufacturer,
        cell_type=lot.cell_type,
        source=lot.source,
        source_patient_id=lot.source_patient_id,
        manufactured_on=lot.manufactured_on,
        expires_on=lot.expires_on,
        viability_pct=lot.viability_pct,
        cell_count=lot.cell_count,
        tests_passed=lot.tests_passed,
        released=lot.released,
        release=None if state is None else SignatureOut(**state.as_dict()),
    ).model_dump(mode="json")


def administration_out(a: Administration) -> dict[str, Any]:
    return AdministrationOut.from_orm(a).model_dump(mode="json")


def event_out(e: AdverseEvent) -> dict[str, Any]:
    return AdverseEventOut.from_orm(e).model_dump(mode="json")


@router.get("/products", response=responses(200, list[LotOut]), tags=["products"])
@paginate(Pages)
def list_lots(request: HttpRequest) -> Any:
    lots = scoped(user_of(request), CellProductLot.objects.select_related("site"))
    return Paged(lots.order_by("pk"), lot_out)


@router.get("/products/{lot_id}", response=responses(200, LotOut), tags=["products"])
def get_lot(request: HttpRequest, lot_id: int) -> dict[str, Any]:
    return lot_out(one(request, CellProductLot.objects.select_related("site"), checked_id(lot_id)))


@router.post(
    "/products", response=responses(201, LotOut), tags=["products"], openapi_extra=OPENAPI_EXTRA
)
@idempotent
def create_lot(request: HttpRequest, payload: LotIn) -> Status[dict[str, Any]]:
    """Register a manufactured lot (coordinators, data managers)."""
    site = site_of(request, payload.site)
    from ...patients.models import Patient

    source_patient = related(
        request, Patient.objects.all(), payload.source_patient_id, "source_patient_id"
    )
    lot = therapy_services.register_lot(
        user_of(request),
        site,
        lot_number=payload.lot_number,
        manufacturer=payload.manufacturer,
        cell_type=payload.cell_type,
        source=payload.source,
        manufactured_on=payload.manufactured_on,
        expires_on=payload.expires_on,
        viability_pct=payload.viability_pct,
        cell_count=payload.cell_count,
        release_tests=[t.model_dump() for t in payload.release_tests],
        source_patient=source_patient,
        donor_code=payload.donor_code,
    )
    return Status(201, lot_out(lot))


@router.get(
    "/administrations", response=responses(200, list[AdministrationOut]), tags=["administrations"]
)
@paginate(Pages)
def list_administrations(request: HttpRequest, filters: Query[ByPatient]) -> Any:
    rows = by_patient(scoped(user_of(request), Administration.objects.all()), filters.patient_id)
    return Paged(rows.order_by("pk"), administration_out)


@router.post(
    "/administrations",
    response=responses(201, AdministrationOut),
    tags=["administrations"],
    openapi_extra=OPENAPI_EXTRA,
)
@idempotent
def create_administration(
    request: HttpRequest, payload: AdministrationIn
) -> Status[dict[str, Any]]:
    """Record an administration; refused when the chain of identity breaks."""
    patient = patient_of(request, payload.patient_id)
    lot = related(request, CellProductLot.objects.all(), payload.lot_id, "lot_id")
    vitals = payload.vitals.model_dump()
    administration = therapy_services.administer(
        user_of(request),
        patient,
        lot,
        administered_at=payload.administered_at,
        route=payload.route,
        dose_total_cells=payload.dose_total_cells,
        weight_kg=payload.weight_kg,
        vitals=vitals,
    )
    return Status(201, administration_out(administration))


class EventFilter(ByPatient):
    status: str | None = None


@router.get(
    "/adverse-events", response=responses(200, list[AdverseEventOut]), tags=["adverse events"]
)
@paginate(Pages)
def list_adverse_events(request: HttpRequest, filters: Query[EventFilter]) -> Any:
    """Adverse events of the user's sites; ``?status=open`` (not closed yet, resolved or not)
    or ``closed``."""
    rows = by_patient(scoped(user_of(request), AdverseEvent.objects.all()), filters.patient_id)
    if filters.status == "open":
        rows = rows.filter(closed_at__isnull=True)
    elif filters.status == "closed":
        rows = rows.filter(closed_at__isnull=False)
    elif filters.status is not None:
        errors = FieldErrors()
        errors.add("status", "must be open or closed")
        errors.raise_if_any()
    return Paged(rows.order_by("pk"), event_out)


@router.post(
    "/adverse-events",
    response=responses(201, AdverseEventOut),
    tags=["adverse events"],
    openapi_extra=OPENAPI_EXTRA,
)
@idempotent
def create_adverse_event(request: HttpRequest, payload: AdverseEventIn) -> Status[dict[str, Any]]:
    """Report an adverse event; seriousness is derived (ICH E2A)."""
    patient = patient_of(request, payload.patient_id)
    values = payload.model_dump(exclude={"patient_id", "administration_id", "lot_id"})
    values["administration"] = related(
        request, Administration.objects.all(), payload.administration_id, "administration_id"
    )
    values["lot"] = related(request, CellProductLot.objects.all(), payload.lot_id, "lot_id")
    event = safety_services.report_adverse_event(user_of(request), patient, **values)
    return Status(201, event_out(event))
