"""The database part of a backup: a copy of the whole database in one file, and its restore.

SQLite: the online backup API (``sqlite3.Connection.backup``) copies a consistent snapshot while
the registry keeps running; the restore checks the copy's integrity and renames it into place.
PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore --single-transaction --exit-on-error
--no-owner --no-privileges``, so the restored database belongs to the role that restores it and
a failure leaves it empty. The client programs must be at least the server's major version
(``pg_dump`` refuses a newer server); their errors are passed on in one line.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import connection

DUMP_NAMES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}


class DumpError(Exception):
    """The database could not be copied or restored; the message says why."""


def engine() -> str:
    """``sqlite`` or ``postgresql``: the database the settings name."""
    return "sqlite" if connection.vendor == "sqlite" else "postgresql"


def tables() -> list[str]:
    """The tables in the database (none: it is empty); DumpError if it cannot be reached."""
    from django.db import DatabaseError

    try:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            else:
                cursor.execute(
                    "SELECT table_schema || '.' || table_name FROM information_schema.tables "
                    "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
                )
            return [row[0] for row in cursor.fetchall()]
    except DatabaseError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DumpError(f"cannot reach the database DATABASE_URL names: {first}") from None


def _pg_environment() -> dict[str, str]:
    """libpq's variables for the settings' database (so no password is on a command line)."""
    params = connection.get_connection_params()
    env = dict(os.environ)
    for key, variable in (
        ("host", "PGHOST"), ("port", "PGPORT"), ("user", "PGUSER"),
        ("password", "PGPASSWORD"), ("dbname", "PGDATABASE"), ("sslmode", "PGSSLMODE"),
    ):  # fmt: skip
        if params.get(key):
            env[variable] = str(params[key])
    return env


def _client(program: str) -> str:
    found = shutil.which(program)
    if found is None:
        raise DumpError(
            f"{program} not found: install the PostgreSQL client programs of the server's major "
            "version (Debian: postgresql-client)"
        )
    return found


def _run(argv: list[str]) -> None:
    done = subprocess.run(argv, env=_pg_environment(), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        raise DumpError(f"{Path(argv[0]).name} failed: {lines[0] if lines else done.returncode}")


def dump(path: Path) -> None:
    """Copy the whole database into the file at ``path``."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        source = connection.connection
        target = sqlite3.connect(path)
        try:
            with target:
                source.backup(target)
        finally:
            target.close()
        return
    _run([_client("pg_dump"), "--format=custom", "--file", str(path)])


def load(path: Path) -> None:
    """Restore the copy at ``path`` into the (empty) database the settings name."""
    if connection.vendor == "sqlite":
        target = Path(connection.settings_dict["NAME"])
        check = sqlite3.connect(path)
        try:
            result = check.execute("PRAGMA integrity_check").fetchone()
        finally:
            check.close()
        if result != ("ok",):
            raise DumpError(f"the backed-up SQLite database is damaged: {result}")
        connection.close()
        target.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("-wal", "-shm", "-journal"):  # of the empty file being replaced
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(path, f"{target}.restoring")
        os.replace(f"{target}.restoring", target)
        return
    connection.close()
    _run([
        _client("pg_restore"), "--single-transaction", "--exit-on-error", "--no-owner",
        "--no-privileges", "--dbname", _pg_environment()["PGDATABASE"], str(path),
    ])  # fmt: skip
