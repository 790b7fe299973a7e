"""Randomising an eligible, consented patient into an arm of a randomised protocol.

The allocation comes from a concealed, seeded, stratified permuted-block list
(``cordtrack.outcomes.randomisation``): the list row is revealed only as it is used, to the person
randomising, and the list as a whole only to the unblinded role (ADR 0033). A randomisation is a
signed act (audit action ``sign``), made once per patient and protocol; nothing changes or removes
it. Who may randomise: a clinician or coordinator of the patient's site.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from cordtrack.outcomes.change import possible_names
from cordtrack.outcomes.groups import level_group
from cordtrack.outcomes.randomisation import RandomisationDesign, allocation_list, stratum_label

from ..accounts.models import Role
from ..audit.chain import append, label, record_change, record_view, snapshot
from ..audit.models import AuditAction
from ..intake.models import (
    AllocationList,
    Decision,
    EligibilityScreening,
    Protocol,
    ProtocolStatus,
    Randomisation,
)
from ..patients.models import ConsentStatus, Patient
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


def randomise(actor: Any, patient: Patient) -> Randomisation:
    """Allocate the next arm of the patient's stratum (signed; once per patient and protocol).

    Raises
    ------
    PermissionDenied
        Unless the actor is a clinician or coordinator at the patient's site.
    AlreadyRandomisedError
        If the patient already has an allocation in the protocol.
    ValidationError
        Naming why the patient cannot be randomised (consent, screening, stratum).
    """
    if not _has_role(actor, RANDOMISING_ROLES, patient.site_id):
        raise PermissionDenied("a clinician or coordinator of the patient's site randomises")
    errors = FieldErrors()
    screening = _latest_randomised_screening(patient)
    if patient.consent_status != ConsentStatus.CONSENTED:
        errors.add("patient_id", f"has not consented (consent: {patient.consent_status})")
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
            record_change(actor, made, {}, reason="randomised", action=AuditAction.SIGN)
            return made
    except IntegrityError:
        # Another request took this row (or randomised the same patient) at the same moment.
        done = Randomisation.objects.filter(patient=patient, protocol_code=protocol.code).first()
        if done is not None:
            raise AlreadyRandomisedError(done) from None
        raise ValidationError({"patient_id": ["the list was busy: try again"]}) from None


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
