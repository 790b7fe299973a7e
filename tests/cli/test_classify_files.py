"""`cordtrack classify` reads files exactly as the plain readers do: a differential test.

The command reads blocks of rows with vectorised readers (NumPy, msgspec) and writes lines built
from fragments. The reference here is the straightforward way, kept deliberately simple: the
``csv`` module or ``orjson`` one row at a time, the scalar engine, ``orjson.dumps`` or the ``csv``
writer per record. Generated files mix valid exams, invalid values, missing and extra keys, blank
lines, CRLF line ends, quotes, short and long rows, non-UTF-8 bytes and odd ids; small blocks make
every file cross block boundaries. Both engines must write the reference's bytes.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from exam_strategies import flat_exams
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cordtrack.commands import classify as command
from cordtrack.flatfiles import CSV_COLUMNS, MISSING, csv_file, error_record, json_lines
from cordtrack.isncsci import EXAM_KEYS, ExamValidationError, classify, parse_exam
from cordtrack.isncsci.exam import normalised

Row = tuple[int, object]


class Unreadable(str):
    """The message of a row that is not an exam at all."""


# --- the reference: one row at a time ------------------------------------------------------


def lines_of(data: bytes) -> list[bytes]:
    """The lines of a file as reading it in binary gives them (ended by \\n only)."""
    parts = data.split(b"\n")
    return [part + b"\n" for part in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def reference_jsonl_rows(data: bytes) -> Iterator[Row]:
    for number, line in enumerate(lines_of(data), 1):
        try:
            row = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            if line.strip():
                yield number, Unreadable(f"invalid JSON: {exc}")
            continue
        yield number, row if isinstance(row, dict) else Unreadable("not a JSON object")


def reference_csv_rows(data: bytes) -> Iterator[Row]:
    lines = [line.decode("utf-8", "replace") for line in lines_of(data)]
    if lines:
        lines[0] = lines[0].removeprefix("\ufeff")
    reader = csv.reader(lines)
    header = [name.strip() for name in next(reader, [])]
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield reader.line_num, Unreadable(f"invalid CSV: {exc}")
            continue
        if not cells:
            continue
        if len(cells) > len(header):
            yield (
                reader.line_num,
                Unreadable(f"{len(cells)} cells, but the header has {len(header)}"),
            )
        else:
            yield reader.line_num, dict(zip(header, cells, strict=False))


def reference_records(
    rows: Iterator[Row], lenient: list[int] | None = None
) -> Iterator[dict[str, object]]:
    """Records of the rows; with ``lenient`` (a counter), each row read through ``normalised``."""
    for number, row in rows:
        if isinstance(row, Unreadable):
            yield error_record(number, MISSING, str(row))
            continue
        assert isinstance(row, dict)
        id_ = row.get("id", MISSING)
        if lenient is not None:
            row, changed = normalised(row)
            lenient[0] += changed
        try:
            flat = classify(parse_exam(row)).to_flat()
        except ExamValidationError as exc:
            yield error_record(number, id_, "", exc.errors)
            continue
        yield flat if id_ is MISSING else {"id": id_, **flat}


def reference_output(
    data: bytes, source: str, output: str, lenient: list[int] | None = None
) -> bytes:
    rows = reference_csv_rows(data) if source == "csv" else reference_jsonl_rows(data)
    records = reference_records(rows, lenient)
    if output == "jsonl":
        return b"".join(orjson.dumps(r, option=orjson.OPT_APPEND_NEWLINE) for r in records)
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows([r.get(c, "") for c in CSV_COLUMNS] for r in records)
    return text.getvalue().encode()


# --- generated files -------------------------------------------------------------------------

NEAR_MISSES = [" 2", "2 ", "NT ", "\u0032", "nt", "nt*", " 0** ", " Yes", "yes", "NO", "c7", " s1 "]
ODD_TEXT = st.text(alphabet=st.sampled_from(list(' ,"\r\n\t\x00éNT*0125CYesNo-x')), max_size=6)
IDS = st.one_of(
    st.from_regex(r"syn-[0-9]{1,4}", fullmatch=True),
    ODD_TEXT,
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.none(),
    st.booleans(),
    st.lists(st.integers(0, 3), max_size=2),
)


@st.composite
def rows(draw: st.DrawFn, json_values: bool) -> dict[str, object]:
    row: dict[str, object] = {}
    if draw(st.integers(0, 5)):
        plain = st.from_regex(r"syn-[0-9]{1,4}", fullmatch=True)
        odd = IDS if json_values else ODD_TEXT
        row["id"] = draw(odd if draw(st.integers(0, 3)) == 0 else plain)
    row.update(draw(flat_exams(odd=4)))
    for _ in range(draw(st.sampled_from([0, 0, 0, 0, 1, 2]))):  # odd values, missing or extra keys
        key = draw(st.sampled_from([*EXAM_KEYS, "note"]))
        kind = draw(st.integers(0, 3 if json_values else 1))
        if kind == 0:
            row[key] = draw(ODD_TEXT)
        elif kind == 1:
            row.pop(key, None)
        elif kind == 2:
            row[key] = draw(st.none() | st.integers(0, 5) | st.lists(st.just("1"), max_size=1))
        else:
            # Near misses: errors, or (--lenient) read as the value they differ from.
            row[key] = draw(st.sampled_from(NEAR_MISSES))
    return row


@st.composite
def jsonl_files(draw: st.DrawFn) -> bytes:
    lines = []
    for row in draw(st.lists(rows(json_values=True), max_size=12)):
        style = draw(st.integers(0, 4))
        if style == 0:
            line = json.dumps(row, ensure_ascii=False).encode()
        elif style == 1:
            line = json.dumps(row).encode()  # escapes: the general reader
        else:  # compact, as orjson writes it (which refuses integers beyond 64 bits)
            line = json.dumps(row, ensure_ascii=False, separators=(",", ":")).encode()
        lines.append(line)
        if draw(st.integers(0, 7)) == 0:
            lines.append(
                draw(
                    st.sampled_from(
                        [
                            b"",
                            b"   ",
                            b"{not json",
                            b"[1, 2]",
                            b"\xff\xfe",
                            b'{"id": 1, "id": 2}',
                            b"null",
                            b"{}",
                        ]
                    )
                )
            )
    ending = draw(st.sampled_from([b"\n", b"\r\n"]))
    return ending.join(lines) + draw(st.sampled_from([ending, b""]))


@st.composite
def csv_files(draw: st.DrawFn) -> bytes:
    keys = list(EXAM_KEYS)
    if draw(st.booleans()):
        keys = draw(st.permutations(keys))
    if draw(st.integers(0, 9)) == 0:
        keys.remove(draw(st.sampled_from(keys)))  # a missing column
    header = ["id", *keys] if draw(st.integers(0, 4)) else keys
    if draw(st.integers(0, 5)) == 0:
        header.append("note")
    text = io.StringIO()
    writer = csv.DictWriter(
        text, fieldnames=header, restval="", extrasaction="ignore", lineterminator="\n"
    )
    writer.writeheader()
    lines = text.getvalue().encode().splitlines()
    for row in draw(st.lists(rows(json_values=False), max_size=12)):
        text = io.StringIO()
        csv.DictWriter(
            text, fieldnames=header, restval="", extrasaction="ignore", lineterminator="\n"
        ).writerow(row)
        line = text.getvalue().encode()[:-1]
        change = draw(st.integers(0, 19))
        if change == 0:
            line += b",extra"
        elif change == 1:
            line = line.rsplit(b",", 3)[0]  # a short row
        lines.append(line)
        if draw(st.integers(0, 6)) == 0:
            lines.append(draw(st.sampled_from([b"", b" ", b"\xff", b"a,b"])))
    ending = draw(st.sampled_from([b"\n", b"\r\n"]))
    bom = draw(st.sampled_from([b"", b"\xef\xbb\xbf"]))
    return bom + ending.join(lines) + draw(st.sampled_from([ending, b""]))


def run_command(
    tmp_path: Path, data: bytes, source: str, output: str, engine: str, *extra: str
) -> bytes:
    path = tmp_path / f"exams.{source}"
    path.write_bytes(data)
    out = tmp_path / f"results.{output}"
    args = ["classify", str(path), "-o", str(out), "--engine", engine, *extra]
    from cordtrack.cli import main

    assert main(args) in (0, 1)
    return out.read_bytes()


SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(autouse=True)
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    # Blocks of five rows, coded in pieces of two: files of up to twelve rows cross block
    # boundaries, and blocks are merged from pieces (a last piece of one row among them).
    monkeypatch.setattr(command, "BLOCK_ROWS", 5)
    monkeypatch.setattr(command, "SCALAR_BLOCK_ROWS", 3)
    monkeypatch.setattr(csv_file, "PIECE_ROWS", 2)
    monkeypatch.setattr(json_lines, "PIECE_ROWS", 2)


@SETTINGS
@given(data=jsonl_files(), output=st.sampled_from(["jsonl", "csv"]))
def test_json_lines_are_classified_as_the_plain_reader_reads_them(
    tmp_path: Path, data: bytes, output: str
) -> None:
    expected = reference_output(data, "jsonl", output)
    for engine in ("batch", "scalar"):
        assert run_command(tmp_path, data, "jsonl", output, engine) == expected


@SETTINGS
@given(data=csv_files(), output=st.sampled_from(["jsonl", "csv"]))
def test_csv_files_are_classified_as_the_csv_module_reads_them(
    tmp_path: Path, data: bytes, output: str
) -> None:
    expected = reference_output(data, "csv", output)
    for engine in ("batch", "scalar"):
        assert run_command(tmp_path, data, "csv", output, engine) == expected


@SETTINGS
@given(
    data=st.sampled_from(["jsonl", "csv"]).flatmap(
        lambda source: st.tuples(
            st.just(source), jsonl_files() if source == "jsonl" else csv_files()
        )
    ),
    output=st.sampled_from(["jsonl", "csv"]),
)
def test_lenient_reads_near_misses_as_the_values_they_differ_from_and_counts_them(
    tmp_path: Path, data: tuple[str, bytes], output: str, capsys: pytest.CaptureFixture[str]
) -> None:
    source, content = data
    counted = [0]
    expected = reference_output(content, source, output, counted)
    for engine in ("batch", "scalar"):
        capsys.readouterr()
        assert run_command(tmp_path, content, source, output, engine, "--lenient") == expected
        err = capsys.readouterr().err
        assert f"--lenient read {counted[0]} value(s) with surrounding spaces" in err, err
