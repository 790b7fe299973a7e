"""Randomisation into the arms of a randomised protocol, and the concealed allocation list."""

# No ``from __future__ import annotations`` here: django-ninja reads the operations' annotations
# at import time (Query[...], pagination), and string annotations break that.

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Router, Status
from ninja.errors import HttpError

from ...intake.models import AllocationList, Randomisation
from ...services import randomisation as services
from ..errors import responses
from ..protocol_schemas import (
    AllocationListOut,
    AllocationRowOut,
    RandomisationIn,
    RandomisationOut,
)
from . import patient_of, user_of

router = Router()


def randomisation_out(r: Randomisation) -> dict[str, Any]:
    return RandomisationOut(
        id=r.pk, patient_id=r.patient_id, protocol_id=r.protocol_code, version_id=r.protocol_id,
        screening_id=r.screening_id, stratum=r.stratum, arm=r.arm, randomised_at=r.randomised_at,
    ).model_dump(mode="json")  # fmt: skip


@router.post("/randomisations", response=responses(201, RandomisationOut), tags=["randomisation"])
def create_randomisation(request: HttpRequest, payload: RandomisationIn) -> Status[dict[str, Any]]:
    """Randomise an eligible, consented patient (clinician or coordinator of their site): the
    next row of their stratum's concealed list. 409 if already randomised; 422 naming why a
    patient cannot be, or on ``password`` when it is not the randomiser's. Signed (meaning
    "authored") and final: nothing undoes it."""
    patient = patient_of(request, payload.patient_id)
    try:
        made = services.randomise(
            user_of(request), patient, password=payload.password, request=request
        )
    except services.AlreadyRandomisedError as exc:
        raise HttpError(409, f"patient {patient.pk} is {exc}") from None
    return Status(201, randomisation_out(made))


@router.get(
    "/protocols/{protocol_id}/allocation-list",
    response=responses(200, AllocationListOut),
    tags=["randomisation"],
)
def allocation_list(request: HttpRequest, protocol_id: str) -> dict[str, Any]:
    """The whole list with its seed (the unblinded statistician only; every read audited)."""
    if "\x00" in protocol_id or len(protocol_id) > 30:
        raise Http404("no such list")
    try:
        lst, rows = services.allocation_rows(user_of(request), protocol_id)
    except AllocationList.DoesNotExist:
        raise Http404("no allocation list yet (made at the first randomisation)") from None
    return AllocationListOut(
        protocol_id=lst.protocol_code, arms=lst.arms, factors=lst.factors,
        block_sizes=lst.block_sizes, seed=lst.seed, created_at=lst.created_at,
        rows=[AllocationRowOut(**r) for r in rows],
    ).model_dump(mode="json")  # fmt: skip
