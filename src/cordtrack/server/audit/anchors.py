"""Anchors: the audit trail's head copied outside the database.

:func:`.chain.verify` finds a row altered, removed, or rewritten without the audit key on its own,
but not the newest entries removed with the head moved back (what remains is genuine), nor a
rewrite by someone who also holds the audit key. An anchor is the head (sequence number and hash,
and when it was taken) written somewhere the database's administrators do not control. CordTrack
appends one to ``settings.AUDIT_ANCHORS_FILE`` after every transaction that wrote audit entries
(:mod:`.anchoring`), and ``audit verify`` checks that file by default: every anchored entry must
still exist with its anchored hash, so a trail shortened, emptied or rewritten back to an anchor
is found. ``audit anchor --to FILE`` keeps further anchors elsewhere (ADR 0002, ADR 0029).

An anchors file holds one JSON object a line: ``{"seq": 42, "hash": "…", "at": "…"}``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from django.utils import timezone

from .anchoring import Anchor, anchors_file, write_line
from .chain import Problem, verify
from .models import GENESIS_HASH, AuditEntry, AuditHead

__all__ = ["Anchor", "BrokenTrailError", "anchors_file", "append", "check", "read", "take"]


class BrokenTrailError(Exception):
    """The trail is not intact: an anchor of it would vouch for a break."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"audit trail is NOT intact: {len(problems)} problem(s)")
        self.problems = problems


def take() -> Anchor:
    """The current head, once the whole chain is verified intact and matches the kept anchors
    (else :class:`BrokenTrailError`; ValueError for a kept file that is not an anchors file)."""
    problems = list(verify())
    kept = anchors_file()
    if kept is not None and kept.exists():
        problems += check(read(kept))  # a shortened trail is not anchored afresh
    if problems:
        raise BrokenTrailError(problems)
    head = AuditHead.objects.filter(pk=1).first()
    seq, hash_ = (head.seq, head.hash) if head is not None else (0, GENESIS_HASH)
    return Anchor(seq, hash_, timezone.now().isoformat(timespec="seconds"))


def append(anchor: Anchor, path: Path) -> None:
    """Add an anchor to the file at ``path`` (created if absent), on disk before returning."""
    write_line(anchor, path, sync=True)


def read(path: Path) -> list[Anchor]:
    """The anchors in a file; ValueError naming the line of any that is not one. An unfinished
    last line (no newline: a write cut short by a crash) that is not an anchor is skipped."""
    anchors = []
    with path.open(encoding="utf-8") as stream:
        lines = stream.readlines()
    for number, text in enumerate(lines, 1):
        if not text.strip():
            continue
        try:
            data = json.loads(text)
            anchor = Anchor(data["seq"], data["hash"], data["at"])
        except (ValueError, KeyError, TypeError):
            if number == len(lines) and not text.endswith("\n"):
                continue
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
    """Every anchor the trail no longer matches: its entry gone, or its hash changed. Anchors
    past the end of the trail (its newest entries removed, or all of them) are one problem."""
    by_seq: dict[int, list[Anchor]] = {}
    for anchor in anchors:
        if anchor.seq > 0:  # an anchor of the empty trail vouches for nothing
            by_seq.setdefault(anchor.seq, []).append(anchor)
    last = 0
    rows = AuditEntry.objects.order_by("seq").values_list("seq", "hash")
    for seq, hash_ in rows.iterator(chunk_size=5000):
        last = seq
        for anchor in by_seq.pop(seq, ()):
            if anchor.hash != hash_:
                yield Problem(
                    seq,
                    f"hash differs from the anchor taken at {anchor.at}: the trail was "
                    "rewritten up to here",
                )
    for seq in sorted(s for s in by_seq if s < last):  # inside the trail: a gap
        yield Problem(seq, f"missing, though anchored at {by_seq[seq][0].at}")
    if by_seq and max(by_seq) > last:
        newest = by_seq[max(by_seq)][0]
        ends = f"ends at #{last}" if last else "is empty"
        yield Problem(
            newest.seq,
            f"missing, though anchored at {newest.at}: the trail {ends}, so its newest "
            "entries were removed",
        )


def check_kept() -> tuple[Path | None, int, list[Problem]]:
    """The anchors file CordTrack keeps, how many anchors it holds, and every problem: the
    trail no longer matching an anchor, or entries but no anchors file (ValueError for a
    file that is not an anchors file; OSError if it cannot be read)."""
    path = anchors_file()
    if path is None:
        return None, 0, []
    if not path.exists():
        count = AuditEntry.objects.count()
        if not count:
            return path, 0, []
        return (
            path,
            0,
            [
                Problem(
                    count,
                    f"no anchors file at {path}, though the trail has {count} entries: removed, or "
                    "never written (after an upgrade, run `cordtrack audit anchor` once)",
                )
            ],
        )
    kept = read(path)
    return path, len(kept), list(check(kept))
