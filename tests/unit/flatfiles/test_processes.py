"""Worker processes do their work on the blocks the sequential readers give, in order, and stop
cleanly."""

from __future__ import annotations

import io
import multiprocessing
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from cordtrack.flatfiles import processes
from cordtrack.flatfiles.block import Prepared, prepare
from cordtrack.flatfiles.csv_file import csv_blocks
from cordtrack.flatfiles.json_lines import jsonl_blocks
from cordtrack.isncsci.generator import generate_exams, write_exams

pytestmark = pytest.mark.skipif(not processes._FORK_SAFE, reason="worker processes: Linux only")


def exam_file(tmp_path: Path, suffix: str, n: int = 23) -> Path:
    path = tmp_path / f"exams.{suffix}"
    write_exams(path, generate_exams(n, seed=11, nt_rate=0.05, star_rate=0.05))
    lines = path.read_bytes().split(b"\n")
    # An invalid value, a blank line, CRLF line ends on one line and no newline at the end.
    lines[5] = lines[5].replace(b'"2"', b'"7"', 1) if suffix == "jsonl" else lines[5] + b",9"
    lines.insert(9, b"")
    lines[12] += b"\r"
    path.write_bytes(b"\n".join(lines).rstrip(b"\n"))
    return path


def same(a: Prepared, b: Prepared) -> None:
    assert (a.numbers, a.problems, a.exams, a.ids) == (b.numbers, b.problems, b.exams, b.ids)
    assert a.errors == b.errors
    for field in ("touch", "prick", "motor", "vac", "dap", "non_key", "rows"):
        np.testing.assert_array_equal(getattr(a.arrays, field), getattr(b.arrays, field))


@pytest.mark.parametrize("kind", ["jsonl", "csv"])
@pytest.mark.parametrize(("readers", "rows"), [(1, 5), (2, 4), (3, 2), (2, 100)])
def test_worker_processes_give_the_sequential_blocks_in_order(
    tmp_path: Path, kind: str, readers: int, rows: int
) -> None:
    path = exam_file(tmp_path, kind)
    assert processes.available(path, kind)
    with path.open("rb") as stream:
        read = csv_blocks(stream, rows) if kind == "csv" else jsonl_blocks(stream, rows)
        expected = [prepare(block) for block in read]
    got = list(processes.processed(path, kind, readers, rows, prepare))
    assert len(got) == len(expected)
    for a, b in zip(got, expected, strict=True):
        same(a, b)
    assert any(block.errors or block.problems for block in got)


def test_own_blocks_number_lines_as_the_file_does(tmp_path: Path) -> None:
    path = tmp_path / "lines.jsonl"
    text = b"a\n\nb\r\nc\nd\ne"  # a blank line, a CRLF, no newline at the end
    path.write_bytes(text)
    blocks = [block for k in range(2) for block in processes.own_blocks(path, 2, k, workers=2)]
    blocks.sort()
    assert blocks == [(1, [b"a\n", b"\n"]), (3, [b"b\r\n", b"c\n"]), (5, [b"d\n", b"e"])]
    assert list(processes.own_blocks(path, 4, 0, 1, skip=True)) == [
        (2, [b"\n", b"b\r\n", b"c\n", b"d\n"]),
        (6, [b"e"]),
    ]
    assert list(io.BytesIO(text)) == [line for _, lines in blocks for line in lines]


@pytest.mark.parametrize(
    ("content", "kind", "expected"),
    [
        (b"c5RightMotor\n5\n", "csv", True),
        (b"c5RightMotor\r\n5\r\n", "csv", True),
        (b'c5RightMotor\n"5"\n', "csv", False),  # a quote: the csv module reads it
        (b"c5RightMotor\n5\r4\n", "csv", False),  # a lone carriage return
        (b"\n5\n", "csv", False),  # no header
        (b"", "csv", False),
        (b"", "jsonl", False),
        (b"{}\n", "jsonl", True),
    ],
)
def test_worker_processes_take_only_files_whose_lines_are_rows(
    tmp_path: Path, content: bytes, kind: str, expected: bool
) -> None:
    path = tmp_path / f"file.{kind}"
    path.write_bytes(content)
    assert processes.available(path, kind) is expected
    assert not processes.available(tmp_path, kind)  # a folder


def test_a_lone_carriage_return_is_found_across_slices(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(processes, "_SLICE", 4)
    path = tmp_path / "file.csv"
    path.write_bytes(b"a,b\r\n1,2\r\n3,4\r\n")  # CRLFs across every cut of four bytes
    assert processes.available(path, "csv")
    path.write_bytes(b"a,b\r\n1,2\r3,4\r\n")
    assert not processes.available(path, "csv")


def test_an_error_in_a_worker_is_raised_in_the_command(tmp_path: Path) -> None:
    def broken(block: object) -> Prepared:
        raise ValueError("the worker broke")

    with pytest.raises(ValueError, match="the worker broke"):
        list(processes.processed(exam_file(tmp_path, "jsonl"), "jsonl", 2, 4, broken))
    assert multiprocessing.active_children() == []


def test_stopping_early_ends_the_workers(tmp_path: Path) -> None:
    blocks = processes.processed(exam_file(tmp_path, "csv", n=400), "csv", 2, 8, prepare)
    next(blocks)
    blocks.close()
    assert multiprocessing.active_children() == []


def test_results_written_to_standard_output_come_once(tmp_path: Path) -> None:
    path = exam_file(tmp_path, "csv", n=50)
    command = [sys.executable, "-m", "cordtrack.cli", "classify", str(path), "--format", "csv"]
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from cordtrack.cli import main; sys.exit(main())",
         *command[3:]],
        capture_output=True, check=False,
    )  # fmt: skip
    assert done.returncode == 1  # the row with too many cells
    lines = done.stdout.splitlines()
    assert lines[0].startswith(b"id,")
    assert len(lines) == 1 + 50


class _UnsendableError(Exception):
    def __init__(self) -> None:
        super().__init__("cannot travel")
        self.callback = lambda: None  # a lambda cannot be pickled


def test_an_error_that_cannot_be_sent_still_reaches_the_command_by_its_message(
    tmp_path: Path,
) -> None:
    def broken(block: object) -> Prepared:
        raise _UnsendableError

    with pytest.raises(RuntimeError, match="_UnsendableError: cannot travel"):
        list(processes.processed(exam_file(tmp_path, "jsonl"), "jsonl", 2, 4, broken))
    assert multiprocessing.active_children() == []
