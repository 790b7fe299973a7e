"""Staged audit entries: appends that never wait for the chain's head (ADR 0051).

A transaction that appends while another transaction holds the head (PostgreSQL,
``SELECT ... FOR UPDATE SKIP LOCKED`` found it locked) inserts its entries here instead, sealed
one by one with the audit key, and commits with its change: nothing it acknowledges is lost, and
it queues behind nobody. Whoever holds the head chains the staged entries, in staging order,
before its own; and after every commit that appended, :func:`seal_pending` takes the head if it
is free and chains what is staged in short transactions of their own, until none is left or
another transaction holds the head (which then does the same after its own commit). A process
killed between its commit and its seal leaves entries staged, committed: the next append, the
worker's periodic ``audit-seal`` job or ``cordtrack audit seal`` chains them.

Tampering: an entry altered or forged here does not match its seal; the sealer leaves it staged
(it is never chained under a fresh seal) and ``audit verify`` names it. On PostgreSQL a trigger
refuses updates, ``TRUNCATE`` and the delete of an entry that no chained entry names
(``migrations/0004``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Iterator, Sequence
from typing import Any

from django.db import connection, transaction

from ..prepared import Prepared
from . import keys
from .models import StagedEntry

logger = logging.getLogger(__name__)

#: Staged entries chained per sealing transaction.
BATCH = 500


def content(entry: StagedEntry) -> bytes:
    """The canonical bytes a staged entry's seal covers: everything it records."""
    return json.dumps(
        {
            "at": entry.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
            "actor_id": entry.actor_id,
            "actor": entry.actor_label,
            "action": entry.action,
            "model": entry.model,
            "object_id": entry.object_id,
            "site_id": entry.site_id,
            "patient_id": entry.patient_id,
            "changes": entry.changes,
            "reason": entry.reason,
        },
        sort_keys=True,
        separators=(",", ":"),
    ).encode()


def seal_of(entry: StagedEntry, key: bytes) -> str:
    return keys.seal(hashlib.sha256(content(entry)).hexdigest(), key)


def genuine(entry: StagedEntry, known: dict[str, bytes]) -> bool:
    """Whether the entry's seal vouches for its content under a configured audit key."""
    key = known.get(entry.key_id)
    return key is not None and keys.is_sealed(
        hashlib.sha256(content(entry)).hexdigest(), entry.mac, key
    )


def stage(entries: Sequence[StagedEntry]) -> list[StagedEntry]:
    """Insert ``entries`` (built by ``chain.append_many``), each sealed, in the current
    transaction; a seal is scheduled for after its commit."""
    key_id, key = keys.current()
    for entry in entries:
        entry.key_id, entry.mac = key_id, seal_of(entry, key)
    if len(entries) == 1:
        entries[0].save()
        staged = list(entries)
    else:
        staged = StagedEntry.objects.bulk_create(entries)
    seal_after_commit()
    return staged


def claim(limit: int) -> tuple[list[StagedEntry], list[StagedEntry]]:
    """The oldest staged entries visible to this transaction (which holds the head): those whose
    seal vouches for them, to chain, and those it does not (left staged, named by verify)."""
    known = keys.known()
    good: list[StagedEntry] = []
    bad: list[StagedEntry] = []
    for entry in StagedEntry.objects.order_by("pk")[:limit]:
        (good if genuine(entry, known) else bad).append(entry)
    for entry in bad:
        logger.error("staged audit entry %s does not match its seal: not chained", entry.pk)
    return good, bad


def _seal_now() -> None:
    try:
        seal_pending()
    except Exception:  # the entries are committed and staged: the next sealer chains them
        logger.exception("sealing staged audit entries failed; they stay staged")


def seal_after_commit() -> None:
    """Run :func:`seal_pending` once after the current transaction commits (PostgreSQL only:
    on SQLite every append holds the database's write lock and chains directly)."""
    if connection.vendor != "postgresql":
        return
    if any(item[1] is _seal_now for item in connection.run_on_commit):
        return  # already scheduled by an earlier append of this transaction
    transaction.on_commit(_seal_now)


#: Whether anything is staged at all: asked after every commit that appended. In key order: an
#: unordered ``LIMIT 1`` is a sequential scan through every dead row chained entries left behind
#: until a vacuum (PostgreSQL; ADR 0060), where the key's index skips them.
_ANY_STAGED: Prepared[int] = Prepared(
    lambda: StagedEntry.objects.order_by("pk").values_list("pk", flat=True)[:1]
)


def _any_staged() -> bool:
    return bool(_ANY_STAGED.rows())


def seal_pending(batch: int = BATCH) -> int:
    """Chain every staged entry (in short transactions of ``batch`` entries) while the head is
    free; return how many were chained. Stops when none is left, or when another transaction
    holds the head: it seals after its own commit."""
    from .chain import chain_staged, head_if_free

    sealed = 0
    refused: set[int] = set()
    # Look before taking the head: after most commits nothing is staged (the transaction found
    # the head free and chained directly), and one read costs less than a transaction that
    # takes the head for nothing (ADR 0053: four statements of every audited request; ADR 0054:
    # and a WAL flush per write). An entry
    # committed after this look is sealed by its own transaction's seal after its commit, as
    # when this sealer finds the head held. After each batch, look again: entries may have been
    # staged while the head was held here, by transactions whose own seal found it held.
    while _any_staged() if not refused else StagedEntry.objects.exclude(pk__in=refused).exists():
        with transaction.atomic():
            head = head_if_free()
            if head is None:
                return sealed
            good, bad = claim(batch + len(refused))
            refused.update(e.pk for e in bad)
            sealed += chain_staged(head, good)
    return sealed


def pending() -> tuple[int, Any]:
    """How many entries are staged, and when the oldest was written (None: none)."""
    first = StagedEntry.objects.order_by("at").values_list("at", flat=True).first()
    return StagedEntry.objects.count(), first


def problems() -> Iterator[tuple[int, str]]:
    """(staged id, message) of each staged entry whose seal does not vouch for it."""
    known = keys.known()
    for entry in StagedEntry.objects.order_by("pk").iterator(chunk_size=2000):
        if not genuine(entry, known):
            yield (
                entry.pk,
                "staged entry does not match its seal (altered or forged before it was chained)",
            )
