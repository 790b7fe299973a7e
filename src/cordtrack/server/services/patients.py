"""Registering patients, consent and injury (medications and history: ``history``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ..access import Cap, require
from ..accounts.models import Site
from ..consent import scopes
from ..intake.models import Inquiry, InquiryStatus, ReferralSource
from ..patients.models import (
    TRAUMATIC_CAUSES,
    ConsentStatus,
    Etiology,
    Injury,
    Patient,
)
from .base import FieldErrors, create, update


def _allocate_study_id(site: Site) -> tuple[str, int]:
    """The next ``<SITECODE>-<number>`` of ``site``; the site row is locked until commit."""
    locked = Site.objects.select_for_update().get(pk=site.pk)
    number = locked.next_patient_number
    locked.next_patient_number = number + 1
    locked.save(update_fields=["next_patient_number"])
    return f"{locked.code}-{number:04d}", number


def register_patient(
    actor: Any,
    site: Site,
    *,
    year_of_birth: int,
    sex: str,
    received_on: dt.date | None = None,
    source: str = ReferralSource.SELF,
) -> Patient:
    """A new patient with the next study id of ``site``, and their inquiry (status new)."""
    require(actor, site, Cap.INTAKE)
    errors = FieldErrors()
    this_year = timezone.now().year
    if not 1900 <= year_of_birth <= this_year:
        errors.add("year_of_birth", f"must be between 1900 and {this_year}")
    if received_on is not None and received_on > timezone.localdate():
        errors.add("received_on", "cannot be in the future")
    if received_on is not None and received_on.year < 1900:
        errors.add("received_on", "is before 1900")
    if source not in ReferralSource.values:
        errors.add("source", f"must be one of {', '.join(ReferralSource.values)}")
    errors.raise_if_any()
    with transaction.atomic():
        study_id, _ = _allocate_study_id(site)
        patient = create(
            actor, Patient(site=site, study_id=study_id, year_of_birth=year_of_birth, sex=sex)
        )
        create(
            actor,
            Inquiry(
                patient=patient,
                received_on=received_on or timezone.localdate(),
                source=source,
                status=InquiryStatus.NEW,
                status_changed_at=timezone.now(),
            ),
        )
    return patient


def record_consent(
    actor: Any,
    patient: Patient,
    *,
    status: str,
    consent_date: dt.date | None,
    version: str,
    reason: str = "",
) -> Patient:
    """Set the consent status; consented or withdrawn need a date and the form's version."""
    require(actor, patient.site_id, Cap.INTAKE)
    errors = FieldErrors()
    if status in (ConsentStatus.CONSENTED, ConsentStatus.WITHDRAWN):
        if consent_date is None:
            errors.add("consent_date", "is required for this consent status")
        if not version.strip():
            errors.add("consent_version", "is required for this consent status")
    if consent_date is not None and consent_date > timezone.localdate():
        errors.add("consent_date", "cannot be in the future")
    errors.raise_if_any()
    with transaction.atomic():
        return update(
            actor,
            patient,
            {"consent_status": status, "consent_date": consent_date, "consent_version": version},
            reason=reason,
        )


def record_injury(
    actor: Any,
    patient: Patient,
    *,
    injury_date: dt.date,
    etiology: str,
    cause: str,
    level: str,
    baseline_ais: str,
    reason: str = "",
) -> Injury:
    """Create or correct the patient's injury record."""
    require(actor, patient.site_id, Cap.CLINICAL)
    scopes.check(patient, scopes.Action.DATA_ENTRY)
    errors = FieldErrors()
    if injury_date > timezone.localdate():
        errors.add("injury_date", "cannot be in the future")
    if injury_date.year < patient.year_of_birth:
        errors.add("injury_date", f"is before the patient's birth (born {patient.year_of_birth})")
    traumatic_cause = cause in TRAUMATIC_CAUSES
    if (etiology == Etiology.TRAUMATIC) != traumatic_cause:
        errors.add("cause", "does not match the etiology (traumatic or non-traumatic)")
    errors.raise_if_any()
    values = {
        "injury_date": injury_date, "etiology": etiology, "cause": cause, "level": level,
        "baseline_ais": baseline_ais,
    }  # fmt: skip
    with transaction.atomic():
        existing = Injury.objects.filter(patient=patient).first()
        if existing is not None:
            return update(actor, existing, values, reason=reason)
        return create(actor, Injury(patient=patient, **values))


def link_patient_user(actor: Any, patient: Patient, user: Any) -> Patient:
    """Give a patient sign-in access to their own record (site administrators)."""
    require(actor, patient.site_id, Cap.USERS)
    errors = FieldErrors()
    if not user.memberships.filter(site_id=patient.site_id, role="patient").exists():
        errors.add("user", "needs the patient role at the patient's site")
    if Patient.objects.filter(user=user).exclude(pk=patient.pk).exists():
        errors.add("user", "is already linked to another patient")
    errors.raise_if_any()
    with transaction.atomic():
        return update(actor, patient, {"user": user})


def set_patient_language(actor: Any, patient: Patient, language: str) -> Patient:
    """Record the language the patient reads (one of ``settings.LANGUAGES``; "" for not known):
    their portal when their own account has no choice of its own, and the e-mails, text messages
    and letter page sent to them (``languages.patient_language``). Intake staff of the site."""
    require(actor, patient.site_id, Cap.INTAKE)
    if language != "" and language not in {code for code, _ in settings.LANGUAGES}:
        raise ValidationError(
            {"preferred_language": f"{language!r} is not a language the registry offers"}
        )
    with transaction.atomic():
        return update(actor, patient, {"preferred_language": language})
