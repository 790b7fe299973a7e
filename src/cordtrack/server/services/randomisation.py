"""Randomising an eligible, consented patient into an arm of a randomised protocol.

The allocation comes from a concealed, seeded, stratified permuted-block list
(``cordtrack.outcomes.randomisation``): the list row is revealed only as it is used, to the person
randomising, and the list as a whole only to the unblinded role (ADR 0033). A randomisation is a
signed act like every other sign-off (ADR 0042): the randomiser re-enters their password and a
Signature (meaning "authored") covers the allocation, made once per patient and protocol; nothing
changes or removes it (a note may be added to the patient). Who may randomise: a clinician or
coordinator of the patient's site.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from cordtrack.outcomes.change import possible_names
from cordtrack.outcomes.groups import level_group
from cordtrack.outcomes.randomisation import RandomisationDesign, allocation_list, stratum_label

from ..accounts.models import Role
from ..audit.chain import Change, append, append_many, label, record_view, snapshot
from ..audit.models import AuditAction
from ..consent import scopes
from ..intake.models import (
    AllocationList,
    Decision,
    EligibilityScreening,
    Protocol,
    ProtocolStatus,
    Randomisation,
)
from ..patients.models import ConsentStatus, Patient
from ..signatures.models import Meaning, Signature
from . import signatures
from .base import FieldErrors, create

#: Roles that randomise (at the patient's site) and the one role that reads the lists.
RANDOMISING_ROLES = frozenset({Role.CLINICIAN, Role.COORDINATOR})
UNBLINDED_ROLES = frozenset({Role.UNBLINDED})


class AlreadyRandomisedError(Exception):
    """The patient already has an allocation in this protocol (answered 409)."""

    def __init__(self, randomisation: Randomisation) -> None:
        super().__init__(f"already randomised ({randomisation.randomised_at:%Y-%m-%d})")
        self.randomisation = randomisation


def _has_role(user: Any, roles: frozenset[str], site_id: int | None = None) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    rows = user.memberships.filter(role__in=roles)
    return bool(rows.filter(site_id=site_id).exists() if site_id is not None else rows.exists())


def is_unblinded(user: Any) -> bool:
    return _has_role(user, UNBLINDED_ROLES)


def _latest_randomised_screening(patient: Patient) -> EligibilityScreening | None:
    return (
        EligibilityScreening.objects.filter(patient=patient, protocol__design="randomised")
        .select_related("protocol")
        .order_by("-screened_on", "-pk")
        .first()
    )


def _stratum(factors: dict[str, list[str]], facts: dict[str, Any], errors: FieldErrors) -> str:
    """The stratum label from the screening's facts and the list's stratification factors."""
    levels: dict[str, str] = {}
    if "ais" in factors:
        grades = possible_names(facts.get("ais_grade") or "")
        if len(grades) != 1 or grades[0] not in factors["ais"]:
            shown = ",".join(grades) or "not recorded"
            errors.add(
                "patient_id",
                f"baseline AIS ({shown}) is not one stratum of {', '.join(factors['ais'])}",
            )
        else:
            levels["ais"] = grades[0]
    if "level_group" in factors:
        group = level_group(facts.get("neurological_level") or "")
        if group is None or group.value not in factors["level_group"]:
            shown = facts.get("neurological_level") or "not recorded"
            errors.add("patient_id", f"neurological level ({shown}) is not one level-group stratum")
        else:
            levels["level_group"] = group.value
    return stratum_label({k: levels.get(k, "") for k in factors}) if factors else "all"


def _list_for(actor: Any, protocol: Protocol) -> AllocationList:
    """The protocol's list, made on first use with a fresh 63-bit seed nobody chose."""
    existing = AllocationList.objects.select_for_update().filter(protocol_code=protocol.code)
    found = existing.first()
    if found is not None:
        return found
    lst = AllocationList(
        protocol_code=protocol.code, seed=secrets.randbits(63), arms=protocol.arm_names,
        factors=protocol.randomisation.get("factors", {}),
        block_sizes=protocol.randomisation.get("block_sizes", []), created_by=actor,
        created_at=timezone.now(),
    )  # fmt: skip
    lst.full_clean()
    lst.save()
    # Audited without its seed: the audit trail is read by roles that must stay blinded.
    changes = {k: [None, v] for k, v in snapshot(lst).items() if k != "seed"}
    changes["seed"] = [None, "concealed (ADR 0033)"]
    append(actor, AuditAction.CREATE, label(lst), lst.pk, changes=changes)
    return lst


