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

from django.db import IntegrityError, connection, models, transaction
from django.db.models import Subquery
from django.utils import timezone

from ..prepared import Prepared
from ..prepared_writes import insert, update
from . import anchoring, keys, staging
from .models import GENESIS_HASH, AuditAction, AuditEntry, AuditHead, StagedEntry

Changes = dict[str, list[Any]]
_PLAIN = frozenset({str, int, bool, type(None)})


def jsonable(value: object) -> Any:
    """A JSON value that hashes the same after a round trip through either database."""
    if type(value) in _PLAIN:
        return value
    # Most changes are ``[old, new]`` of plain values: copied without a call per item.
    if type(value) is list and all(type(v) in _PLAIN for v in value):
        return list(value)
    # An exam's values (~140 cells of text), snapshot then appended: copied, not walked twice.
    if type(value) is dict and all(type(k) is str and type(v) in _PLAIN for k, v in value.items()):
        return dict(value)
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


def head_if_free() -> AuditHead | None:
    """The head, locked for this transaction; None when another transaction holds it
    (PostgreSQL: ``SKIP LOCKED``, so nobody waits for it, ADR 0051). On SQLite the database's
    single write lock already serialises writers: the head is always taken."""
    if connection.vendor != "postgresql":
        return _locked_head()
    head: AuditHead | None = _FREE_HEAD.first()
    if head is not None:
        head.staged = head.first_staged is not None  # type: ignore[attr-defined]
    if head is None and not AuditHead.objects.filter(pk=1).exists():
        try:  # the very first append (or another's first append, not committed yet)
            with transaction.atomic():
                head = AuditHead.objects.create(pk=1, seq=0, hash=GENESIS_HASH)
                head.staged = True  # type: ignore[attr-defined]  # not asked: look
        except IntegrityError:
            return None  # created by another transaction meanwhile: it holds it
    return head


#: The head if no other transaction holds it, and the first staged entry's id if any is staged,
#: in one statement (ADR 0057: after most appends nothing is, and the staged entries are then not
#: read). The first id in key order, not ``EXISTS``: PostgreSQL answers ``EXISTS`` (and an
#: unordered ``LIMIT 1``) with a sequential scan, which reads every dead row that chained entries
#: left until a vacuum; the key's index skips them (ADR 0060: 5 ms against 0.08 ms a request).
_FREE_HEAD: Prepared[AuditHead] = Prepared(
    lambda: (
        AuditHead.objects.select_for_update(skip_locked=True)
        .filter(pk=1)
        .annotate(first_staged=Subquery(StagedEntry.objects.order_by("pk").values("pk")[:1]))
        .order_by("pk")[:1]
    )
)


def _entry(seq: int, prev: str, key_id: str, key: bytes, **fields: Any) -> AuditEntry:
    entry = AuditEntry(seq=seq, prev_hash=prev, key_id=key_id, **fields)
    entry.hash = entry_hash(entry, converted=True)
    entry.mac = keys.seal(entry.hash, key)
    return entry


def _write(head: AuditHead, entries: list[AuditEntry]) -> None:
    """Insert chained entries and move the head to the last; its anchor after the commit."""
    if len(entries) == 1:
        # AuditEntry.save() only refuses updates; SQL compiled once per connection (ADR 0059).
        insert(entries[0], overrides_save_only_for_updates=True)
    else:
        AuditEntry.objects.bulk_create(entries, batch_size=_INSERT_BATCH)
    head.seq, head.hash = entries[-1].seq, entries[-1].hash
    update(head, "seq", "hash")
    anchoring.schedule(head.seq, head.hash)


def _chained(head: AuditHead, staged: Sequence[StagedEntry], key_id: str, key: bytes
             ) -> list[AuditEntry]:  # fmt: skip
    seq, prev = head.seq, head.hash
    entries = []
    for s in staged:
        seq += 1
        entry = _entry(
            seq, prev, key_id, key, at=s.at, actor_id=s.actor_id, actor_label=s.actor_label,
            action=s.action, model=s.model, object_id=s.object_id, site_id=s.site_id,
            patient_id=s.patient_id, changes=jsonable(s.changes), reason=s.reason, staged_id=s.pk,
        )  # fmt: skip
        entries.append(entry)
        prev = entry.hash
    return entries


def chain_staged(head: AuditHead, staged: Sequence[StagedEntry]) -> int:
    """Chain ``staged`` (genuine staged entries, in staging order) after the locked ``head``
    and remove them from staging, in the current transaction."""
    if not staged:
        return 0
    key_id, key = keys.current()
    _write(head, _chained(head, staged, key_id, key))
    StagedEntry.objects.filter(pk__in=[s.pk for s in staged]).delete()
    return len(staged)


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
    at = timezone.now()
    user_id = getattr(actor, "pk", None)
    actor_label = getattr(actor, "username", "") or "system"
    fields = [
        {"at": at, "actor_id": user_id, "actor_label": actor_label, "action": c.action,
         "model": c.model_label, "object_id": str(c.object_id), "site_id": c.site_id,
         "patient_id": c.patient_id, "changes": jsonable(dict(c.changes or {})),
         "reason": c.reason}
        for c in changes
    ]  # fmt: skip
    head = head_if_free()
    if head is None:  # another transaction holds the head: stage, never wait (ADR 0051)
        staged = staging.stage([StagedEntry(**f) for f in fields])
        for listener in _LISTENERS:
            listener(staged, actor)  # type: ignore[arg-type]
        return staged  # type: ignore[return-value]
    key_id, key = keys.current()
    # PostgreSQL: chain first what others staged while the head was held (SQLite never stages).
    any_staged = connection.vendor == "postgresql" and getattr(head, "staged", True)
    waiting, _ = staging.claim(staging.BATCH) if any_staged else ([], [])
    earlier = _chained(head, waiting, key_id, key)
    seq, prev = (earlier[-1].seq, earlier[-1].hash) if earlier else (head.seq, head.hash)
    entries: list[AuditEntry] = []
    for f in fields:
        seq += 1
        entries.append(_entry(seq, prev, key_id, key, **f))
        prev = entries[-1].hash
    _write(head, earlier + entries)
    if waiting:
        StagedEntry.objects.filter(pk__in=[s.pk for s in waiting]).delete()
    staging.seal_after_commit()  # what others stage while this transaction holds the head
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
    staged: bool = False  # ``seq`` is then the id of an entry waiting in staging (ADR 0051)

    def __str__(self) -> str:
        if self.staged:
            return f"staged audit entry {self.seq} (not chained yet): {self.message}"
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
    whose seal (HMAC under the audit key) does not vouch for their hash; and every staged entry
    (not chained yet) whose own seal does not vouch for its content."""
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
    for pk, message in staging.problems():
        yield Problem(pk, message, staged=True)
