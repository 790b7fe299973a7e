"""Sign actions: each a POST with the signer's password re-entered (21 CFR 11.200), answering
the signed record. A wrong password is a 422 on ``password`` and signs nothing; failures count
towards the same lockout as failed sign-ins (django-axes)."""

# No ``from __future__ import annotations`` here: django-ninja reads the operations' annotations
# at import time.

from typing import Any

from django.http import HttpRequest
from ninja import Router

from ...access import Cap, get_scoped_or_404
from ...exams.models import IsncsciExam
from ...intake.models import EligibilityScreening
from ...safety.models import AdverseEvent
from ...services import ae_followup
from ...services import exams as exam_services
from ...services import intake as intake_services
from ...services import safety as safety_services
from ...services import therapy as therapy_services
from ...therapy.models import CellProductLot
from ..errors import responses
from ..schemas import ConfirmIn, ExamOut, LotOut, ScreeningOut, SignIn
from . import checked_id, user_of
from .adverse_events import AdverseEventDetailOut, detail_out
from .records import exam_out, screening_out
from .therapy import lot_out

router = Router()


@router.post("/exams/{exam_id}/sign", response=responses(200, ExamOut), tags=["exams"])
def sign_exam(request: HttpRequest, exam_id: int, payload: SignIn) -> dict[str, Any]:
    """Sign an exam as its author (meaning ``authored``; clinicians, data managers). Every cell
    must be filled. A signed exam that was corrected since (its signature ``invalidated``) is
    signed again the same way."""
    queryset = IsncsciExam.objects.select_related("patient")
    exam = get_scoped_or_404(user_of(request), queryset, Cap.ASSESS, pk=checked_id(exam_id))
    exam_services.sign_exam(user_of(request), exam, password=payload.password, request=request)
    return exam_out(exam)


def _event(request: HttpRequest, event_id: int, cap: Cap) -> AdverseEvent:
    queryset = AdverseEvent.objects.select_related("patient")
    return get_scoped_or_404(user_of(request), queryset, cap, pk=checked_id(event_id))


@router.post(
    "/adverse-events/{event_id}/sign",
    response=responses(200, AdverseEventDetailOut),
    tags=["adverse events"],
)
def sign_adverse_event(request: HttpRequest, event_id: int, payload: SignIn) -> dict[str, Any]:
    """The investigator's sign-off of the event report (meaning ``authored``; clinicians, data
    managers). A later change invalidates it; the event is then signed again."""
    event = _event(request, event_id, Cap.CLINICAL)
    safety_services.sign_adverse_event(
        user_of(request), event, password=payload.password, request=request
    )
    return detail_out(event)


@router.post(
    "/adverse-events/{event_id}/close",
    response=responses(200, AdverseEventDetailOut),
    tags=["adverse events"],
)
def close_adverse_event(request: HttpRequest, event_id: int, payload: SignIn) -> dict[str, Any]:
    """Close a followed-up event after review (meaning ``reviewed``; monitors, whose role holds
    ``safety_review``: a clinician gets 403). The event must have a final outcome (resolved,
    fatal, or unknown) and, if serious, a recorded initial report; it then answers
    ``status: closed`` and leaves ``?status=open``."""
    event = _event(request, event_id, Cap.SAFETY_REVIEW)
    ae_followup.close_adverse_event(
        user_of(request), event, password=payload.password, request=request
    )
    return detail_out(event)


@router.post(
    "/screenings/{screening_id}/confirm",
    response=responses(200, ScreeningOut),
    tags=["screenings"],
)
def confirm_screening(
    request: HttpRequest, screening_id: int, payload: ConfirmIn
) -> dict[str, Any]:
    """The clinician's eligibility decision on the proposal, signed (meaning ``approved``;
    clinicians, data managers): ``decision`` with a ``reason`` when it departs from the proposal
    or the proposal needs review."""
    queryset = EligibilityScreening.objects.select_related("patient")
    screening = get_scoped_or_404(
        user_of(request), queryset, Cap.CLINICAL, pk=checked_id(screening_id)
    )
    intake_services.confirm_eligibility(
        user_of(request), screening, decision=payload.decision, reason=payload.reason,
        password=payload.password, request=request,
    )  # fmt: skip
    return screening_out(screening)


@router.post("/products/{lot_id}/release", response=responses(200, LotOut), tags=["products"])
def release_lot(request: HttpRequest, lot_id: int, payload: SignIn) -> dict[str, Any]:
    """Release a lot for administration (meaning ``approved``; coordinators, data managers):
    every release test passed, not expired. Administrations refuse a lot that is not released,
    or whose release a later change invalidated."""
    queryset = CellProductLot.objects.select_related("site")
    lot = get_scoped_or_404(user_of(request), queryset, Cap.PRODUCTS, pk=checked_id(lot_id))
    therapy_services.release_lot(user_of(request), lot, password=payload.password, request=request)
    return lot_out(lot)
