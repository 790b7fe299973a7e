"""The inquiry pipeline and eligibility screening."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from cordtrack.clinical import eligibility as rules
from cordtrack.clinical import medications as rules_meds
from cordtrack.clinical.errors import DefinitionError

from ..access import Cap, require
from ..audit.chain import jsonable
from ..consent import scopes
from ..exams.models import IsncsciExam
from ..intake.models import (
    TRANSITIONS,
    Decision,
    EligibilityScreening,
    Inquiry,
    InquiryStatus,
    Protocol,
    ProtocolStatus,
)
from ..patients.models import Injury, Patient
from ..signatures.models import Meaning
from . import signatures
from .base import FieldErrors, create, update
from .consent import require_valid_consent
from .history import current_medications

#: Conditions the reviewer assesses at screening (medication classes come from the medications).
ASSESSED_CONDITIONS = ("active_infection", "malignancy", "pregnancy")


def advance_inquiry(actor: Any, inquiry: Inquiry, status: str, *, reason: str = "") -> Inquiry:
    """Move an inquiry along the pipeline; only the transitions in ``TRANSITIONS`` are allowed."""
    require(actor, inquiry.patient.site_id, Cap.INTAKE)
    errors = FieldErrors()
    if status not in InquiryStatus.values:
        errors.add("status", f"{status!r} is not a status")
    elif status not in TRANSITIONS[inquiry.status]:
        allowed = ", ".join(sorted(TRANSITIONS[inquiry.status])) or "none (final status)"
        errors.add("status", f"cannot go from {inquiry.status} to {status}; allowed: {allowed}")
    if status in (InquiryStatus.WITHDRAWN, InquiryStatus.LOST) and not reason.strip():
        errors.add("reason", "is required to close an inquiry")
    errors.raise_if_any()
    with transaction.atomic():
        return update(
            actor, inquiry, {"status": status, "status_changed_at": timezone.now()}, reason=reason
        )


def clinical_protocol(protocol: Protocol) -> rules.Protocol:
    """The stored protocol as ``cordtrack.clinical`` evaluates it (validated on the way)."""
    return rules.Protocol.from_dict(
        {"code": protocol.code, "name": protocol.title, "version": protocol.version,
         "criteria": protocol.criteria}
    )  # fmt: skip


def candidate(
    patient: Patient, screened_on: dt.date, medically_stable: bool | None,
    conditions: dict[str, bool | None],
) -> rules.Candidate:  # fmt: skip
    """What the criteria look at. Level and AIS come from the latest classified exam up to the
    screening date (all its possible values), else from the injury record; medication classes
    (anticoagulants, immunosuppressants...) from the medications taken on the screening date, by
    name and WHO ATC code; the rest as the reviewer assessed it."""
    injury = Injury.objects.filter(patient=patient).first()
    exam = (
        # A complete exam (signed or not); an incomplete draft's result is only provisional.
        IsncsciExam.objects.filter(patient=patient, exam_date__lte=screened_on, complete=True)
        .exclude(ais="")
        .order_by("-exam_date", "-pk")
        .first()
    )
    level = exam.nli if exam else (injury.level if injury else None)
    ais = exam.ais if exam else (injury.baseline_ais if injury else None)
    taken = [(m.name, m.atc_code) for m in current_medications(patient, screened_on)]
    known = {k: v for k, v in conditions.items() if v is not None}
    # Only the year of birth is kept: completed years are (year - born - 1) or (year - born); the
    # midpoint decides only criteria whose bound is not within that year.
    age = screened_on.year - patient.year_of_birth - 0.5
    return rules.Candidate(
        age_years=age, neurological_level=level, ais_grade=ais,
        injury_date=injury.injury_date if injury else None, screening_date=screened_on,
        medically_stable=medically_stable, conditions=known, medications=taken,
    )  # fmt: skip


def screen_eligibility(
    actor: Any,
    patient: Patient,
    protocol: Protocol,
    assessed: dict[str, Any],
    *,
    screened_on: dt.date | None = None,
) -> EligibilityScreening:
    """Evaluate every criterion of ``protocol`` with ``cordtrack.clinical.eligibility`` and record
    the proposed decision (eligible, not eligible, or needs review when a fact is unknown) and the
    reviewer. ``assessed`` holds ``medically_stable`` and the conditions (True = present)."""
    require(actor, patient.site_id, Cap.CLINICAL)
    errors = FieldErrors()
    # Screening needs a valid consent of the protocol's current consent version (ADR 0045).
    scopes.require_allowed(patient, scopes.Action.SCREENING, errors)
    if "patient" not in errors.errors:
        require_valid_consent(patient, protocol, errors)
    for key in ("medically_stable", *ASSESSED_CONDITIONS):
        if assessed.get(key) is not None and not isinstance(assessed[key], bool):
            errors.add(key, "must be yes or no")
    screened_on = screened_on or timezone.localdate()
    if screened_on > timezone.localdate():
        errors.add("screened_on", "cannot be in the future")
    if protocol.status != ProtocolStatus.ACTIVE:
        errors.add(
            "protocol",
            f"{protocol} is {protocol.status}: screen against the active version of "
            f"{protocol.code}",
        )
    try:
        definition = clinical_protocol(protocol)
    except DefinitionError as exc:
        for e in exc.errors:
            errors.add("protocol", str(e))
    errors.raise_if_any()
    who = candidate(
        patient, screened_on, assessed.get("medically_stable"),
        {k: assessed.get(k) for k in ASSESSED_CONDITIONS},
    )  # fmt: skip
    result = rules.evaluate(definition, who)
    facts = {
        "neurological_level": who.neurological_level, "ais_grade": who.ais_grade,
        "injury_date": who.injury_date, "medically_stable": who.medically_stable,
        "conditions": dict(who.conditions),
        "medications": [
            {"name": n, "atc_code": rules_meds.classify(n, a)[0]} for n, a in who.medications or ()
        ],
    }  # fmt: skip
    with transaction.atomic():
        return create(
            actor,
            EligibilityScreening(
                patient=patient, protocol=protocol, facts=jsonable(facts),
                results=result.to_dict()["results"], decision=result.decision.value,
                reviewer=actor,
                screened_on=screened_on, reviewed_at=timezone.now(),
            ),
        )  # fmt: skip


def confirm_eligibility(
    actor: Any,
    screening: EligibilityScreening,
    *,
    decision: str,
    password: str | signatures.Reauthentication,
    reason: str = "",
    request: HttpRequest | None = None,
) -> EligibilityScreening:
    """The clinician's eligibility decision on a screening's proposal, signed (meaning
    "approved"). ``decision`` is eligible or not eligible; it needs ``reason`` when it departs
    from the proposal or the proposal needs review (a criterion was unknown). A confirmed
    screening is not confirmed twice; a changed one (its signature invalidated) is again."""
    require(actor, screening.patient.site_id, Cap.CLINICAL)
    errors = FieldErrors()
    if signatures.is_signed(screening, Meaning.APPROVED):
        errors.add("decision", "this decision is already confirmed and signed")
    if decision not in (Decision.ELIGIBLE, Decision.NOT_ELIGIBLE):
        errors.add("decision", "must be eligible or not_eligible")
    elif decision != screening.decision and not reason.strip():
        why = (
            "the proposal needs review (a criterion is unknown)"
            if screening.decision == Decision.NEEDS_REVIEW
            else f"it differs from the proposal ({screening.get_decision_display().lower()})"
        )
        errors.add("reason", f"is required: {why}")  # fmt: skip
    if len(reason) > 300:
        errors.add("reason", "is longer than 300 characters")
    errors.raise_if_any()

    def confirm() -> None:
        screening.confirmed_decision, screening.confirmation_reason = decision, reason.strip()
        screening.save(update_fields=["confirmed_decision", "confirmation_reason"])

    signatures.sign(actor, password, screening, Meaning.APPROVED, request=request, apply=confirm,
                    reason=reason.strip())  # fmt: skip
    return screening
