"""Who is reminded, and how: contact details and opt-out per channel (issue 17 item 3).

A patient turns e-mail or text-message reminders off (or on again) in the portal; staff holding
the intake capability record the addresses and the same choices on the patient's behalf (a
patient who asks by phone). Both are audited like every other change.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from ..access import Cap, require
from ..patients.models import Patient
from ..reminders.models import ContactPreference
from ..reminders.sms import normalise_phone
from .base import create, update
from .portal import own_patient


def _save(
    actor: Any, patient: Patient, values: dict[str, Any], reason: str = ""
) -> ContactPreference:
    with transaction.atomic():
        existing = ContactPreference.objects.select_for_update().filter(patient=patient).first()
        if existing is None:
            return create(actor, ContactPreference(patient=patient, **values))
        changes = {k: v for k, v in values.items() if getattr(existing, k) != v}
        if not changes:
            return existing
        return update(actor, existing, changes, reason=reason)


def set_own_reminders(actor: Any, *, email: bool, sms: bool) -> ContactPreference:
    """The signed-in patient's choice: reminders by e-mail and by text message, or not."""
    patient = own_patient(actor)
    return _save(actor, patient, {"email_opt_out": not email, "sms_opt_out": not sms})


def set_contact(
    actor: Any,
    patient: Patient,
    *,
    email: str,
    phone: str,
    email_opt_out: bool,
    sms_opt_out: bool,
    reason: str = "",
) -> ContactPreference:
    """Staff record a patient's reminder addresses and opt-outs (intake capability)."""
    require(actor, patient.site_id, Cap.INTAKE)
    values = {
        "email": email.strip(), "phone": normalise_phone(phone.strip()),
        "email_opt_out": email_opt_out, "sms_opt_out": sms_opt_out,
    }  # fmt: skip
    return _save(actor, patient, values, reason)
