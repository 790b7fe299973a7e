"""A change clears the source verification it touches: the record's mark, and the marks of the
fields that changed. Run for every batch of audit entries (``audit.chain.on_append``), so no
service needs to remember it; derived columns (an exam's classification after an engine update,
its signature) are not source data and clear nothing. Each removed mark is itself audited."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db.models import Q

from ..audit.models import AuditAction, AuditEntry
from .models import SourceVerification
from .targets import BY_AUDIT_LABEL

_CHANGES = (AuditAction.UPDATE, AuditAction.DELETE)


def changed_fields(model_label: str, changes: Mapping[str, Any]) -> set[str]:
    """The source fields an update changed: model field names (``administration`` for
    ``administration_id``) and, for an exam, each cell whose value changed."""
    kind = BY_AUDIT_LABEL[model_label]
    derived: frozenset[str] = getattr(kind.model, "DERIVED_FIELDS", frozenset())
    out: set[str] = set()
    for key, pair in changes.items():
        name = key.split(".", 1)[0]
        if name in derived:
            continue
        if name == "values" and isinstance(pair, list) and len(pair) == 2:
            old, new = (p if isinstance(p, dict) else {} for p in pair)
            out |= {k for k in set(old) | set(new) if old.get(k) != new.get(k)}
            continue
        out.add(name.removesuffix("_id"))
    return out


def clear_changed(entries: Sequence[AuditEntry], actor: Any) -> None:
    """Remove the verification marks the changes in ``entries`` touch (and audit that)."""
    from ..audit.chain import Change, append_many

    removed: list[Change] = []
    for entry in entries:
        kind = BY_AUDIT_LABEL.get(entry.model)
        if kind is None or entry.action not in _CHANGES:
            continue
        marks = SourceVerification.objects.filter(target=kind.code, target_id=int(entry.object_id))
        if entry.action == AuditAction.UPDATE:
            fields = changed_fields(entry.model, entry.changes or {})
            if not fields:
                continue
            marks = marks.filter(Q(field="") | Q(field__in=fields))
        for mark in marks:
            removed.append(
                Change(
                    AuditAction.DELETE, mark._meta.label_lower, mark.pk,
                    {"target": [mark.target, None], "target_id": [mark.target_id, None],
                     "field": [mark.field, None], "verified_by_id": [mark.verified_by_id, None]},
                    f"verification cleared: {kind.label.lower()} {entry.object_id} changed "
                    + (f"(audit entry #{entry.seq})" if entry.seq else
                       f"(staged audit entry {entry.pk})"),
                    entry.site_id, entry.patient_id,
                )
            )  # fmt: skip
            mark.delete()
    if removed:
        append_many(actor, removed)
