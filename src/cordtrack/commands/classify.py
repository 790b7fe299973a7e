"""Classify ISNCSCI exams from a file, one result record per exam.

INPUT is a JSON Lines file (.jsonl or .ndjson: one flat exam object a line), a CSV file (.csv: a
header row of flat exam keys, an empty cell where no lowest non-key muscle is recorded), or - for
JSON Lines on standard input. The flat exam format is that of the 2019 published cases.

Each output record has the row's "id" first (when the row has one), then the 25 result keys. A row
that cannot be classified (invalid JSON, invalid or missing values) becomes an error record instead:
  {"id": ..., "row": 7, "error": "row 7: c5RightMotor: '6' is not a motor grade",
   "errors": [{"field": "c5RightMotor", "value": "6", "message": "'6' is not a motor grade"}]}
and the other rows are still classified. "row" is the line number in a JSON Lines file and the
spreadsheet row in a CSV file (the header is row 1). In CSV output, an error record has its message
in the last column, "error".

exit status: 0 every row classified, 1 some rows failed, 2 usage error
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Iterable, Iterator, Mapping
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Final, TextIO

import orjson

from cordtrack.isncsci import RESULT_KEYS, FieldError

from . import UsageError

NAME = "classify"
HELP = "classify ISNCSCI exams from a JSON Lines or CSV file"

JSONL: Final = "jsonl"
CSV: Final = "csv"
_INPUT_FORMATS: Final = {".jsonl": JSONL, ".ndjson": JSONL, ".csv": CSV}
STDIO: Final = "-"

#: Columns of CSV output: the id, the 25 result keys, and the message of an error record.
CSV_COLUMNS: Final = ("id", *RESULT_KEYS, "error")

Record = Mapping[str, object]
_MISSING_SHOWN: Final = 3
#: Rows classified together by the batch engine: large enough to amortise the array work, small
#: enough that memory stays flat whatever the file size.
CHUNK_ROWS: Final = 8192


@dataclass(frozen=True, slots=True)
class Unreadable:
    """A row that could not be read as a flat exam at all (invalid JSON, too many CSV cells)."""

    message: str


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "input",
        metavar="INPUT",
        help="a .jsonl or .csv file of flat exams, or - for JSON Lines on standard input",
    )
    parser.add_argument(
        "-o", "--output", metavar="OUTPUT", default=STDIO,
        help="file to write the results to (default: standard output)",
    )  # fmt: skip
    parser.add_argument(
        "--format", choices=(JSONL, CSV),
        help="output format (default: csv when OUTPUT ends with .csv, jsonl otherwise)",
    )  # fmt: skip
    parser.add_argument(
        "--engine", choices=("batch", "scalar"), default="batch",
        help="batch (NumPy, default) or scalar (the readable reference engine); same results",
    )  # fmt: skip


def run(args: argparse.Namespace) -> int:
    source, output = str(args.input), str(args.output)
    fmt = args.format or (CSV if output.lower().endswith(".csv") else JSONL)
    with ExitStack() as stack:
        rows: Iterable[tuple[int, object]] = open_rows(source, stack)
        out = _open_output(output, source, stack)
        if sys.stderr.isatty():  # a progress bar for a person watching, never in a log
            from tqdm import tqdm

            rows = tqdm(rows, unit=" exams", file=sys.stderr, mininterval=0.5)
        records = classify_rows(rows, scalar=args.engine == "scalar")
        if fmt == CSV:
            total, failed = write_csv(out, records)
        else:  # orjson encodes to UTF-8 bytes: write them to the buffer under the text layer
            out.flush()
            total, failed = write_jsonl(out.buffer, records)
    if failed:
        where = "" if output == STDIO else f" in {output}"
        print(
            f"cordtrack classify: {failed} of {total} rows failed; see the error records{where}",
            file=sys.stderr,
        )
        return 1
    return 0


def open_rows(source: str, stack: ExitStack) -> Iterator[tuple[int, object]]:
    """The numbered rows of ``source`` (a path, or ``-`` for JSON Lines on stdin), read lazily."""
    if source == STDIO:
        return jsonl_rows(sys.stdin.buffer)
    path = Path(source)
    fmt = _INPUT_FORMATS.get(path.suffix.lower())
    if fmt is None:
        hint = " (convert a JSON array with: jq -c '.[]')" if path.suffix == ".json" else ""
        raise UsageError(f"{source}: INPUT must be a .jsonl, .ndjson or .csv file, or -{hint}")
    try:
        if fmt == CSV:
            # utf-8-sig: spreadsheet programs often start a UTF-8 CSV with a byte-order mark.
            return csv_rows(stack.enter_context(path.open(encoding="utf-8-sig", newline="")))
        return jsonl_rows(stack.enter_context(path.open("rb")))
    except FileNotFoundError:
        raise UsageError(f"input file not found: {source}") from None
    except OSError as exc:
        raise UsageError(f"cannot read {source}: {exc.strerror}") from None


def _open_output(output: str, source: str, stack: ExitStack) -> TextIO:
    if output == STDIO:
        return sys.stdout
    path = Path(output)
    if source != STDIO and path.resolve() == Path(source).resolve():
        raise UsageError(f"OUTPUT would overwrite INPUT: {output}")
    try:
        return stack.enter_context(path.open("w", encoding="utf-8", newline=""))
    except OSError as exc:
        raise UsageError(f"cannot write {output}: {exc.strerror}") from None


def jsonl_rows(lines: Iterable[bytes]) -> Iterator[tuple[int, object]]:
    """Parse JSON Lines one line at a time; blank lines are skipped but counted."""
    loads = orjson.loads  # about half the time of json.loads on a 137-key exam
    for number, line in enumerate(lines, 1):
        try:
            row = loads(line)
        except orjson.JSONDecodeError as exc:  # also for bytes that are not UTF-8
            if line.strip():
                yield number, Unreadable(f"invalid JSON: {exc}")
            continue
        yield number, row


def csv_rows(text: Iterable[str]) -> Iterator[tuple[int, object]]:
    """Parse a CSV file whose header row names the flat keys; blank lines are skipped."""
    reader = csv.reader(text)
    header = [name.strip() for name in next(reader, ())]
    width = len(header)
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
        if len(cells) > width:
            yield reader.line_num, Unreadable(f"{len(cells)} cells, but the header has {width}")
        else:  # a short row lacks keys, which parse_exam reports field by field
            yield reader.line_num, dict(zip(header, cells, strict=False))


def classify_rows(rows: Iterable[tuple[int, object]], *, scalar: bool = False) -> Iterator[Record]:
    """One record per row, in input order: the id (when the row has one) and the 25 result keys,
    or an error record ``{"id", "row", "error", "errors"}`` (see the module docstring).

    Rows go to the batch engine (:mod:`cordtrack.isncsci.batch`) a chunk at a time, or with
    ``scalar`` one by one to the scalar engine."""
    if scalar:
        yield from _classify_scalar(rows)
        return
    chunk: list[tuple[int, object]] = []
    for item in rows:
        chunk.append(item)
        if len(chunk) == CHUNK_ROWS:
            yield from _classify_chunk(chunk)
            chunk = []
    if chunk:
        yield from _classify_chunk(chunk)


def _classify_scalar(rows: Iterable[tuple[int, object]]) -> Iterator[Record]:
    from cordtrack.isncsci import ExamValidationError, classify, parse_exam

    for number, row in rows:
        if not isinstance(row, dict):
            message = row.message if isinstance(row, Unreadable) else "not a JSON object"
            yield error_record(number, None, message)
            continue
        try:
            flat = classify(parse_exam(row)).to_flat()
        except ExamValidationError as exc:
            yield error_record(number, row, str(exc), exc.errors)
            continue
        yield {"id": row["id"], **flat} if "id" in row else flat


def _classify_chunk(chunk: list[tuple[int, object]]) -> Iterator[Record]:
    from cordtrack.isncsci.batch import classify_batch, encode  # numpy loads only when needed

    exams = [row for _, row in chunk if isinstance(row, dict)]
    arrays, invalid = encode(exams)
    columns = list(classify_batch(arrays).columns().values())
    errors = {e.row: e.errors for e in invalid}
    position = 0  # index among the exams (dict rows)
    result = 0  # index among the classified exams
    for number, row in chunk:
        if not isinstance(row, dict):
            message = row.message if isinstance(row, Unreadable) else "not a JSON object"
            yield error_record(number, None, message)
            continue
        field_errors = errors.get(position)
        position += 1
        if field_errors is not None:
            yield error_record(number, row, "", field_errors)
            continue
        flat = dict(zip(RESULT_KEYS, [column[result] for column in columns], strict=True))
        result += 1
        yield {"id": row["id"], **flat} if "id" in row else flat


def error_record(
    number: int,
    row: dict[str, object] | None,
    message: str,
    errors: tuple[FieldError, ...] = (),
) -> Record:
    record: dict[str, object] = {"id": row["id"]} if row is not None and "id" in row else {}
    record["row"] = number
    record["error"] = f"row {number}: {_summary(errors) if errors else message}"
    record["errors"] = [{"field": e.field, "value": e.value, "message": e.message} for e in errors]
    return record


def _summary(errors: tuple[FieldError, ...]) -> str:
    """The field errors in one line, with a long run of missing fields (a file whose columns
    are not flat exam keys) shortened; ``errors`` in the record keeps them all."""
    missing = [e.field for e in errors if e.value in (None, "")]
    if len(missing) <= _MISSING_SHOWN:
        return "; ".join(map(str, errors))
    shown = ", ".join(missing[:_MISSING_SHOWN])
    return "; ".join(
        [f"{len(missing)} fields missing ({shown}, ...)"]
        + [str(e) for e in errors if e.value not in (None, "")]
    )


def write_jsonl(out: IO[bytes], records: Iterable[Record]) -> tuple[int, int]:
    """Write one compact JSON object a line; return (records written, error records)."""
    dumps, newline = orjson.dumps, orjson.OPT_APPEND_NEWLINE
    write = out.write
    total = failed = 0
    for record in records:
        write(dumps(record, option=newline))
        total += 1
        if "error" in record:
            failed += 1
    return total, failed


def write_csv(out: IO[str], records: Iterable[Record]) -> tuple[int, int]:
    """Write a header of :data:`CSV_COLUMNS`, then one row a record; return (written, errors)."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    total = failed = 0
    for record in records:
        writer.writerow([record.get(column, "") for column in CSV_COLUMNS])
        total += 1
        if "error" in record:
            failed += 1
    return total, failed
