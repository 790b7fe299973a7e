"""Backups of a whole registry, and their restore into an empty database.

A backup is one gzip-compressed tar file:

- ``manifest.json``: format and version, when, the database engine, the audit trail's head, and
  the SHA-256 and size of every other member (checked before a restore touches anything);
- ``database.sqlite3`` (SQLite's online backup API: a consistent copy while the registry runs) or
  ``database.pgdump`` (``pg_dump --format=custom``);
- ``documents/...``: every uploaded document (content-addressed, so a copy is exact);
- ``audit-anchors.jsonl``: the audit anchors file, when there is one.

The anchors file is read before the database is copied, and documents after: every anchor then
names an entry the copied database holds, and every document the database names is in the copy.

A restore goes only into an empty database (no tables) of the same engine, and into an empty
documents folder with no anchors file; anything else is refused before anything is written. The
database is restored as a whole or not at all (SQLite: a file renamed into place; PostgreSQL:
``pg_restore --single-transaction``). The audit trail is then verified with this registry's
audit key, which is not in the backup (keys belong in the secret store, not beside the data).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection

from . import dbdumps

FORMAT = "cordtrack-backup"
VERSION = 1
MANIFEST = "manifest.json"
DOCUMENTS = "documents"
ANCHORS = "audit-anchors.jsonl"


class BackupError(Exception):
    """A backup cannot be made or restored; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class Summary:
    """What a backup holds (or what a restore put back)."""

    engine: str
    audit_entries: int
    documents: int
    anchors: bool
    size: int = 0


