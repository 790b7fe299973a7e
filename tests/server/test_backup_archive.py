"""A backup's archive is unpacked on every Python the project supports (``requires-python
>=3.11``): Debian 12's python3.11 is 3.11.2, whose ``TarFile.extractall`` has no ``filter``
argument (added in 3.11.4), and `make run` on a fresh Debian machine builds its venv with it.
There the same refusals as tarfile's "data" filter are made by hand."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from pathlib import Path
from typing import Any

import pytest

from cordtrack.server import backups


@pytest.fixture
def python_3_11_2(monkeypatch: pytest.MonkeyPatch) -> None:
    """tarfile as Python 3.11.2 has it: no extraction filters."""
    monkeypatch.delattr(tarfile, "data_filter", raising=False)
    extractall = tarfile.TarFile.extractall

    def without_filter(self: tarfile.TarFile, *args: Any, **kwargs: Any) -> None:
        if "filter" in kwargs:
            raise TypeError("TarFile.extractall() got an unexpected keyword argument 'filter'")
        extractall(self, *args, **kwargs)

    monkeypatch.setattr(tarfile.TarFile, "extractall", without_filter)


def _archive(path: Path, files: dict[str, bytes], extra: tuple[tarfile.TarInfo, ...] = ()) -> Path:
    manifest = {
        "format": backups.FORMAT,
        "version": backups.VERSION,
        "files": {
            name: {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
            for name, data in files.items()
        }
        | {info.name: {"size": 0, "sha256": ""} for info in extra},
    }
    with tarfile.open(path, "w:gz") as archive:
        for name, data in {backups.MANIFEST: json.dumps(manifest).encode(), **files}.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        for info in extra:
            archive.addfile(info)
    return path


@pytest.mark.usefixtures("python_3_11_2")
def test_a_backup_unpacks_on_a_python_without_tarfile_filters(tmp_path: Path) -> None:
    files = {"database.sqlite3": b"SQLite format 3\x00...", "documents/ab/abcdef": b"%PDF-1.4"}
    source = _archive(tmp_path / "registry.backup", files)
    into = tmp_path / "unpacked"
    into.mkdir()

    manifest = backups._unpack(source, into)

    assert set(manifest["files"]) == set(files)
    for name, data in files.items():
        assert (into / name).read_bytes() == data


@pytest.mark.usefixtures("python_3_11_2")
@pytest.mark.parametrize("kind", ["outside", "symlink"])
def test_without_tarfile_filters_a_member_outside_the_backup_is_still_refused(
    tmp_path: Path, kind: str
) -> None:
    member = tarfile.TarInfo("../escaped" if kind == "outside" else "documents/link")
    if kind == "symlink":
        member.type = tarfile.SYMTYPE
        member.linkname = "/etc/passwd"
    source = _archive(tmp_path / "evil.backup", {"database.sqlite3": b"x"}, (member,))
    into = tmp_path / "unpacked"
    into.mkdir()

    with pytest.raises(backups.BackupError, match="is not a plain file of a backup"):
        backups._unpack(source, into)
    assert not (tmp_path / "escaped").exists()
    assert not (into / "documents" / "link").exists()