def design_of(lst: AllocationList, per_stratum: int) -> RandomisationDesign:
    return RandomisationDesign.of(
        lst.arms, lst.factors, lst.block_sizes, int(lst.seed), max(1, per_stratum)
    )


def _checked(actor: Any, patient: Patient) -> tuple[EligibilityScreening, Protocol, str]:
    """(screening, active version, stratum) of a patient who may be randomised now.

    Raises PermissionDenied, AlreadyRandomisedError or ValidationError (see :func:`randomise`).
    """
    if not _has_role(actor, RANDOMISING_ROLES, patient.site_id):
        raise PermissionDenied("a clinician or coordinator of the patient's site randomises")
    errors = FieldErrors()
    screening = _latest_randomised_screening(patient)
    if patient.consent_status != ConsentStatus.CONSENTED:
        errors.add("patient_id", f"has not consented (consent: {patient.consent_status})")
    scopes.require_allowed(patient, scopes.Action.RANDOMISATION, errors, "patient_id")
    if screening is None:
        errors.add("patient_id", "has no eligibility screening against a randomised protocol")
        errors.raise_if_any()
    assert screening is not None
    protocol = screening.protocol
    done = Randomisation.objects.filter(patient=patient, protocol_code=protocol.code).first()
    if done is not None:
        raise AlreadyRandomisedError(done)
    # The clinician's signed decision counts, not the rules' proposal (ADR 0030).
    decided = screening.confirmed_decision
    if screening.decision != Decision.ELIGIBLE and decided != Decision.ELIGIBLE:
        errors.add(
            "patient_id",
            f"latest screening ({protocol}, {screening.screened_on}) is "
            f"{screening.get_decision_display().lower()}, not eligible",
        )
    elif decided != Decision.ELIGIBLE:
        errors.add(
            "patient_id",
            f"latest screening ({protocol}, {screening.screened_on}) proposes eligible, but no "
            "clinician has confirmed it with a signature",
        )
    active = Protocol.objects.filter(code=protocol.code, status=ProtocolStatus.ACTIVE).first()
    if active is None:
        errors.add("patient_id", f"{protocol.code} has no active version")
    errors.raise_if_any()
    assert active is not None
    # The list's own factors (fixed when it was made), else those of the active version.
    made_with = AllocationList.objects.filter(protocol_code=active.code).first()
    factors = made_with.factors if made_with else active.randomisation.get("factors", {})
    stratum = _stratum(dict(factors), dict(screening.facts), errors)
    errors.raise_if_any()
    return screening, active, stratum


def blocking_reason(actor: Any, patient: Patient) -> str:
    """Why ``actor`` cannot randomise ``patient`` now ("" when they can): for the patient page,
    which offers the signed randomisation only when it would be accepted."""
    try:
        _checked(actor, patient)
    except PermissionDenied:
        return "only a clinician or coordinator of the patient's site randomises"
    except AlreadyRandomisedError as exc:
        return str(exc)
    except ValidationError as exc:
        return "; ".join(m for ms in exc.message_dict.values() for m in ms)
    return ""


def randomise(
    actor: Any,
    patient: Patient,
    *,
    password: str | signatures.Reauthentication,
    request: HttpRequest | None = None,
) -> Randomisation:
    """Allocate the next arm of the patient's stratum, signed by ``actor`` (meaning "authored",
    after re-entering ``password``: 21 CFR 11.200, as every sign action); once per patient and
    protocol, never changed or removed.

    Raises
    ------
    PermissionDenied
        Unless the actor is a clinician or coordinator at the patient's site.
    AlreadyRandomisedError
        If the patient already has an allocation in the protocol.
    ValidationError
        Naming why the patient cannot be randomised (consent, screening, stratum), or on
        ``password`` when it is not the actor's (nothing is allocated then).
    """
    screening, active, stratum = _checked(actor, patient)
    proof = (
        password if isinstance(password, signatures.Reauthentication)
        else signatures.reauthenticate(actor, password, request)
    )  # fmt: skip
    try:
        with transaction.atomic():
            lst = _list_for(actor, active)
            used = Randomisation.objects.filter(protocol_code=active.code, stratum=stratum).count()
            row = allocation_list(design_of(lst, used + 1))[stratum][used]
            made = create(
                actor,
                Randomisation(
                    patient=patient, protocol=active, protocol_code=active.code,
                    screening=screening, stratum=stratum, sequence=row.sequence, arm=row.arm,
                    randomised_by=actor, randomised_at=timezone.now(),
                ),
            )  # fmt: skip
            signatures.sign(actor, proof, made, Meaning.AUTHORED, reason="randomised")
            return made
    except IntegrityError:
        # Another request took this row (or randomised the same patient) at the same moment.
        done = Randomisation.objects.filter(patient=patient, protocol_code=active.code).first()
        if done is not None:
            raise AlreadyRandomisedError(done) from None
        raise ValidationError({"patient_id": ["the list was busy: try again"]}) from None


