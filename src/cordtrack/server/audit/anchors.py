"""Anchors: the audit trail's head copied outside the database.

:func:`.chain.verify` finds a row altered, removed or forged on its own, but not a trail rewritten
from some entry on with every later hash and the head recomputed, which whoever controls the
database can do. An anchor is the head (sequence number and hash, and when it was taken) written
somewhere that person does not control: a file on another system, a printed or signed daily
report. Verifying against the anchors then finds any rewrite that reaches back to an anchored
entry (ADR 0002).

An anchors file holds one JSON object a line: ``{"seq": 42, "hash": "…", "at": "…"}``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.utils import timezone

from .chain import Problem, verify
from .models import GENESIS_HASH, AuditEntry, AuditHead


@dataclass(frozen=True, slots=True)
class Anchor:
    """The head of the trail at one time: its last entry's sequence number and hash."""

    seq: int
    hash: str
    at: str

    def line(self) -> str:
        """The anchor as a line of an anchors file."""
        return json.dumps({"seq": self.seq, "hash": self.hash, "at": self.at}) + "\n"


class BrokenTrailError(Exception):
    """The trail is not intact: an anchor of it would vouch for a break."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"audit trail is NOT intact: {len(problems)} problem(s)")
        self.problems = problems


def take() -> Anchor:
    """The current head, once the whole chain is verified intact (else
    :class:`BrokenTrailError`)."""
    problems = list(verify())
    if problems:
        raise BrokenTrailError(problems)
    head = AuditHead.objects.filter(pk=1).first()
    seq, hash_ = (head.seq, head.hash) if head is not None else (0, GENESIS_HASH)
    return Anchor(seq, hash_, timezone.now().isoformat(timespec="seconds"))


def append(anchor: Anchor, path: Path) -> None:
    """Add an anchor to the file at ``path`` (created if absent), on disk before returning."""
    import os

    with path.open("a", encoding="utf-8") as stream:
        stream.write(anchor.line())
        stream.flush()
        os.fsync(stream.fileno())


def read(path: Path) -> list[Anchor]:
    """The anchors in a file; ValueError naming the line of any that is not one."""
    anchors = []
    with path.open(encoding="utf-8") as stream:
        for number, text in enumerate(stream, 1):
            if not text.strip():
                continue
            try:
                data = json.loads(text)
                anchor = Anchor(data["seq"], data["hash"], data["at"])
            except (ValueError, KeyError, TypeError):
                raise ValueError(
                    f'{path}, line {number}: not an anchor ({{"seq": …, "hash": …, "at": …}})'
                ) from None
            if (
                not isinstance(anchor.seq, int)
                or isinstance(anchor.seq, bool)
                or anchor.seq < 0
                or not isinstance(anchor.hash, str)
                or not isinstance(anchor.at, str)
            ):
                raise ValueError(f"{path}, line {number}: seq must be a count, hash and at text")
            anchors.append(anchor)
    return anchors


def check(anchors: Iterable[Anchor]) -> Iterator[Problem]:
    """Every anchor the trail no longer matches: its entry gone, or its hash changed."""
    anchors = list(anchors)
    stored = dict(
        AuditEntry.objects.filter(seq__in={a.seq for a in anchors}).values_list("seq", "hash")
    )
    for anchor in sorted(anchors, key=lambda a: a.seq):
        if anchor.seq == 0:  # an anchor of the empty trail vouches for nothing
            continue
        found = stored.get(anchor.seq)
        if found is None:
            yield Problem(anchor.seq, f"missing, though anchored at {anchor.at}")
        elif found != anchor.hash:
            yield Problem(
                anchor.seq,
                f"hash differs from the anchor taken at {anchor.at}: the trail was rewritten "
                "up to here",
            )
