"""Protocol versions: draft (from a page or a JSON/YAML import), compare, activate.

A protocol is the set of ``Protocol`` rows sharing a code; each row is a version with a status
(draft, active, retired). Drafting checks the whole document field by field
(``cordtrack.clinical.protocol_document``) and saves nothing when any field is bad. Activation is
a signed act: the data manager re-enters their password and gives a reason, both recorded in the
audit trail (action ``sign``); the password is checked by the signature service's
re-authentication (ADR 0030); the previous active version is retired in the same transaction.
Records that followed a version (screenings, visits, administrations) keep pointing at it.
"""

from __future__ import annotations

import json
from typing import Any

import yaml
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from cordtrack.clinical.protocol_document import Change, check_document, diff_documents

from ..access import Cap, site_ids
from ..audit.chain import record_change, snapshot
from ..intake.models import Decision, EligibilityScreening, Protocol, ProtocolStatus
from ..patients.models import Patient
from ..signatures.models import Meaning
from ..therapy.models import CellType, Route
from . import signatures
from .base import FieldErrors, create

#: Largest import accepted (a protocol document is a few kilobytes).
MAX_DOCUMENT_BYTES = 200_000


def may_manage(user: Any) -> bool:
    """Data managers (at any site) draft and activate protocol versions."""
    return bool(site_ids(user, Cap.PROTOCOLS))


def _require_manager(user: Any) -> None:
    if not may_manage(user):
        raise PermissionDenied("only a data manager drafts or activates protocol versions")


def parse_document(text: str) -> dict[str, Any]:
    """A JSON or YAML document as a dict; a clear ``document`` error otherwise."""
    if len(text.encode()) > MAX_DOCUMENT_BYTES:
        raise ValidationError({"document": [f"is larger than {MAX_DOCUMENT_BYTES} bytes"]})
    try:
        data = json.loads(text)
    except ValueError:
        try:
            # safe_load builds plain data only (no Python objects); JSON is a subset of YAML 1.2.
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
            raise ValidationError({"document": [f"is neither valid JSON nor YAML{where}"]}) from exc
    if not isinstance(data, dict):
        raise ValidationError({"document": ["must be a mapping of fields (JSON object)"]})
    return data


def document_problems(data: object) -> dict[str, list[str]]:
    return check_document(data, cell_types=CellType.values, routes=Route.values)


def active_version(code: str) -> Protocol | None:
    return Protocol.objects.filter(code=code, status=ProtocolStatus.ACTIVE).first()


def draft_version(actor: Any, data: dict[str, Any]) -> Protocol:
    """Save a new draft version from its document (every problem raised at once, by field)."""
    _require_manager(actor)
    problems = document_problems(data)
    errors = FieldErrors()
    for field, messages in problems.items():
        for m in messages:
            errors.add(field, m)
    if (
        not problems
        and Protocol.objects.filter(code=data["code"], version=data["version"]).exists()
    ):
        errors.add("version", f"{data['code']} already has a version {data['version']!r}")
    errors.raise_if_any()
    with transaction.atomic():
        return create(
            actor,
            Protocol(
                code=data["code"], version=data["version"], title=data["name"],
                design=data.get("design", "uncontrolled"), arms=data.get("arms", []),
                randomisation=data.get("randomisation") or {}, criteria=data["criteria"],
                schedule=data["schedule"], instruments=data.get("instruments", {}),
                treatment_plan=data.get("treatment_plan", {}), status=ProtocolStatus.DRAFT,
                based_on=active_version(data["code"]), created_by=actor,
                created_at=timezone.now(),
            ),
        )  # fmt: skip


def diff_against_active(version: Protocol) -> list[Change]:
    """What ``version`` changes from the active version of its protocol (all added if none)."""
    current = active_version(version.code)
    base = current.document() if current and current.pk != version.pk else {}
    return diff_documents(base, version.document())


def activate_version(
    actor: Any, version: Protocol, *, reason: str, password: str,
    request: HttpRequest | None = None,
) -> Protocol:  # fmt: skip
    """Activate a draft (signed: password re-entered, reason given); retire the current one.

    The password goes through the signature service's re-authentication (ADR 0030), so a wrong
    one counts towards the sign-in lockout like any other signing attempt."""
    _require_manager(actor)
    errors = FieldErrors()
    if version.status != ProtocolStatus.DRAFT:
        errors.add("status", f"only a draft can be activated (this version is {version.status})")
    if not reason.strip():
        errors.add("reason", "is required to activate a protocol version")
    errors.raise_if_any()
    proof = signatures.reauthenticate(actor, password, request)  # outside the transaction
    with transaction.atomic():
        current = (
            Protocol.objects.select_for_update()
            .filter(code=version.code, status=ProtocolStatus.ACTIVE)
            .first()
        )
        if current is not None:
            before = snapshot(current)
            current.status = ProtocolStatus.RETIRED
            current.save(update_fields=["status"])
            record_change(actor, current, before, reason=f"superseded by v{version.version}")

        def activate() -> None:
            version.status = ProtocolStatus.ACTIVE
            version.activated_by = actor
            version.activated_at = timezone.now()
            version.activation_reason = reason.strip()
            fields = ["status", "activated_by", "activated_at", "activation_reason"]
            version.save(update_fields=fields)

        # A Signature like every other sign-off (meaning "approved"; ADR 0042), audited with
        # the activation's own change in one entry.
        signatures.sign(actor, proof, version, Meaning.APPROVED, apply=activate,
                        reason=reason.strip())  # fmt: skip
    return version


def followed_version(patient: Patient) -> Protocol | None:
    """The protocol version a patient's care follows: that of their latest eligible screening."""
    screening = (
        EligibilityScreening.objects.filter(patient=patient, decision=Decision.ELIGIBLE)
        .order_by("-screened_on", "-pk")
        .select_related("protocol")
        .first()
    )
    return screening.protocol if screening else None
