"""Appending to and verifying the hash-chained audit trail.

Services call :func:`record_change` (or :func:`record_view`) inside the transaction of the change,
so a change and its audit entry commit or roll back together.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from . import anchoring, keys
from .models import GENESIS_HASH, AuditAction, AuditEntry, AuditHead

Changes = dict[str, list[Any]]
_PLAIN = frozenset({str, int, bool, type(None)})


def jsonable(value: object) -> Any:
    """A JSON value that hashes the same after a round trip through either database."""
    if type(value) in _PLAIN:
        return value
    # Most changes are ``[old, new]`` of plain values: copied without a call per item.
    if type(value) is list and all(type(v) in _PLAIN for v in value):
        return list(value)
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float | decimal.Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat(timespec="microseconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return str(value)


def snapshot(instance: models.Model) -> dict[str, Any]:
    """The instance's concrete field values (foreign keys as ids), JSON-ready."""
    return {
        field.attname: jsonable(field.value_from_object(instance))
        for field in instance._meta.concrete_fields
    }


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> Changes:
    """``{field: [old, new]}`` for every field whose value changed."""
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def _content(entry: AuditEntry, converted: bool = False) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        "at": jsonable(entry.at),
        "actor_id": entry.actor_id,
        "actor": entry.actor_label,
        "action": entry.action,
        "model": entry.model,
        "object_id": entry.object_id,
        "site_id": entry.site_id,
        "patient_id": entry.patient_id,
        "changes": entry.changes if converted else jsonable(entry.changes),
        "reason": entry.reason,
        "prev": entry.prev_hash,
    }


def entry_hash(entry: AuditEntry, *, converted: bool = False) -> str:
    """SHA-256 over the entry's canonical JSON content, which includes the previous hash.
    ``converted``: the entry's changes are already :func:`jsonable` (a new entry's are)."""
    canonical = json.dumps(_content(entry, converted), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _locked_head() -> AuditHead:
    head = AuditHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        head = AuditHead.objects.create(pk=1, seq=0, hash=GENESIS_HASH)
    return head


@dataclass(frozen=True, slots=True)
class Change:
    """What one audit entry records (see :func:`append`)."""

    action: AuditAction
    model_label: str
    object_id: object
    changes: Mapping[str, Any] | None = None
    reason: str = ""
    site_id: int | None = None
    patient_id: int | None = None


def append(
    actor: Any,
    action: AuditAction,
    model_label: str,
    object_id: object,
    *,
    changes: Mapping[str, Any] | None = None,
    reason: str = "",
    site_id: int | None = None,
    patient_id: int | None = None,
) -> AuditEntry:
    """Append one entry. Must run inside the transaction of the change it records."""
    change = Change(action, model_label, object_id, changes, reason, site_id, patient_id)
    (entry,) = append_many(actor, [change])
    return entry


#: Entries inserted per statement by :func:`append_many`.
_INSERT_BATCH = 500


#: Called with each batch of appended entries and their actor, in the same transaction (e.g. a
#: change clears the source verification of what it changed: ``monitoring.clearing``).
_LISTENERS: list[Callable[[Sequence[AuditEntry], Any], None]] = []


def on_append(listener: Callable[[Sequence[AuditEntry], Any], None]) -> None:
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)