def randomise_many(
    actor: Any,
    patients: Sequence[Patient],
    *,
    password: signatures.Reauthentication,
    dated: Mapping[int, dt.datetime] | None = None,
) -> tuple[list[Randomisation], dict[int, str]]:
    """Randomise ``patients`` in order, as :func:`randomise` would one by one, in bulk: the same
    checks per patient, the same list rows, one signature and one audit entry per allocation.

    For a loader of synthetic history (the demo): ``dated`` gives the time an allocation was
    made, by patient id (default now). Returns the allocations and, by patient id, why each
    patient left out could not be randomised. All or nothing inside the caller's transaction."""
    errors: dict[int, str] = {}
    ready: list[tuple[Patient, EligibilityScreening, Protocol, str]] = []
    for patient in patients:
        try:
            ready.append((patient, *_checked(actor, patient)))
        except (ValidationError, AlreadyRandomisedError, PermissionDenied) as exc:
            errors[patient.pk] = "; ".join(getattr(exc, "messages", [str(exc)]))
    if not ready:
        return [], errors
    now = timezone.now()
    name = signatures.printed_name(actor)
    with transaction.atomic():
        signatures.check_series(actor, password)
        lists = {p.code: _list_for(actor, p) for _, _, p, _ in ready}
        used = Counter(
            (code, stratum)
            for code, stratum in Randomisation.objects.filter(protocol_code__in=lists)
            .values_list("protocol_code", "stratum")
        )  # fmt: skip
        wanted = Counter((p.code, s) for _, _, p, s in ready) + used
        per = {code: max(n for (c, _), n in wanted.items() if c == code) for code in lists}
        listed = {code: allocation_list(design_of(lst, per[code])) for code, lst in lists.items()}
        made = []
        for patient, screening, active, stratum in ready:
            row = listed[active.code][stratum][used[(active.code, stratum)]]
            used[(active.code, stratum)] += 1
            made.append(Randomisation(
                patient=patient, protocol=active, protocol_code=active.code, screening=screening,
                stratum=stratum, sequence=row.sequence, arm=row.arm, randomised_by=actor,
                randomised_at=(dated or {}).get(patient.pk, now),
            ))  # fmt: skip
        Randomisation.objects.bulk_create(made)
        signed = Signature.objects.bulk_create([
            Signature(
                model=label(r), object_id=str(r.pk), site_id=r.patient.site_id,
                patient_id=r.patient_id, signer=actor, printed_name=name,
                meaning=Meaning.AUTHORED, signed_at=now,
                content_hash=signatures.content_hash(r, reread=False),
            )
            for r in made
        ])  # fmt: skip
        append_many(actor, [
            change
            for r, s in zip(made, signed, strict=True)
            for change in (
                Change(AuditAction.CREATE, label(r), r.pk, {k: [None, v] for k, v in
                       snapshot(r).items()}, "", r.patient.site_id, r.patient_id),
                Change(AuditAction.SIGN, label(r), r.pk, {
                    "signature.id": [None, s.pk], "signature.meaning": [None, s.meaning],
                    "signature.printed_name": [None, s.printed_name],
                    "signature.content_sha256": [None, s.content_hash]},
                    "randomised", r.patient.site_id, r.patient_id),
            )
        ])  # fmt: skip
    return made, errors


def allocation_rows(actor: Any, protocol_code: str) -> tuple[AllocationList, list[dict[str, Any]]]:
    """The whole list with what each used row was given to (unblinded role only; audited)."""
    if not is_unblinded(actor):
        raise PermissionDenied("only the unblinded statistician reads the allocation list")
    lst = AllocationList.objects.filter(protocol_code=protocol_code).first()
    if lst is None:
        raise AllocationList.DoesNotExist(protocol_code)
    used = {
        (r.stratum, r.sequence): r
        for r in Randomisation.objects.filter(protocol_code=protocol_code).select_related("patient")
    }
    per = max([s for _, s in used] + [max(lst.block_sizes or [1])])
    rows = [
        {
            "stratum": a.stratum, "sequence": a.sequence, "block": a.block,
            "block_size": a.block_size, "arm": a.arm,
            # Whether the row is taken, not by whom: the list names no patient.
            "used": (a.stratum, a.sequence) in used,
        }
        for rows in allocation_list(design_of(lst, per)).values()
        for a in rows
    ]  # fmt: skip
    record_view(actor, lst)
    return lst, rows
