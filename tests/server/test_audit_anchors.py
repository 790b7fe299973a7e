"""Anchors of the audit trail's head, kept outside the database, find a trail rewritten with every
hash recomputed and resealed by someone who also holds the audit key, which verifying the chain
alone cannot."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cordtrack.cli import main as cordtrack_main
from cordtrack.server.accounts.models import Site, User
from cordtrack.server.audit import anchors, keys
from cordtrack.server.audit.chain import entry_hash, verify
from cordtrack.server.audit.models import AuditEntry
from cordtrack.server.services import patients as patient_services

from .test_audit import tamper


def register(bob: User, north: Site, count: int) -> None:
    for year in range(1970, 1970 + count):
        patient_services.register_patient(bob, north, year_of_birth=year, sex="F")


def rewrite_from(seq: int, reason: str, *, key: bytes | None = None) -> None:
    """What whoever controls the database can do: alter entry ``seq`` and recompute its hash,
    every later entry's link and hash, and the head; with the audit ``key`` as well, reseal
    every rewritten entry."""
    entries = list(AuditEntry.objects.filter(seq__gte=seq).order_by("seq"))
    prev = entries[0].prev_hash
    for entry in entries:
        if entry.seq == seq:
            entry.reason = reason
        entry.prev_hash = prev
        entry.hash = prev = entry_hash(entry)
        mac = keys.seal(entry.hash, key) if key is not None else entry.mac
        tamper(
            "UPDATE audit_auditentry SET reason = %s, prev_hash = %s, hash = %s, mac = %s "
            "WHERE seq = %s",
            [entry.reason, entry.prev_hash, entry.hash, mac, entry.seq],
        )
    tamper("UPDATE audit_audithead SET hash = %s WHERE id = 1", [prev])


def test_a_rewrite_without_the_audit_key_breaks_the_seals(bob: User, north: Site) -> None:
    register(bob, north, 2)

    rewrite_from(3, "covered up")

    assert [str(p) for p in verify()] == [
        f"audit entry #{seq}: seal does not match its hash (hash recomputed without the audit key)"
        for seq in (3, 4)
    ]


def test_a_trail_rewritten_with_the_key_passes_the_chain_check_but_not_its_anchors(
    bob: User, north: Site, tmp_path: Path
) -> None:
    register(bob, north, 2)  # entries 1-4
    kept = tmp_path / "anchors.jsonl"
    anchors.append(anchors.take(), kept)
    register(bob, north, 1)  # entries 5-6
    anchors.append(anchors.take(), kept)

    rewrite_from(3, "covered up", key=keys.current()[1])

    assert list(verify()) == []  # the chain alone is consistent and sealed again
    problems = [str(p) for p in anchors.check(anchors.read(kept))]
    assert len(problems) == 2
    assert problems[0].startswith("audit entry #4: hash differs from the anchor taken at ")
    assert problems[1].startswith("audit entry #6: hash differs from the anchor taken at ")
    with pytest.raises(CommandError, match="NOT intact: 2 problem"):
        call_command("audit", "verify", anchors=kept)


def test_a_rewrite_after_the_last_anchor_is_not_found_by_it(
    bob: User, north: Site, tmp_path: Path
) -> None:
    register(bob, north, 2)
    kept = tmp_path / "anchors.jsonl"
    anchors.append(anchors.take(), kept)
    register(bob, north, 1)

    rewrite_from(5, "after the anchor", key=keys.current()[1])

    assert list(anchors.check(anchors.read(kept))) == []


def test_removing_an_anchored_entry_is_found(bob: User, north: Site, tmp_path: Path) -> None:
    register(bob, north, 2)
    kept = tmp_path / "anchors.jsonl"
    anchors.append(anchors.take(), kept)
    tamper("DELETE FROM audit_auditentry WHERE seq >= %s", [3])
    tamper("UPDATE audit_audithead SET seq = 2, hash = %s WHERE id = 1", [
        AuditEntry.objects.get(seq=2).hash
    ])  # fmt: skip

    assert list(verify()) == []
    assert [str(p) for p in anchors.check(anchors.read(kept))] == [
        f"audit entry #4: missing, though anchored at {anchors.read(kept)[0].at}: the trail "
        "ends at #2, so its newest entries were removed"
    ]


def test_a_broken_trail_is_not_anchored(bob: User, north: Site, tmp_path: Path) -> None:
    register(bob, north, 1)
    tamper("UPDATE audit_auditentry SET reason = %s WHERE seq = %s", ["altered", 1])
    kept = tmp_path / "anchors.jsonl"

    assert cordtrack_main(["audit", "anchor", "--to", str(kept)]) == 1
    assert not kept.exists()


def test_the_commands_anchor_and_verify(
    bob: User, north: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kept = tmp_path / "anchors.jsonl"
    assert cordtrack_main(["audit", "anchor", "--to", str(kept)]) == 0  # the empty trail
    register(bob, north, 1)
    assert cordtrack_main(["audit", "anchor", "--to", str(kept)]) == 0
    printed = capsys.readouterr().out.splitlines()
    lines = kept.read_text().splitlines()
    assert printed == lines
    assert [json.loads(line)["seq"] for line in lines] == [0, 2]
    assert json.loads(lines[1])["hash"] == AuditEntry.objects.get(seq=2).hash

    assert cordtrack_main(["audit", "verify", "--anchors", str(kept)]) == 0
    assert f"2 anchor(s) in {kept} matched" in capsys.readouterr().out
    rewrite_from(1, "covered up", key=keys.current()[1])
    assert cordtrack_main(["audit", "verify"]) == 0
    assert cordtrack_main(["audit", "verify", "--anchors", str(kept)]) == 1
    assert "audit entry #2: hash differs" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json\n", "line 1: not an anchor"),
        ('\n{"seq": 1, "hash": "ab"}\n', "line 2: not an anchor"),
        ('{"seq": -1, "hash": "ab", "at": "x"}\n', "line 1: seq must be a count"),
        ('{"seq": true, "hash": "ab", "at": "x"}\n', "line 1: seq must be a count"),
    ],
)
def test_a_bad_anchors_file_is_a_usage_error_naming_the_line(
    db: None, tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    kept = tmp_path / "anchors.jsonl"
    kept.write_text(text)
    assert cordtrack_main(["audit", "verify", "--anchors", str(kept)]) == 2
    assert message in capsys.readouterr().err
    missing = tmp_path / "none.jsonl"
    assert cordtrack_main(["audit", "verify", "--anchors", str(missing)]) == 2
