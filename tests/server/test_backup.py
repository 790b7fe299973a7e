"""`cordtrack backup` and `cordtrack restore`: a round trip on the database engine of the run
(SQLite under `make test`, PostgreSQL under `make test-server` with DATABASE_URL), through the
commands as a user runs them, on registries of their own (scratch databases on the same server).
"""

from __future__ import annotations

import filecmp
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

BIN = Path(sys.executable).parent
KEYS = {
    "CORDTRACK_SECRET_KEY": "backup-test-secret-0123456789abcdefghijklmnop",
    "CORDTRACK_AUDIT_KEY": "backup-test-audit-0123456789abcdefghijklmnopq",
}
ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def _admin_connection() -> object:
    import psycopg

    db = settings.DATABASES["default"]
    return psycopg.connect(
        host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], password=db["PASSWORD"] or None,
        dbname="postgres", autocommit=True,
    )  # fmt: skip


@pytest.fixture
def database_urls(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """URLs of two new, empty databases: the registry backed up, and the one restored into."""
    if not ON_POSTGRESQL:
        yield f"sqlite:///{tmp_path}/a/db.sqlite3", f"sqlite:///{tmp_path}/b/db.sqlite3"
        return
    db = settings.DATABASES["default"]
    names = [f"{db['NAME']}_bk_{uuid.uuid4().hex[:8]}_{side}" for side in ("a", "b")]
    admin = _admin_connection()
    try:
        for name in names:
            admin.execute(f'CREATE DATABASE "{name}"')  # type: ignore[attr-defined]
        credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
        base = f"postgres://{credentials}@{db['HOST']}:{db['PORT'] or 5432}"
        yield f"{base}/{names[0]}", f"{base}/{names[1]}"
    finally:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[attr-defined]
        admin.close()  # type: ignore[attr-defined]


def _environment(database_url: str, var_dir: Path) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(var_dir.parent),
        "CORDTRACK_ENV_FILE": "",
        "DATABASE_URL": database_url,
        "CORDTRACK_VAR_DIR": str(var_dir),
        "CORDTRACK_DEMO": "1",
        "CORDTRACK_DEMO_COHORT": "0",
        **KEYS,
    }


def _run(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "cordtrack"), *args], env=env, cwd=cwd, capture_output=True, text=True,
        check=False, timeout=600,
    )  # fmt: skip


def _ok(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, f"{done.args}: {done.stdout}\n{done.stderr}"
    return done.stdout


def _records(env: dict[str, str], cwd: Path) -> str:
    """Every registry record, as JSON (what must be the same after the round trip)."""
    excluded = ["contenttypes", "auth.permission", "sessions"]
    options = [word for name in excluded for word in ("--exclude", name)]
    return _ok(_run("manage", "dumpdata", "--indent", "0", *options, env=env, cwd=cwd))


def test_a_backup_restores_into_an_empty_database_and_its_audit_trail_verifies(
    tmp_path: Path, database_urls: tuple[str, str]
) -> None:
    source_url, target_url = database_urls
    source = _environment(source_url, tmp_path / "a")
    target = _environment(target_url, tmp_path / "b")
    anchors = tmp_path / "a" / "audit-anchors.jsonl"
    _ok(_run("manage", "migrate", "--noinput", "-v0", env=source, cwd=tmp_path))
    _ok(_run("manage", "load_demo", env=source, cwd=tmp_path))
    _ok(_run("audit", "anchor", "--to", str(anchors), env=source, cwd=tmp_path))
    documents = sorted(p for p in (tmp_path / "a" / "documents").rglob("*") if p.is_file())
    assert documents, "the demo registry has uploaded documents"

    backup = tmp_path / "registry.backup"
    out = _ok(_run("backup", "-o", str(backup), env=source, cwd=tmp_path))
    engine = "postgresql" if ON_POSTGRESQL else "sqlite"
    assert f"{engine} database" in out
    assert f"{len(documents)} documents, the audit anchors" in out
    assert backup.stat().st_mode & 0o077 == 0

    # A backup never replaces a file.
    again = _run("backup", "-o", str(backup), env=source, cwd=tmp_path)
    assert again.returncode == 1
    assert "exists" in again.stderr

    restored = _run("restore", str(backup), env=target, cwd=tmp_path)
    assert restored.returncode == 0, restored.stderr
    assert "audit trail intact" in restored.stdout
    assert re.search(r"\d+ anchor\(s\).* matched", restored.stdout), restored.stdout
    verified = _ok(
        _run("audit", "verify", "--anchors", str(tmp_path / "b" / anchors.name), env=target,
             cwd=tmp_path)
    )  # fmt: skip
    assert "audit trail intact" in verified
    records = _records(target, tmp_path)
    assert records == _records(source, tmp_path)
    for path in documents:
        twin = tmp_path / "b" / path.relative_to(tmp_path / "a")
        assert filecmp.cmp(path, twin, shallow=False)
    assert anchors.read_bytes() == (tmp_path / "b" / anchors.name).read_bytes()

    # The restored database is no longer empty: a second restore is refused and changes nothing.
    refused = _run("restore", str(backup), env=target, cwd=tmp_path)
    assert refused.returncode == 1
    assert "is not empty" in refused.stderr
    assert "restore only into a new, empty database" in refused.stderr
    assert refused.stderr.count("\n") == 1
    assert _records(target, tmp_path) == records


@pytest.mark.skipif(ON_POSTGRESQL, reason="the archive checks do not depend on the engine")
def test_a_damaged_backup_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    source = _environment(f"sqlite:///{tmp_path}/a/db.sqlite3", tmp_path / "a")
    target = _environment(f"sqlite:///{tmp_path}/b/db.sqlite3", tmp_path / "b")
    _ok(_run("manage", "migrate", "--noinput", "-v0", env=source, cwd=tmp_path))
    backup = tmp_path / "small.backup"
    _ok(_run("backup", "-o", str(backup), env=source, cwd=tmp_path))

    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("hello")
    done = _run("restore", str(not_a_backup), env=target, cwd=tmp_path)
    assert done.returncode == 1
    assert "cannot be read" in done.stderr

    damaged = tmp_path / "damaged.backup"
    data = bytearray(backup.read_bytes())
    data[len(data) // 2] ^= 0xFF
    damaged.write_bytes(bytes(data))
    done = _run("restore", str(damaged), env=target, cwd=tmp_path)
    assert done.returncode == 1
    assert "damaged" in done.stderr or "cannot be read" in done.stderr
    assert not (tmp_path / "b" / "db.sqlite3").exists() or (
        (tmp_path / "b" / "db.sqlite3").stat().st_size == 0
    )

    missing = _run("restore", str(tmp_path / "absent.backup"), env=target, cwd=tmp_path)
    assert missing.returncode == 1
    assert "no such file" in missing.stderr