def anchors_file() -> Path:
    """The registry's audit anchors file (settings.AUDIT_ANCHORS_FILE, else var/)."""
    configured = getattr(settings, "AUDIT_ANCHORS_FILE", None)
    return Path(configured) if configured else Path(settings.VAR_DIR) / ANCHORS


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _documents(root: Path) -> Iterator[Path]:
    """The stored documents (not an upload still being written: ``.upload-*``)."""
    if root.is_dir():
        for path in sorted(root.rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                yield path


def _audit_head() -> dict[str, Any]:
    from .audit.models import GENESIS_HASH, AuditEntry, AuditHead

    head = AuditHead.objects.filter(pk=1).first()
    return {
        "seq": head.seq if head is not None else 0,
        "hash": head.hash if head is not None else GENESIS_HASH,
        "entries": AuditEntry.objects.count(),
    }


def create(output: Path) -> Summary:
    """Write a backup of the registry to ``output`` (which must not exist yet)."""
    if output.exists():
        raise BackupError(f"{output} exists: choose another name (a backup never replaces a file)")
    if not output.parent.is_dir():
        raise BackupError(f"{output.parent}: no such folder")
    engine = dbdumps.engine()
    with tempfile.TemporaryDirectory(prefix=".cordtrack-backup-", dir=output.parent) as scratch:
        work = Path(scratch)
        members: list[tuple[Path, str]] = []
        anchors = anchors_file()
        if anchors.is_file():
            # Whole lines only: a line being appended right now is left for the next backup.
            data = anchors.read_bytes()
            (work / ANCHORS).write_bytes(data[: data.rfind(b"\n") + 1])
            members.append((work / ANCHORS, ANCHORS))
        dump_name = dbdumps.DUMP_NAMES[engine]
        dbdumps.dump(work / dump_name)
        members.append((work / dump_name, dump_name))
        head = _audit_head()
        documents = Path(settings.DOCUMENTS_DIR)
        count = 0
        for path in _documents(documents):
            members.append((path, f"{DOCUMENTS}/{path.relative_to(documents).as_posix()}"))
            count += 1
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "engine": engine,
            "audit_head": head,
            "documents": count,
            "files": {
                name: {"sha256": _sha256(p), "size": p.stat().st_size} for p, name in members
            },
        }
        (work / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        partial = work / "backup.partial"
        with tarfile.open(partial, "w:gz", compresslevel=3) as archive:
            archive.add(work / MANIFEST, MANIFEST)
            for path, name in members:
                archive.add(path, name, recursive=False)
        partial.chmod(0o600)  # every patient's data: readable by its owner only
        with partial.open("rb") as stream:
            os.fsync(stream.fileno())
        try:
            os.link(partial, output)  # fails rather than replace a file made meanwhile
        except FileExistsError:
            raise BackupError(f"{output} exists: choose another name") from None
        except OSError:  # a file system without hard links
            os.replace(partial, output)
    return Summary(engine, head["entries"], count, anchors.is_file(), output.stat().st_size)


def _read_manifest(archive: tarfile.TarFile, source: Path) -> dict[str, Any]:
    try:
        member = archive.extractfile(MANIFEST)
        manifest = json.loads(member.read()) if member is not None else None
    except (KeyError, ValueError):
        manifest = None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{source} is not a CordTrack backup (no manifest)")
    if manifest.get("version") != VERSION:
        raise BackupError(
            f"{source}: backup format version {manifest.get('version')} (this release reads "
            f"{VERSION})"
        )
    return manifest


def _extract(archive: tarfile.TarFile, into: Path) -> None:
    """Every member into ``into`` through tarfile's "data" filter where this Python has it
    (3.11.4 and later); on an older 3.11, such as Debian 12's 3.11.2, where ``extractall`` takes
    no ``filter``, the same refusals by hand: regular files and folders only, nothing outside
    ``into``, no special permission bits."""
    if hasattr(tarfile, "data_filter"):
        archive.extractall(into, filter="data")
        return
    root = into.resolve()
    members = archive.getmembers()
    for member in members:
        inside = (root / member.name).resolve().is_relative_to(root)
        if not (member.isfile() or member.isdir()) or Path(member.name).is_absolute() or not inside:
            raise tarfile.TarError(f"{member.name!r} is not a plain file of a backup")
        member.mode &= 0o755
    archive.extractall(into, members=members)


def _unpack(source: Path, into: Path) -> dict[str, Any]:
    """Every member of the backup in ``into``, each checked against the manifest."""
    try:
        with tarfile.open(source, "r:gz") as archive:
            manifest = _read_manifest(archive, source)
            files: dict[str, dict[str, Any]] = manifest["files"]
            names = set(archive.getnames()) - {MANIFEST}
            if names != set(files):
                raise BackupError(f"{source}: its files differ from its manifest (damaged?)")
            _extract(archive, into)
    except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
        raise BackupError(f"{source}: cannot be read ({exc})") from None
    for name, expected in files.items():
        path = into / name
        if path.stat().st_size != expected["size"] or _sha256(path) != expected["sha256"]:
            raise BackupError(f"{source}: {name} does not match its checksum (damaged backup)")
    return manifest


def _refuse_unless_empty(manifest: dict[str, Any]) -> None:
    engine = dbdumps.engine()
    if manifest["engine"] != engine:
        raise BackupError(
            f"the backup holds a {manifest['engine']} database but DATABASE_URL names {engine}: "
            f"restore it into a {manifest['engine']} database"
        )
    tables = dbdumps.tables()
    if tables:
        raise BackupError(
            f"the database DATABASE_URL names is not empty ({len(tables)} tables, e.g. "
            f"{sorted(tables)[0]}): restore only into a new, empty database"
        )
    documents = Path(settings.DOCUMENTS_DIR)
    if any(_documents(documents)):
        raise BackupError(f"{documents} already holds documents: restore only into an empty folder")
    anchors = anchors_file()
    if anchors.is_file() and anchors.stat().st_size:
        raise BackupError(f"{anchors} exists: restore only where there is no anchors file yet")


def restore(source: Path) -> Summary:
    """Restore the backup at ``source`` into the empty registry the settings name."""
    if not source.is_file():
        raise BackupError(f"{source}: no such file")
    var_dir = Path(settings.VAR_DIR)
    var_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".cordtrack-restore-", dir=var_dir) as scratch:
        work = Path(scratch)
        manifest = _unpack(source, work)
        _refuse_unless_empty(manifest)
        dbdumps.load(work / dbdumps.DUMP_NAMES[manifest["engine"]])
        documents = Path(settings.DOCUMENTS_DIR)
        count = 0
        for path in _documents(work / DOCUMENTS):
            target = documents / path.relative_to(work / DOCUMENTS)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(path, target)
            count += 1
        anchors = work / ANCHORS
        if anchors.is_file():
            anchors_file().parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(anchors, anchors_file())
    connection.close()
    return Summary(
        manifest["engine"],
        int(manifest["audit_head"]["entries"]),
        count,
        anchors.name in manifest["files"],
    )
