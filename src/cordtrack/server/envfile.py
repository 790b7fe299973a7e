"""The local settings file: ``var/cordtrack.env`` of the checkout, or ``CORDTRACK_ENV_FILE``.

``make run`` writes it once (``cordtrack config init --demo``) with generated keys and absolute
paths; the settings load it at import, so the server and every ``cordtrack`` command find the same
database from any working directory with nothing exported. A variable set in the environment wins
over the file: production sets every variable in the environment and names no file
(``CORDTRACK_ENV_FILE=`` empty turns the file off).

The file is ``KEY=VALUE`` lines (``#`` comments), read with python-dotenv without ``$``
interpolation (ADR 0032). This module does not import Django: ``config init`` runs before a
settings module can load.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets
import sys
from collections.abc import Mapping
from pathlib import Path

ENV_FILE_VARIABLE = "CORDTRACK_ENV_FILE"
FILE_NAME = "cordtrack.env"
_KEY = re.compile(r"^[A-Z][A-Z0-9_]*$")
# A value written without quotes must not need them (python-dotenv's unquoted syntax).
_PLAIN_VALUE = re.compile(r"^[A-Za-z0-9_./:@%+,=-]*$")


class EnvFileError(Exception):
    """The settings file cannot be used; the message names it and says why."""


def project_root() -> Path:
    """Where ``var/`` lives by default: the source checkout the package runs from (an editable
    install, as ``make install`` makes), else the directory holding the virtual environment,
    else the working directory."""
    checkout = Path(__file__).resolve().parents[3]
    if (checkout / "pyproject.toml").is_file() and (checkout / "src" / "cordtrack").is_dir():
        return checkout
    if sys.prefix != sys.base_prefix:
        return Path(sys.prefix).resolve().parent
    return Path.cwd()


def default_var_dir() -> Path:
    """The SQLite file, uploaded documents and the settings file go here unless told otherwise."""
    return project_root() / "var"


def env_file_path(environ: Mapping[str, str] | None = None) -> Path | None:
    """The settings file to read: ``CORDTRACK_ENV_FILE`` if set (``None`` when set empty), else
    ``var/cordtrack.env`` of :func:`project_root`."""
    environ = os.environ if environ is None else environ
    named = environ.get(ENV_FILE_VARIABLE)
    if named is not None:
        return Path(named).expanduser().resolve() if named.strip() else None
    return default_var_dir() / FILE_NAME


def read(path: Path) -> dict[str, str]:
    """The variables in the file at ``path``; :class:`EnvFileError` if it cannot be read."""
    from dotenv import dotenv_values

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise EnvFileError(f"{ENV_FILE_VARIABLE}: cannot read {path}: {exc.strerror}") from None
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            key = stripped.removeprefix("export ").split("=", 1)[0].strip()
            if "=" not in stripped or not _KEY.match(key):
                raise EnvFileError(f"{path}, line {number}: not a KEY=VALUE line")
    import io

    values = dotenv_values(stream=io.StringIO(text), interpolate=False)
    return {key: value or "" for key, value in values.items()}


def load(environ: dict[str, str] | None = None) -> Path | None:
    """Copy the settings file's variables into the environment (those already set there win);
    returns the file read, or ``None`` when there is none. A file named by
    ``CORDTRACK_ENV_FILE`` must exist; the default one may be absent (production)."""
    target = os.environ if environ is None else environ
    path = env_file_path(target)
    if path is None:
        return None
    if not path.is_file():
        if target.get(ENV_FILE_VARIABLE):
            raise EnvFileError(f"{ENV_FILE_VARIABLE}={path}: no such file")
        return None
    for key, value in read(path).items():
        target.setdefault(key, value)
    return path


def generated_key() -> str:
    """A new random key: 48 bytes as 64 URL-safe characters."""
    return secrets.token_urlsafe(48)


def initial_values(var_dir: Path, *, demo: bool, environ: Mapping[str, str]) -> dict[str, str]:
    """What ``config init`` writes: new keys, absolute paths, and the demo flags when asked.
    ``DATABASE_URL`` is the environment's when it names one (``DATABASE_URL=… make run``)."""
    var_dir = var_dir.resolve()
    values = {
        "CORDTRACK_SECRET_KEY": generated_key(),
        "CORDTRACK_AUDIT_KEY": generated_key(),
        "CORDTRACK_VAR_DIR": str(var_dir),
        "DATABASE_URL": environ.get("DATABASE_URL") or f"sqlite:///{var_dir / 'cordtrack.sqlite3'}",
    }
    if demo:
        values["CORDTRACK_DEMO"] = "1"
        values["CORDTRACK_DEBUG"] = "1"
    return values


def _line(key: str, value: str) -> str:
    if _PLAIN_VALUE.match(value):
        return f"{key}={value}\n"
    if "'" in value:
        raise EnvFileError(f"{key}: a value with a single quote cannot be written to the file")
    return f"{key}='{value}'\n"


_HEADER = """\
# CordTrack settings, written by `cordtrack config init` ({when}).
# Read by the server and every `cordtrack` command from any directory (CORDTRACK_ENV_FILE names
# another file); a variable set in the environment wins over this file. It holds the keys: keep
# it private (mode 0600) and out of version control. docs/deploy.md lists every variable.
"""


def init(path: Path, values: Mapping[str, str]) -> tuple[list[str], list[str]]:
    """Add to the file at ``path`` each of ``values`` it does not set yet (the file is created,
    mode 0600, if absent; an existing key is never changed). Returns (added, kept) key names."""
    existing = read(path) if path.exists() else {}
    added = [key for key in values if key not in existing]
    kept = [key for key in values if key in existing]
    if not added:
        return added, kept
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if not text:
        when = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        text = _HEADER.format(when=when)
    elif not text.endswith("\n"):
        text += "\n"
    text += "".join(_line(key, values[key]) for key in added)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written beside and renamed over, so a reader never sees half a file; private from the start.
    scratch = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(scratch, path)
    finally:
        scratch.unlink(missing_ok=True)
    return added, kept
