"""A block of input rows, as the readers hand it over, and its classification into output lines.

A reader (:mod:`.json_lines`, :mod:`.csv_file`) turns up to :data:`BLOCK_ROWS` consecutive rows
into value codes at once; :func:`classify_block` classifies the block's exams with the batch engine
and renders one output line per row, in input order, through a writer (:mod:`.output`).
"""

from __future__ import annotations

import bisect
import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final, Protocol

import numpy as np
from numpy.typing import NDArray

from cordtrack.isncsci import FieldError
from cordtrack.isncsci.batch import BatchResult, classify_batch
from cordtrack.isncsci.batch.encode import ErrorRecord, ExamArrays, assemble

#: Rows read, classified and written together: large enough to amortise the array work, small
#: enough that memory stays flat whatever the file size.
BLOCK_ROWS: Final = 8192
#: Rows a reader splits and codes at once: a block's cells (about 140 a row) as 8-byte offsets
#: outgrow the CPU caches, and each of the dozen array passes over them then waits on memory
#: (measured on 10^5 CSV rows: 0.25-0.32 s read in pieces of 512 to 2048 rows, 0.43-0.55 s whole).
PIECE_ROWS: Final = 1024


class Missing(enum.Enum):
    """The id of a row that has none."""

    MISSING = "missing"


MISSING: Final = Missing.MISSING
Codes = tuple[NDArray[np.int16], NDArray[np.int16], NDArray[np.int16]]


@dataclass(frozen=True)
class Block:
    """Consecutive input rows.

    Attributes
    ----------
    numbers : list of int
        Per row, its line in a JSON Lines file or its spreadsheet row in a CSV file (header 1).
    problems : dict of int to str
        Rows that are no exam at all (invalid JSON, too many cells), by position: the message.
    exams : list of int
        Positions of the other rows (the exams), in order.
    ids : list
        Per exam, its id (any JSON value, a CSV string), or :data:`MISSING`.
    codes : tuple of ndarray of int16
        Per exam, its value codes (:func:`cordtrack.isncsci.batch.encode.assemble`).
    flat : callable
        The flat exam mapping of exam ``i`` (None when it is no mapping), read only for exams
        whose codes are not all valid, for exact parsing and messages.
    """

    numbers: list[int]
    problems: dict[int, str]
    exams: list[int]
    ids: list[object]
    codes: Codes
    flat: Callable[[int], Mapping[str, object] | None]


def merged(blocks: list[Block]) -> Block:
    """Consecutive blocks as one (a reader codes a block in pieces that fit in cache, the engine
    classifies it whole)."""
    if len(blocks) == 1:
        return blocks[0]
    numbers: list[int] = []
    problems: dict[int, str] = {}
    exams: list[int] = []
    ids: list[object] = []
    firsts: list[int] = []  # per block, the index of its first exam in the merged block
    for block in blocks:
        offset = len(numbers)
        firsts.append(len(exams))
        numbers += block.numbers
        problems.update({offset + at: message for at, message in block.problems.items()})
        exams += [offset + at for at in block.exams]
        ids += block.ids
    codes = tuple(np.concatenate(parts) for parts in zip(*(b.codes for b in blocks), strict=True))
    flats = [block.flat for block in blocks]

    def flat(i: int) -> Mapping[str, object] | None:
        k = bisect.bisect_right(firsts, i) - 1
        return flats[k](i - firsts[k])

    return Block(numbers, problems, exams, ids, codes, flat)  # type: ignore[arg-type]


class Writer(Protocol):
    """An output format (:mod:`.output`)."""

    def header(self) -> bytes: ...

    def record(self, record: Mapping[str, object]) -> bytes: ...

    def results(self, result: BatchResult, ids: list[object]) -> list[bytes]: ...

    def lines(self, result: BatchResult, ids: list[object]) -> bytes: ...

    def error(
        self, number: int, id_: object, message: str, errors: tuple[FieldError, ...] = ()
    ) -> bytes: ...


@dataclass(frozen=True)
class Prepared:
    """A block whose exams are validated and laid out for the engine (:func:`prepare`): plain
    lists and arrays, so that it can be made in another process and sent over a pipe."""

    numbers: list[int]
    problems: dict[int, str]
    exams: list[int]
    ids: list[object]
    arrays: ExamArrays
    errors: list[ErrorRecord]
    #: Values read leniently (surrounding spaces, case), with ``lenient`` only.
    normalised: int = 0


def prepare(block: Block, *, lenient: bool = False) -> Prepared:
    """Validate a block's exams (the rows with an invalid code go through the exact parser;
    with ``lenient``, after :func:`cordtrack.isncsci.exam.normalised`)."""
    arrays, errors, changed = assemble(*block.codes, block.flat, lenient=lenient)
    return Prepared(block.numbers, block.problems, block.exams, block.ids, arrays, errors, changed)


def classify_block(block: Block | Prepared, writer: Writer) -> tuple[bytes, int]:
    """The output lines of a block, in input order, and how many of them are error records."""
    ready = block if isinstance(block, Prepared) else prepare(block)
    result = classify_batch(ready.arrays)
    ids, errors = ready.ids, ready.errors
    if not errors and not ready.problems:  # every row an exam, every exam classified, in order
        return writer.lines(result, ids), 0
    rows = result.rows.tolist()
    done = writer.results(result, [ids[i] for i in rows])
    lines = [b""] * len(ready.numbers)
    exams, numbers = ready.exams, ready.numbers
    for i, line in zip(rows, done, strict=True):
        lines[exams[i]] = line
    for error in errors:
        at = exams[error.row]
        lines[at] = writer.error(numbers[at], ids[error.row], "", error.errors)
    for at, message in ready.problems.items():
        lines[at] = writer.error(numbers[at], MISSING, message)
    return b"".join(lines), len(errors) + len(ready.problems)
