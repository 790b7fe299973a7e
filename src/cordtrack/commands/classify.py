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

Values are read exactly as written, as the published reference reads them: " 3 ", "NT ", " Yes"
or "c7" are errors. --lenient reads a value that differs from a valid one only by surrounding
spaces or case as that value, and says on standard error how many it read so.

exit status: 0 every row classified, 1 some rows failed, 2 usage error
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from contextlib import ExitStack, closing
from pathlib import Path
from typing import IO, TYPE_CHECKING, Final

if TYPE_CHECKING:  # the engine and its readers load in run(): other commands start faster
    from cordtrack.flatfiles import Block, Writer
    from cordtrack.flatfiles.block import Prepared

from . import UsageError

NAME = "classify"
HELP = "classify ISNCSCI exams from a JSON Lines or CSV file"
#: It closes its output before it returns: the console script may skip the interpreter's teardown.
EXIT_AT_ONCE: Final = True

JSONL: Final = "jsonl"
CSV: Final = "csv"
_INPUT_FORMATS: Final = {".jsonl": JSONL, ".ndjson": JSONL, ".csv": CSV}
STDIO: Final = "-"
#: Rows read, classified and written together by the batch engine; None:
#: :data:`cordtrack.flatfiles.BLOCK_ROWS` (tests set a small number to cross block boundaries).
BLOCK_ROWS: int | None = None
#: Rows the scalar engine reads at once: it classifies them one by one, so a block need only be
#: large enough to amortise reading.
SCALAR_BLOCK_ROWS: Final = 256


def __getattr__(name: str) -> object:
    if name == "CSV_COLUMNS":  # the columns of CSV output, without loading the engine early
        from cordtrack.flatfiles import CSV_COLUMNS

        return CSV_COLUMNS
    raise AttributeError(name)


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
    parser.add_argument(
        "--lenient", action="store_true",
        help="read values with surrounding spaces or in another case (' 3 ', 'nt', 'c7') as the "
        "values they differ from, and count them on standard error (default: they are errors)",
    )  # fmt: skip


def run(args: argparse.Namespace) -> int:
    from cordtrack.flatfiles import Csv, JsonLines

    source, output = str(args.input), str(args.output)
    fmt = args.format or (CSV if output.lower().endswith(".csv") else JSONL)
    writer: Writer = Csv() if fmt == CSV else JsonLines()
    total = failed = normalised = 0
    lenient = bool(args.lenient)
    with ExitStack() as stack:
        batch = args.engine == "batch"
        blocks = open_blocks(source, stack, fast=batch)
        out = _open_output(output, source, stack)
        progress = None
        if sys.stderr.isatty():  # a progress bar for a person watching, never in a log
            from tqdm import tqdm

            progress = stack.enter_context(
                tqdm(unit=" exams", file=sys.stderr, mininterval=0.5, unit_scale=True)
            )
        out.write(writer.header())
        out.flush()  # nothing buffered when worker processes fork
        for lines, rows, errors, changed in _outputs(source, blocks, writer, batch, stack, lenient):
            out.write(lines)
            total += rows
            failed += errors
            normalised += changed
            if progress is not None:
                progress.update(rows)
    if lenient:
        print(
            f"cordtrack classify: --lenient read {normalised} value(s) with surrounding spaces or "
            "in another case as the values they differ from",
            file=sys.stderr,
        )
    if failed:
        where = "" if output == STDIO else f" in {output}"
        print(
            f"cordtrack classify: {failed} of {total} rows failed; see the error records{where}",
            file=sys.stderr,
        )
        return 1
    return 0


