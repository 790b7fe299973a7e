"""Emergency unblinding of one patient, and annotations of a randomisation (ADR 0041).

**Unblinding** discloses one patient's arm outside the blind (to the patient, or to a physician
treating them outside the trial) when their care needs it (ICH E6(R3) on breaking the code;
CONSORT 2010 item 11a). It is done by a clinician of the patient's site, never by a blinded
user, with a reason and the password re-entered (a signature meaning "authored"). It is
audited, and the site's monitors are told by e-mail through the outbox (written in the same
transaction; a mail server that is down never breaks the save). The arm is in neither the audit
entry, the signature's audit entry nor the e-mail: the audit trail is read by roles that stay
blind to the list, and mail leaves the registry. It is shown to the requester, on the
unblinding's own page.

**Annotations**: a randomisation is never changed or removed. A mistake (a stratum fact entered
wrong, a patient randomised in error) is explained by a note (author, time, text), audited; the
patient stays in their arm (intention to treat). Notes are shown with the allocation to
unblinded roles only.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from .. import blinding
from ..access import Cap, can
from ..accounts.models import Role
from ..intake.models import Randomisation, RandomisationNote, Unblinding
from ..outbox.delivery import enqueue
from ..patients.models import Patient
from ..signatures.models import Meaning
from . import signatures
from .base import FieldErrors, create
from .notifications import address_of, monitors_of

TOPIC_UNBLINDING = "emergency_unblinding"
MIN_REASON = 15  # characters: a reason a monitor can review, not "x" or "emergency"


def _reason(errors: FieldErrors, field: str, text: str) -> str:
    text = (text or "").strip()
    if len(text) < MIN_REASON:
        errors.add(field, f"give the reason in at least {MIN_REASON} characters")
    elif len(text) > 2000:
        errors.add(field, "at most 2000 characters")
    return text


def latest_randomisation(patient: Patient) -> Randomisation | None:
    return Randomisation.objects.filter(patient=patient).order_by("-randomised_at", "-pk").first()


def may_unblind(user: Any, patient: Patient) -> bool:
    """A clinician of the patient's site who is not blinded themselves."""
    if not getattr(user, "is_authenticated", False) or blinding.is_blinded(user):
        return False
    return bool(user.memberships.filter(site_id=patient.site_id, role=Role.CLINICIAN).exists())


def unblind(
    actor: Any,
    patient: Patient,
    *,
    reason: str,
    password: str | signatures.Reauthentication,
    request: HttpRequest | None = None,
) -> Unblinding:
    """Record the signed emergency unblinding of ``patient`` by ``actor`` and queue the monitors'
    e-mail; the caller shows ``result.randomisation.arm`` to ``actor`` and to nobody else.

    PermissionDenied unless ``actor`` may unblind; ValidationError naming ``reason``,
    ``patient_id`` (not randomised) or ``password`` (nothing is recorded then)."""
    if not may_unblind(actor, patient):
        raise PermissionDenied("a clinician of the patient's site, not blinded, unblinds")
    errors = FieldErrors()
    text = _reason(errors, "reason", reason)
    randomisation = latest_randomisation(patient)
    if randomisation is None:
        errors.add("patient_id", "is not randomised: there is no arm to disclose")
    errors.raise_if_any()
    assert randomisation is not None
    proof = (
        password
        if isinstance(password, signatures.Reauthentication)
        else signatures.reauthenticate(actor, password, request)  # a failure counts, saves nothing
    )
    with transaction.atomic():
        made = create(
            actor,
            Unblinding(
                randomisation=randomisation, patient=patient, reason=text, requested_by=actor,
                requested_at=timezone.now(),
            ),
        )  # fmt: skip
        signatures.sign(actor, proof, made, Meaning.AUTHORED, reason="emergency unblinding")
        _notify(made)
    return made


def _notify(made: Unblinding) -> None:
    """One e-mail to the site's monitors: who, when, which patient and protocol; never the arm
    nor the reason (free text that could name it); the reason is on the patient's page."""
    patient = made.patient
    who = signatures.printed_name(made.requested_by)
    subject = f"Emergency unblinding at {patient.site.code}: {patient.study_id}"
    body = (
        f"{who} unblinded {patient.study_id} ({made.randomisation.protocol_code}) on "
        f"{made.requested_at:%Y-%m-%d %H:%M} UTC, signed with a reason.\n\n"
        f"Review it in CordTrack: /patients/{patient.pk}/ (Randomisation). The arm is not "
        "in this message."
    )
    recipients = [address_of(u) for u in monitors_of(patient.site_id)]
    enqueue(TOPIC_UNBLINDING, recipients, subject, body, dedupe_key=f"unblinding:{made.pk}")


def may_annotate(user: Any, patient: Patient) -> bool:
    """Roles that see the allocation and work the site's records: clinician, coordinator, data
    manager (not a blinded user, not a read-only role)."""
    if not getattr(user, "is_authenticated", False) or blinding.is_blinded(user):
        return False
    return can(user, patient.site_id, Cap.CLINICAL) or can(user, patient.site_id, Cap.INTAKE)


def annotate(actor: Any, randomisation: Randomisation, text: str) -> RandomisationNote:
    """Add a note to ``randomisation`` (audited); the allocation itself is unchanged."""
    if not may_annotate(actor, randomisation.patient):
        raise PermissionDenied("a clinician, coordinator or data manager of the site annotates")
    errors = FieldErrors()
    clean = _reason(errors, "text", text)
    errors.raise_if_any()
    with transaction.atomic():
        return create(
            actor,
            RandomisationNote(
                randomisation=randomisation, text=clean, author=actor, written_at=timezone.now()
            ),
        )
