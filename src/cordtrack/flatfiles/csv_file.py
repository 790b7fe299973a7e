"""Blocks of flat exams from a CSV file whose header row names the flat keys.

Rows are numbered as in a spreadsheet (the header is row 1); blank lines are skipped but counted;
a row with more cells than the header is an error, a shorter one lacks keys (which the exam parser
reports field by field); an empty cell where no lowest non-key muscle is recorded.

Two readers give the same rows. While a block of lines holds no quote character (and no carriage
return but in CRLF line ends), a line is a row and a comma a cell boundary: the block is split and
coded with NumPy (:mod:`cordtrack.isncsci.batch.delimited`), with no Python work per cell. From the
first block with a quote on, the ``csv`` module reads the rest of the file (a quoted cell may hold a
comma or span lines). Text is UTF-8 (a byte-order mark is allowed); bytes that are not UTF-8 read
as U+FFFD, and so give an invalid value rather than stop the file.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from itertools import chain, islice
from typing import BinaryIO, Final

import numpy as np

from cordtrack.isncsci.batch.codes import INVALID
from cordtrack.isncsci.batch.delimited import Cells, Keys, keys, split
from cordtrack.isncsci.batch.encode import (
    CELL_KEYS,
    NO_NON_KEY,
    binary_codes,
    cell_codes,
    non_key_key_codes,
    row_codes,
)
from cordtrack.isncsci.types import DAP_KEY, NON_KEY_KEYS, VAC_KEY, Side

from .block import BLOCK_ROWS, MISSING, PIECE_ROWS, Block, Codes, merged

_CODED_KEYS: Final = (
    *CELL_KEYS,
    VAC_KEY,
    DAP_KEY,
    NON_KEY_KEYS[Side.RIGHT],
    NON_KEY_KEYS[Side.LEFT],
)
_N_CELLS: Final = len(CELL_KEYS)
_N_REQUIRED: Final = _N_CELLS + 2  # cells, VAC, DAP; the non-key muscle columns are optional
_BLANK: Final = (b"\n", b"\r\n")


def _text(line: bytes) -> str:
    return line.decode("utf-8", errors="replace")


def csv_blocks(stream: BinaryIO, block_rows: int = BLOCK_ROWS) -> Iterator[Block]:
    """The rows of a CSV file, ``block_rows`` lines at a time, read lazily."""
    first = stream.readline()
    if not first:
        return
    header = header_of(first)
    read = 1  # lines read so far
    lines = iter(stream)
    if not header:  # a blank first line: every row that is not blank has too many cells
        yield from _general(lines, header, read, block_rows)
        return
    while chunk := list(islice(lines, block_rows)):
        data = b"".join(chunk)
        if not regular(data):
            yield from _general(chain(chunk, lines), header, read, block_rows)
            return
        yield regular_block(chunk, data, header, read)
        read += len(chunk)


def header_of(first: bytes) -> list[str]:
    """The column names in a CSV file's first line."""
    return [name.strip() for name in next(csv.reader([first.decode("utf-8-sig", "replace")]))]


def regular(data: bytes) -> bool:
    """Whether the lines in ``data`` are rows whose cells lie between commas: no quote character,
    and no carriage return but in CRLF line ends (for a whole file, read in slices:
    ``processes._rows_are_lines``)."""
    return b'"' not in data and (b"\r" not in data or data.count(b"\r") == data.count(b"\r\n"))


def regular_block(chunk: list[bytes], data: bytes, header: list[str], read: int) -> Block:
    """The block of ``chunk``, lines (``data`` joined) of a :func:`regular` file after its header
    and ``read`` lines, coded in pieces whose working arrays stay in cache (see PIECE_ROWS) and
    merged."""
    columns = {name: i for i, name in enumerate(header)}  # the last of a repeated name, as dict()
    pieces = [
        _fast(piece, b"".join(piece) if len(piece) < len(chunk) else data, header, columns, at)
        for at, piece in (
            (read + start, chunk[start : start + PIECE_ROWS])
            for start in range(0, len(chunk), PIECE_ROWS)
        )
    ]
    return merged(pieces)


def _fast(
    chunk: list[bytes], data: bytes, header: list[str], columns: dict[str, int], read: int
) -> Block:
    """A block of lines (``data`` joined) without quotes: one row a line, cells between commas."""
    cells, data = _split(data, len(header))
    numbers = list(range(read + 1, read + 1 + len(chunk)))
    good = cells.well_formed
    if not good.all() or len(header) == 1:  # odd rows, or blank lines (a row of one cell)
        kept = [
            (number, line)
            for number, line in zip(numbers, chunk, strict=True)
            if line not in _BLANK
        ]
        if len(kept) < len(chunk):
            chunk, numbers = [line for _, line in kept], [number for number, _ in kept]
            cells, data = _split(b"".join(chunk), len(header))
            good = cells.well_formed
        if not good.all():
            return _with_odd_rows(chunk, numbers, header, good, cells, data)
    return Block(
        numbers,
        {},
        list(range(len(numbers))),
        _ids(data, cells, columns),
        _codes(data, cells, columns),
        _Rows(data, cells, header),
    )


