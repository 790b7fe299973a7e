"""What a patient does in the portal: answer the questionnaires assigned before a visit.

A patient user holds no capability at any site; they may write only their own patient-reported
instruments, scored by ``cordtrack.clinical`` exactly like those a clinician enters.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from cordtrack.clinical.errors import InstrumentValidationError
from cordtrack.clinical.instruments import score_instrument

from ..access import own_patient_id
from ..consent import scopes
from ..followup.models import InstrumentResponse, Visit, VisitStatus
from ..followup.wording import wording
from ..patients.models import Patient
from .base import FieldErrors, create

#: The questionnaires a patient answers before a visit (pain, spasms, bowel, quality of life).
PATIENT_REPORTED: tuple[str, ...] = ("pain_nrs", "psfs", "nbd", "isci_qol_basic")


def own_patient(actor: Any) -> Patient:
    """The patient record of a patient user, else PermissionDenied."""
    patient_id = own_patient_id(actor)
    if patient_id is None:
        raise PermissionDenied("the portal is for patients")
    return Patient.objects.select_related("site").get(pk=patient_id)


def next_visit(patient: Patient, today: dt.date | None = None) -> Visit | None:
    """The next scheduled visit whose window has not closed."""
    today = today or timezone.localdate()
    visits = patient.visits.filter(status=VisitStatus.SCHEDULED, window_close__gte=today)
    return visits.order_by("target_date").first()


def assigned(patient: Patient, visit: Visit | None) -> list[str]:
    """Questionnaires still to answer for ``visit`` (all of them when there is no visit)."""
    if visit is None:
        return []
    done = set(
        InstrumentResponse.objects.filter(visit=visit, instrument__in=PATIENT_REPORTED).values_list(
            "instrument", flat=True
        )
    )
    return [code for code in PATIENT_REPORTED if code not in done]


def submit_questionnaire(
    actor: Any, instrument: str, responses: dict[str, Any], language: str = "en"
) -> InstrumentResponse:
    """Score and store a patient's own answers, linked to their next visit (audited), with the
    language and translation status of the wording shown for ``language`` (ADR 0044)."""
    patient = own_patient(actor)
    scopes.check(patient, scopes.Action.VISIT, "instrument")
    errors = FieldErrors()
    if instrument not in PATIENT_REPORTED:
        errors.add("instrument", "is not a patient questionnaire")
        errors.raise_if_any()
    try:
        score = score_instrument(instrument, responses)
    except InstrumentValidationError as exc:
        for e in exc.errors:
            errors.add(e.key, e.message)
        errors.raise_if_any()
        raise
    visit = next_visit(patient)
    shown = wording(instrument, language)
    with transaction.atomic():
        return create(
            actor,
            InstrumentResponse(
                patient=patient, visit=visit, instrument=instrument, responses=dict(responses),
                score=score.to_dict(), total=score.total, recorded_on=timezone.localdate(),
                recorded_by=actor, language=shown.language, translation=shown.status,
            ),
        )  # fmt: skip
