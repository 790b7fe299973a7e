"""What a record's page shows of monitoring: its queries (open first) and verification marks,
per field, and the forms a monitor uses there."""

from __future__ import annotations

from typing import Any

from ..access import Cap, can, site_id_of
from .models import DataQuery, QueryStatus, SourceVerification
from .targets import TARGETS


def record_marks(target: str, record: Any) -> dict[str, Any]:
    """Queries and verification of one record: ``queries`` (all, newest first), ``open``
    (count), ``fields`` {field: {"query": open count, "verified": bool}}, ``verified`` (the
    record as a whole: the mark or None)."""
    queries = list(
        DataQuery.objects.filter(target=target, target_id=record.pk).select_related("raised_by")
    )
    marks = list(
        SourceVerification.objects.filter(target=target, target_id=record.pk).select_related(
            "verified_by"
        )
    )
    whole = next((m for m in marks if not m.field), None)
    fields: dict[str, dict[str, Any]] = {}
    for q in queries:
        if q.status != QueryStatus.CLOSED and q.field:
            entry = fields.setdefault(q.field, {"query": 0, "verified": whole is not None})
            entry["query"] += 1
    for m in marks:
        if m.field:
            fields.setdefault(m.field, {"query": 0, "verified": True})["verified"] = True
    kind = TARGETS[target]
    return {
        "queries": sorted(queries, key=lambda q: (q.status == QueryStatus.CLOSED, -q.pk)),
        "open": sum(q.status != QueryStatus.CLOSED for q in queries),
        "fields": fields,
        "verified": whole,
        "field_marks": [m for m in marks if m.field],
        "kind": kind,
    }


def monitoring_context(user: Any, target: str, record: Any) -> dict[str, Any]:
    """The template context of the monitoring panel of a record page (empty for a patient:
    queries and verification are staff notes)."""
    site = site_id_of(record)
    if not can(user, site, Cap.READ):
        return {"mon": None, "may_query": False, "may_verify": False}
    marks = record_marks(target, record)
    kind = marks["kind"]
    return {
        "mon": marks,
        "mon_target": target,
        "mon_record": record,
        "mon_fields": [(f, kind.field_label(f)) for f in kind.fields],
        "may_query": can(user, site, Cap.QUERIES),
        "may_verify": can(user, site, Cap.SDV),
    }


def cell_marks(marks: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Per field for the worksheet grid: open queries, and verified (field or whole record)."""
    whole = marks["verified"] is not None
    out = {f: {**m, "verified": m["verified"] or whole} for f, m in marks["fields"].items()}
    if whole:
        from cordtrack.isncsci import EXAM_KEYS

        for key in EXAM_KEYS:
            out.setdefault(key, {"query": 0, "verified": True})
    return out