def _split(data: bytes, width: int) -> tuple[Cells, bytes]:
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n")
    if data and not data.endswith(b"\n"):
        data += b"\n"
    return split(data, width, b",", b"\n"), data


def _codes(data: bytes, cells: Cells, columns: dict[str, int]) -> Codes:
    every = keys(data, cells.starts, cells.lengths)
    cell, binary, non_key = (
        _group(every, columns, names, code, absent)
        for names, code, absent in (
            (_CODED_KEYS[:_N_CELLS], cell_codes, INVALID),
            (_CODED_KEYS[_N_CELLS:_N_REQUIRED], binary_codes, INVALID),
            # No such column: no lowest non-key muscle.
            (_CODED_KEYS[_N_REQUIRED:], non_key_key_codes, NO_NON_KEY),
        )
    )
    return cell.T, binary.T, non_key.T


def _group(
    every: Keys,
    columns: dict[str, int],
    names: tuple[str, ...],
    code: Callable[[Keys, list[int]], np.ndarray],
    absent: int,
) -> np.ndarray:
    """Codes of some keys' columns, column-major; ``absent`` for a key without a column."""
    present = [columns[name] for name in names if name in columns]
    codes = code(every, present)
    if len(present) == len(names):
        return codes
    out = np.full((len(names), codes.shape[1]), absent, dtype=np.int16)
    out[[i for i, name in enumerate(names) if name in columns]] = codes
    return out


def _ids(data: bytes, cells: Cells, columns: dict[str, int]) -> list[object]:
    column = columns.get("id")
    if column is None:
        return [MISSING] * cells.starts.shape[0]
    # Gathered into one buffer, one id a line (no id holds a newline: a row is a line), and
    # decoded once: a decoding error never spans a newline, so each id reads as on its own.
    starts, lengths = cells.starts[:, column], cells.lengths[:, column] + 1
    ends = np.cumsum(lengths)
    at = np.arange(int(ends[-1]) if ends.size else 0) + np.repeat(
        starts - (ends - lengths), lengths
    )
    gathered = np.frombuffer(data, dtype=np.uint8).take(at)
    gathered[ends - 1] = ord("\n")
    ids: list[object] = gathered.tobytes().decode("utf-8", "replace").split("\n")[:-1]
    return ids


class _Rows:
    """Row ``i`` of a fast block as a flat mapping (read only for rows with an invalid value)."""

    def __init__(self, data: bytes, cells: Cells, header: list[str]) -> None:
        self._data, self._cells, self._header = data, cells, header

    def __call__(self, i: int) -> dict[str, object]:
        start = int(self._cells.starts[i, 0])
        end = int(self._cells.starts[i, -1] + self._cells.lengths[i, -1])
        return dict(zip(self._header, _text(self._data[start:end]).split(","), strict=True))


def _with_odd_rows(
    chunk: list[bytes],
    numbers: list[int],
    header: list[str],
    good: np.ndarray,
    cells: Cells,
    data: bytes,
) -> Block:
    """A fast block with rows of more or fewer cells than the header: those read as the ``csv``
    module reads them (too many cells: an error; too few: an exam without the missing keys)."""
    well = np.flatnonzero(good).tolist()
    rows = _Rows(data, cells, header)
    items: list[tuple[int, dict[str, object] | str]] = []
    position = dict(zip(well, range(len(well)), strict=True))
    for r, number in enumerate(numbers):
        if r in position:
            items.append((number, rows(position[r])))
        else:
            items.append((number, _row(next(csv.reader([_text(chunk[r])]), []), header)))
    return dict_block(items)


def _row(cells: list[str], header: list[str]) -> dict[str, object] | str:
    if len(cells) > len(header):
        return f"{len(cells)} cells, but the header has {len(header)}"
    return dict(zip(header, cells, strict=False))  # a short row lacks keys


def _general(
    lines: Iterable[bytes], header: list[str], read: int, block_rows: int
) -> Iterator[Block]:
    """The rest of the file through the ``csv`` module."""
    reader = csv.reader(map(_text, lines))
    items: list[tuple[int, dict[str, object] | str]] = []
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            items.append((read + reader.line_num, f"invalid CSV: {exc}"))
        else:
            if cells:  # a blank line is skipped
                items.append((read + reader.line_num, _row(cells, header)))
        if len(items) == block_rows:
            yield dict_block(items)
            items = []
    if items:
        yield dict_block(items)


def dict_block(items: list[tuple[int, dict[str, object] | str]]) -> Block:
    """A block of rows read one by one: (number, flat exam or the message of an unreadable row)."""
    numbers = [number for number, _ in items]
    problems = {i: item for i, (_, item) in enumerate(items) if isinstance(item, str)}
    exams = [i for i, (_, item) in enumerate(items) if not isinstance(item, str)]
    rows = [item for _, item in items if not isinstance(item, str)]
    ids = [row.get("id", MISSING) for row in rows]
    return Block(numbers, problems, exams, ids, row_codes(rows), rows.__getitem__)
