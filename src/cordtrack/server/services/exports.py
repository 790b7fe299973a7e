"""Records leaving the registry through ``cordtrack export``: each patient whose records are
written is in the audit trail as a download, as for the API's FHIR exports
(:mod:`cordtrack.server.api.routes.fhir`).

The entries are written, in one transaction, before any file is: a disclosure is recorded even if
writing then fails halfway (HIPAA 45 CFR 164.528 asks for an accounting of disclosures; a trail
that could miss one would not be one).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from ..audit.chain import Change, append_many
from ..audit.models import AuditAction
from ..patients.models import Patient
from .base import FieldErrors

#: What ``cordtrack export`` writes, as the audit entries name it.
EXPORT_KINDS = {
    "fhir": "FHIR R4 NDJSON",
    "csv": "flat ISNCSCI CSV",
    "redcap": "REDCap ISNCSCI export",
    "deidentified": "de-identified research dataset",
}


def record_export(
    actor: Any, patients: QuerySet[Patient], *, kind: str, destination: str, by: str
) -> int:
    """Audit the export of ``patients``' records: one download entry per patient, by ``actor``
    (None: the system), with a reason naming what was written, where, and who ran it (``by``).
    Returns how many patients were recorded."""
    errors = FieldErrors()
    if kind not in EXPORT_KINDS:
        errors.add("kind", f"one of {', '.join(EXPORT_KINDS)}")
    if not destination.strip():
        errors.add("destination", "is required")
    errors.raise_if_any()
    reason = f"exported: {EXPORT_KINDS[kind]} to {destination}, {by}"
    rows = list(patients.order_by("pk").values_list("pk", "site_id"))
    model = Patient._meta.label_lower
    changes = [
        Change(AuditAction.DOWNLOAD, model, pk, reason=reason, site_id=site, patient_id=pk)
        for pk, site in rows
    ]
    with transaction.atomic():
        append_many(actor, changes)
    return len(rows)
