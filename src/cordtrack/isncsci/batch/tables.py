"""The automata's tables, kept on disk between runs so that a command does not rebuild them.

Building the automata runs the step functions over every reachable set of search states (about a
quarter of a second, most of a short command's time); the tables depend only on the engine's code.
So :func:`cached` keeps what a build returns in the user's cache folder under a key made of the
source of :mod:`cordtrack.isncsci` (every module, this package included), the Python and the NumPy
versions: any change to the rules gives a new key, and a fresh build. A cache that cannot be read
or written is ignored (the tables are built as without it). ``CORDTRACK_CACHE=off`` disables it;
``CORDTRACK_CACHE_DIR`` moves it (default ``$XDG_CACHE_HOME/cordtrack`` or ``~/.cache/cordtrack``).

The files are pickles, read only from a folder that belongs to the current user and that no one
else may write to, as any file the user's own programs load.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import stat
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Final, TypeVar

import numpy as np

_T = TypeVar("_T")
_PACKAGE: Final = Path(__file__).resolve().parents[1]  # cordtrack/isncsci


def _key() -> str:
    digest = hashlib.sha256(f"{sys.version}|{np.__version__}".encode())
    for path in sorted(_PACKAGE.rglob("*.py")):
        digest.update(path.relative_to(_PACKAGE).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:32]


def _folder() -> Path | None:
    if os.environ.get("CORDTRACK_CACHE", "").lower() in {"off", "0", "no"}:
        return None
    configured = os.environ.get("CORDTRACK_CACHE_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "cordtrack"


def _private(folder: Path) -> bool:
    """Whether ``folder`` is the current user's and no one else may write to it."""
    try:
        info = folder.stat()
    except OSError:
        return False
    getuid = getattr(os, "getuid", None)
    mine = getuid is None or info.st_uid == getuid()
    return stat.S_ISDIR(info.st_mode) and mine and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def cached(name: str, build: Callable[[], _T]) -> _T:
    """``build()``, or what it returned in an earlier run of the same engine code."""
    folder = _folder()
    if folder is None:
        return build()
    path = folder / f"{name}-{_KEY}.pickle"
    if _private(folder):
        try:
            with path.open("rb") as f:
                value: _T = pickle.load(f)
            return value
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            pass  # absent, or unreadable: built again below
    value = build()
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if _private(folder):
            # Written beside and renamed: a concurrent run never reads half a file.
            with tempfile.NamedTemporaryFile(dir=folder, delete=False, suffix=".tmp") as out:
                try:
                    pickle.dump(value, out, protocol=pickle.HIGHEST_PROTOCOL)
                except BaseException:
                    os.unlink(out.name)
                    raise
            os.replace(out.name, path)
    except OSError:
        pass  # a read-only home, a full disk: no cache, same tables
    return value


_KEY: Final = _key()
