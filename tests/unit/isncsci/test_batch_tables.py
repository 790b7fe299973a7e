"""The automata's tables kept on disk between runs (cordtrack.isncsci.batch.tables)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cordtrack.isncsci.batch.tables import cached


class Builds:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> dict[str, list[int]]:
        self.count += 1
        return {"table": [1, 2, 3]}


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CORDTRACK_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("CORDTRACK_CACHE", raising=False)
    return tmp_path / "cache"


def test_tables_are_built_once_then_read_back(folder: Path) -> None:
    build = Builds()

    assert cached("t", build) == cached("t", build) == {"table": [1, 2, 3]}
    assert build.count == 1
    assert oct(folder.stat().st_mode & 0o777) == "0o700"


def test_an_unreadable_cache_file_is_built_again(folder: Path) -> None:
    build = Builds()
    cached("t", build)
    (file,) = folder.iterdir()
    file.write_bytes(b"not a pickle")

    assert cached("t", build) == {"table": [1, 2, 3]}
    assert build.count == 2


def test_a_folder_others_may_write_to_is_not_read(folder: Path) -> None:
    build = Builds()
    cached("t", build)
    folder.chmod(0o777)

    cached("t", build)
    assert build.count == 2


def test_the_cache_can_be_switched_off(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CORDTRACK_CACHE", "off")
    build = Builds()

    cached("t", build)
    cached("t", build)
    assert build.count == 2
    assert not folder.exists()