def open_blocks(source: str, stack: ExitStack, *, fast: bool = True) -> Iterator[Block]:
    """The rows of ``source`` (a path, or ``-`` for JSON Lines on stdin) in blocks, read lazily.

    With ``fast`` false (the scalar engine, which wants each row's mapping anyway), JSON Lines go
    through orjson line by line (see :func:`.jsonl_blocks`), in small blocks."""
    from cordtrack import flatfiles

    rows = (BLOCK_ROWS or flatfiles.BLOCK_ROWS) if fast else SCALAR_BLOCK_ROWS
    if source == STDIO:
        from cordtrack.flatfiles.json_lines import jsonl_blocks

        return jsonl_blocks(sys.stdin.buffer, rows, fast=fast)
    path = Path(source)
    fmt = _INPUT_FORMATS.get(path.suffix.lower())
    if fmt is None:
        hint = " (convert a JSON array with: jq -c '.[]')" if path.suffix == ".json" else ""
        raise UsageError(f"{source}: INPUT must be a .jsonl, .ndjson or .csv file, or -{hint}")
    try:
        stream = stack.enter_context(path.open("rb"))
    except FileNotFoundError:
        raise UsageError(f"input file not found: {source}") from None
    except OSError as exc:
        raise UsageError(f"cannot read {source}: {exc.strerror}") from None
    if fmt == CSV:  # each reader imports what only it needs (msgspec's structs for JSON Lines)
        from cordtrack.flatfiles.csv_file import csv_blocks

        return csv_blocks(stream, rows)
    from cordtrack.flatfiles.json_lines import jsonl_blocks

    return jsonl_blocks(stream, rows, fast=fast)


#: A block's output lines, its rows, its error records, the values read leniently.
Output = tuple[bytes, int, int, int]


def _outputs(
    source: str,
    blocks: Iterator[Block],
    writer: Writer,
    batch: bool,
    stack: ExitStack,
    lenient: bool = False,
) -> Iterator[Output]:
    """Each block's output, in file order. With the batch engine on more than one CPU, blocks
    are read, classified and written ahead: by worker processes when the file allows it
    (:mod:`cordtrack.flatfiles.processes`), else read and validated in a thread."""
    from cordtrack.flatfiles import processes
    from cordtrack.flatfiles.block import Prepared, classify_block, prepare
    from cordtrack.flatfiles.prefetch import prefetched
    from cordtrack.isncsci.batch.classification import default_workers

    def output(block: Block | Prepared) -> Output:
        ready = block if isinstance(block, Prepared) else prepare(block, lenient=lenient)
        lines, errors = classify_block(ready, writer)
        return lines, len(block.numbers), errors, ready.normalised

    if not batch:
        return (_output_scalar(block, writer, lenient) for block in blocks)
    cpus = default_workers()  # the CPUs this process may use
    if cpus == 1:
        return map(output, blocks)
    kind = _INPUT_FORMATS.get(Path(source).suffix.lower(), JSONL)
    if (
        os.environ.get("CORDTRACK_WORKERS") != "0"
        and source != STDIO
        and processes.available(Path(source), kind)
    ):
        rows = BLOCK_ROWS or processes.BLOCK_ROWS
        outputs = processes.processed(
            Path(source), kind, min(cpus, processes.MAX_WORKERS), rows, output
        )
        return stack.enter_context(closing(outputs))
    ahead = stack.enter_context(
        closing(prefetched(prepare(block, lenient=lenient) for block in blocks))
    )
    return map(output, ahead)


def _open_output(output: str, source: str, stack: ExitStack) -> IO[bytes]:
    if output == STDIO:
        sys.stdout.flush()
        return sys.stdout.buffer
    path = Path(output)
    if source != STDIO and path.resolve() == Path(source).resolve():
        raise UsageError(f"OUTPUT would overwrite INPUT: {output}")
    try:
        return stack.enter_context(path.open("wb"))
    except OSError as exc:
        raise UsageError(f"cannot write {output}: {exc.strerror}") from None


def _output_scalar(block: Block, writer: Writer, lenient: bool = False) -> Output:
    """A block through the scalar engine, one exam at a time: the reference for the batch path."""
    from cordtrack.flatfiles import MISSING
    from cordtrack.isncsci import ExamValidationError, classify, parse_exam
    from cordtrack.isncsci.exam import normalised

    lines = [b""] * len(block.numbers)
    failed = changed = 0
    for at, message in block.problems.items():
        lines[at] = writer.error(block.numbers[at], MISSING, message)
        failed += 1
    for i, at in enumerate(block.exams):
        id_ = block.ids[i]
        row = block.flat(i) or {}
        if lenient:
            row, count = normalised(row)
            changed += count
        try:
            flat = classify(parse_exam(row)).to_flat()
        except ExamValidationError as exc:
            lines[at] = writer.error(block.numbers[at], id_, "", exc.errors)
            failed += 1
            continue
        record: dict[str, object] = dict(flat) if id_ is MISSING else {"id": id_, **flat}
        lines[at] = writer.record(record)
    return b"".join(lines), len(block.numbers), failed, changed
