"""The automata's tables, kept on disk between runs so that a command does not rebuild them.

Building the automata runs the step functions over every reachable set of search states (about a
quarter of a second, most of a short command's time); the tables depend only on the engine's code.
So :func:`cached` keeps what a build returns in the user's cache folder under a key made of the
source of :mod:`cordtrack.isncsci` (every module, this package included), the Python and the NumPy
versions: any change to the rules gives a new key, and a fresh build. A cache that cannot be read
or written is ignored (the tables are built as without it). ``CORDTRACK_CACHE=off`` disables it;
``CORDTRACK_CACHE_DIR`` moves it (default ``$XDG_CACHE_HOME/cordtrack`` or ``~/.cache/cordtrack``).

The files are pickles (protocol 5, the arrays' data out of band and mapped into memory, not
read), read only from a folder that belongs to the current user and that no one else may write
to, as any file the user's own programs load. Writing a new file removes the older engines' ones
of the same name but the newest of them.
"""

from __future__ import annotations

import hashlib
import mmap
import os
import pickle
import stat
import struct
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final, TypeVar

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
    path = folder / f"{name}-{_KEY}{_SUFFIX}"
    if _private(folder):
        try:
            value: _T = _load(path)
            return value
        except (OSError, ValueError, struct.error, pickle.UnpicklingError, EOFError,
                AttributeError, ImportError):  # fmt: skip
            pass  # absent, or unreadable: built again below
    value = build()
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if _private(folder):
            _save(value, path, name)
    except OSError:
        pass  # a read-only home, a full disk: no cache, same tables
    return value


# A cache file: a header (magic, length of the pickle, number of buffers, then each buffer's
# offset and length), the pickle (protocol 5), and the arrays' data out of band, each aligned
# to 64 bytes. It is mapped into memory, not read: the arrays are views of the mapping
# (read-only), so a run reads from disk only the pages of the tables its exams reach.
_MAGIC: Final = b"CTTABLE1"
_SUFFIX: Final = ".tables"
_HEAD: Final = struct.Struct("<8sQQ")
_ALIGN: Final = 64
_MAX_BUFFERS: Final = 1 << 12  # a table build has a few dozen arrays


def _load(path: Path) -> Any:
    with path.open("rb") as f:
        mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    view = memoryview(mapped)
    magic, size, count = _HEAD.unpack_from(view)
    if magic != _MAGIC or count > _MAX_BUFFERS:
        raise ValueError(f"{path}: not a table cache")
    spans = struct.unpack_from(f"<{2 * count}Q", view, _HEAD.size)
    start = _HEAD.size + 16 * count
    buffers = [
        view[offset : offset + length]
        for offset, length in zip(spans[::2], spans[1::2], strict=True)
    ]
    if any(len(b) != length for b, length in zip(buffers, spans[1::2], strict=True)):
        raise ValueError(f"{path}: truncated")
    return pickle.loads(view[start : start + size], buffers=buffers)


def _save(value: object, path: Path, name: str) -> None:
    folder = path.parent
    buffers: list[pickle.PickleBuffer] = []
    head = pickle.dumps(value, protocol=5, buffer_callback=buffers.append)
    raws = [b.raw() for b in buffers]
    offset = _aligned(_HEAD.size + 16 * len(raws) + len(head))
    spans = []
    for raw in raws:
        spans += [offset, raw.nbytes]
        offset = _aligned(offset + raw.nbytes)
    # Written beside and renamed: a concurrent run never reads half a file.
    with tempfile.NamedTemporaryFile(dir=folder, delete=False, suffix=".tmp") as out:
        try:
            out.write(_HEAD.pack(_MAGIC, len(head), len(raws)))
            out.write(struct.pack(f"<{len(spans)}Q", *spans))
            out.write(head)
            for at, raw in zip(spans[::2], raws, strict=True):
                out.write(bytes(at - out.tell()))
                out.write(raw)
        except BaseException:
            os.unlink(out.name)
            raise
    os.replace(out.name, path)
    # Other engines' tables of this name: the newest is kept (two installed versions used in turn
    # do not rebuild each time), older ones are removed (the cache does not grow with upgrades).
    others = [p for p in folder.glob(f"{name}-*") if p != path and p.suffix in (_SUFFIX, ".pickle")]
    for stale in sorted(others, key=_modified, reverse=True)[_OTHERS_KEPT:]:
        stale.unlink(missing_ok=True)


_OTHERS_KEPT: Final = 1


def _modified(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _aligned(offset: int) -> int:
    return -(-offset // _ALIGN) * _ALIGN


_KEY: Final = _key()
