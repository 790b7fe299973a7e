"""Automatic anchoring: the head of the audit trail appended to a file outside the database each
time a transaction that wrote audit entries commits.

Removing the newest entries and moving the head back leaves a chain that is consistent and sealed
(every remaining entry is genuine); only a copy of the head kept outside the database shows that
the trail was longer. ``settings.AUDIT_ANCHORS_FILE`` (``CORDTRACK_AUDIT_ANCHORS_FILE``, default
``var/audit-anchors.jsonl``) receives one line per committed transaction that appended entries:
``{"seq": 42, "hash": "…", "at": "…"}``, the last entry the transaction wrote. ``audit verify``
reads it by default (:mod:`.anchors`).

Cost: one ``write`` to a file opened for appending, after the commit; no fsync (the database has
already made the entries durable; an anchor lost in an operating-system crash only means the
previous anchor is the newest). A transaction that appends many times (a bulk import) writes one
line. Writing never fails the request: the entries are committed already, so an error is logged.
Each line is one ``write`` to a file opened with ``O_APPEND``, so the lines of concurrent
processes do not interleave.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

#: Attribute of the database connection naming the newest entry appended in its transaction.
_LATEST = "_cordtrack_audit_latest"


@dataclass(frozen=True, slots=True)
class Anchor:
    """The head of the trail at one time: its last entry's sequence number and hash."""

    seq: int
    hash: str
    at: str

    def line(self) -> str:
        """The anchor as a line of an anchors file."""
        return json.dumps({"seq": self.seq, "hash": self.hash, "at": self.at}) + "\n"


def anchors_file() -> Path | None:
    """Where anchors are kept automatically (None: not at all, as in most tests)."""
    path = getattr(settings, "AUDIT_ANCHORS_FILE", None)
    return None if path is None else Path(path)


def write_line(anchor: Anchor, path: Path, *, sync: bool = False) -> None:
    """Append ``anchor`` to ``path`` (created, with its folder, if absent) in one write."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, anchor.line().encode())
        if sync:
            os.fsync(fd)
    finally:
        os.close(fd)


def schedule(seq: int, hash_: str) -> None:
    """Anchor entry ``seq`` once the current transaction commits, unless a later append in the
    same transaction supersedes it (the newest entry vouches for every earlier one)."""
    if anchors_file() is None:
        return
    connection = transaction.get_connection()
    setattr(connection, _LATEST, seq)

    def write() -> None:
        if getattr(connection, _LATEST, None) != seq:
            return  # a later append of this transaction writes the anchor
        setattr(connection, _LATEST, None)
        path = anchors_file()
        if path is None:
            return
        anchor = Anchor(seq, hash_, timezone.now().isoformat(timespec="seconds"))
        try:
            write_line(anchor, path)
        except OSError as exc:
            logger.error("audit anchor #%s not written to %s: %s", seq, path, exc.strerror)

    transaction.on_commit(write)
