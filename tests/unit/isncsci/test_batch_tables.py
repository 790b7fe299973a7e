"""The automata's tables kept on disk between runs (cordtrack.isncsci.batch.tables)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
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


def test_arrays_are_mapped_read_only_from_the_cache(folder: Path) -> None:
    table = np.arange(1000, dtype=np.int16).reshape(10, 100)
    built = cached("arrays", lambda: {"table": table, "names": ("a", "b")})
    read = cached("arrays", Builds())

    assert read["names"] == ("a", "b")
    np.testing.assert_array_equal(read["table"], built["table"])
    assert not read["table"].flags.writeable
    assert read["table"].ctypes.data % 64 == 0  # aligned in the file


def test_a_truncated_cache_file_is_built_again(folder: Path) -> None:
    cached("arrays", lambda: np.arange(10_000))
    (file,) = folder.iterdir()
    file.write_bytes(file.read_bytes()[:-100])

    np.testing.assert_array_equal(cached("arrays", lambda: np.arange(10_000)), np.arange(10_000))


def test_writing_new_tables_keeps_only_the_newest_other_engines_of_the_same_name(
    folder: Path,
) -> None:
    folder.mkdir(mode=0o700)
    for age, name in enumerate(["t-newer.tables", "t-older.tables", "t-oldest.pickle"]):
        file = folder / name
        file.write_bytes(b"an older engine's")
        os.utime(file, (1_000_000 - age, 1_000_000 - age))
    folder.joinpath("other-0123.tables").write_bytes(b"another table's")

    cached("t", Builds())
    names = {p.name for p in folder.iterdir()}
    assert {"t-newer.tables", "other-0123.tables"} <= names
    assert not names & {"t-older.tables", "t-oldest.pickle"}
    assert len(names) == 3  # and this engine's


def test_the_engine_classifies_alike_with_tables_mapped_from_the_cache(tmp_path: Path) -> None:
    # The first run builds and writes the tables, the second maps them (read-only); both must
    # classify as a run without the cache.
    script = (
        "import hashlib\n"
        "from cordtrack.isncsci.batch import classify_batch, encode\n"
        "from cordtrack.isncsci.generator import generate_exams\n"
        "exams = list(generate_exams(3000, seed=5, nt_rate=0.05, star_rate=0.02))\n"
        "rows = classify_batch(encode(exams)[0]).to_flat_rows()\n"
        "print(hashlib.sha256(repr(rows).encode()).hexdigest())\n"
    )
    env = {**os.environ, "CORDTRACK_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("CORDTRACK_CACHE", None)
    runs = [
        subprocess.run(
            [sys.executable, "-c", script], env=e, capture_output=True, text=True, check=True
        ).stdout
        for e in (env, env, {**env, "CORDTRACK_CACHE": "off"})
    ]
    assert len(list((tmp_path / "cache").iterdir())) == 5
    assert runs[0] == runs[1] == runs[2]


def test_the_test_session_builds_its_tables_in_a_temporary_cache_not_the_users() -> None:
    import tempfile

    from cordtrack.isncsci.batch import tables

    folder = tables._folder()
    assert folder is not None
    assert Path(tempfile.gettempdir()) in folder.parents
    assert folder != Path.home() / ".cache" / "cordtrack"