def append_many(actor: Any, changes: Sequence[Change]) -> list[AuditEntry]:
    """Append one entry per change, in order, all by ``actor`` at one time: the head is locked
    and moved once, and the entries are inserted in batches (a bulk change, such as a registry
    reclassification, audits thousands of records). Must run inside the transaction of the
    changes it records."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit entries are written inside the transaction of their change")
    if not changes:
        return []
    head = _locked_head()
    key_id, key = keys.current()
    at = timezone.now()
    user_id = getattr(actor, "pk", None)
    actor_label = getattr(actor, "username", "") or "system"
    entries: list[AuditEntry] = []
    seq, prev = head.seq, head.hash
    for change in changes:
        seq += 1
        entry = AuditEntry(
            seq=seq,
            at=at,
            actor_id=user_id,
            actor_label=actor_label,
            action=change.action,
            model=change.model_label,
            object_id=str(change.object_id),
            site_id=change.site_id,
            patient_id=change.patient_id,
            changes=jsonable(dict(change.changes or {})),
            reason=change.reason,
            prev_hash=prev,
            key_id=key_id,
        )
        entry.hash = prev = entry_hash(entry, converted=True)
        entry.mac = keys.seal(prev, key)
        entries.append(entry)
    if len(entries) == 1:
        entries[0].save()
    else:
        AuditEntry.objects.bulk_create(entries, batch_size=_INSERT_BATCH)
    head.seq, head.hash = seq, prev
    head.save(update_fields=["seq", "hash"])
    anchoring.schedule(seq, prev)
    for listener in _LISTENERS:
        listener(entries, actor)
    return entries


def _scope(instance: models.Model) -> tuple[int | None, int | None]:
    """(site id, patient id) of a record, read from its declared ``SITE_PATH``/``PATIENT_PATH``."""
    from ..access import patient_id_of, site_id_of

    site_id = site_id_of(instance) if hasattr(instance, "SITE_PATH") else None
    return site_id, patient_id_of(instance)


def label(instance: models.Model) -> str:
    return instance._meta.label_lower


def record_change(
    actor: Any,
    instance: models.Model,
    before: Mapping[str, Any] | None,
    *,
    reason: str = "",
    action: AuditAction | None = None,
) -> AuditEntry | None:
    """Record a create (``before`` is None), update or delete of ``instance``.

    An update that changed nothing writes no entry and returns None.
    """
    if action is None:
        action = AuditAction.CREATE if before is None else AuditAction.UPDATE
    after = {} if action is AuditAction.DELETE else snapshot(instance)
    changes = diff(before or {}, after)
    if action is AuditAction.UPDATE and not changes:
        return None
    site_id, patient_id = _scope(instance)
    return append(
        actor, action, label(instance), instance.pk, changes=changes, reason=reason,
        site_id=site_id, patient_id=patient_id,
    )  # fmt: skip


def record_view(actor: Any, instance: models.Model, action: AuditAction = AuditAction.VIEW) -> None:
    """Log that ``actor`` looked at (or downloaded) ``instance``; its own short transaction."""
    site_id, patient_id = _scope(instance)
    with transaction.atomic():
        append(actor, action, label(instance), instance.pk, site_id=site_id, patient_id=patient_id)


@dataclass(frozen=True, slots=True)
class Problem:
    """One break in the chain, named by sequence number."""

    seq: int
    message: str

    def __str__(self) -> str:
        return f"audit entry #{self.seq}: {self.message}"


def _unsealed(entry: AuditEntry, known: Mapping[str, bytes]) -> str | None:
    """Why ``entry``'s seal does not vouch for its hash, or None when it does."""
    if not entry.mac:
        return "not sealed with the audit key"
    key = known.get(entry.key_id)
    if key is None:
        return (
            f"sealed with an audit key that is not configured (key id {entry.key_id}): "
            "set the key in CORDTRACK_AUDIT_PREVIOUS_KEYS, or the seal was forged"
        )
    if not keys.is_sealed(entry.hash, entry.mac, key):
        return "seal does not match its hash (hash recomputed without the audit key)"
    return None


def verify() -> Iterator[Problem]:
    """Every break in the chain: altered rows, removed rows, a head that disagrees, and entries
    whose seal (HMAC under the audit key) does not vouch for their hash."""
    known = keys.known()
    expected_seq, prev = 1, GENESIS_HASH
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=2000):
        if entry.seq != expected_seq:
            last = entry.seq - 1
            span = "" if last == expected_seq else f" (entries #{expected_seq} to #{last})"
            yield Problem(expected_seq, f"missing: removed from the database{span}")
            prev = entry.prev_hash  # resynchronise so later rows are still checked
        if entry.prev_hash != prev:
            yield Problem(entry.seq, "does not link to the previous entry (chain broken)")
        if entry_hash(entry) != entry.hash:
            yield Problem(entry.seq, "content does not match its hash (row altered)")
        unsealed = _unsealed(entry, known)
        if unsealed:
            yield Problem(entry.seq, unsealed)
        expected_seq, prev = entry.seq + 1, entry.hash
    head = AuditHead.objects.filter(pk=1).first()
    last_seq = expected_seq - 1
    if head is None:
        if last_seq:
            yield Problem(last_seq, "audit head row is missing")
    elif head.seq != last_seq or head.hash != prev:
        if head.seq > last_seq:
            yield Problem(last_seq + 1, f"missing: the last entries up to #{head.seq} were removed")
        else:
            yield Problem(head.seq, "audit head disagrees with the last entry")
