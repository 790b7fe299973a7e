"""Blocks of flat exams from JSON Lines: one JSON object a line, blank lines skipped but counted.

Two readers give the same rows. The fast one decodes a line with ``msgspec`` into a struct of
exactly the exam keys (and ``id``), then codes all of a block's values at once: no dict per row,
no Python call per value. It takes only lines on which it cannot disagree with ``orjson``: ASCII,
no escape sequence, no key other than the exam keys and ``id``, every exam value one of its known
values as written (a non-key muscle may be null), an id that orjson reads the same. Every other
line goes through ``orjson`` into a dict, as the scalar engine's reader does, with the same
messages for invalid JSON.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from itertools import chain, islice
from operator import itemgetter
from typing import Final, Literal

import msgspec
import numpy as np
import orjson

from cordtrack.isncsci.batch.codes import BINARY_VALUES, MOTOR_VALUES
from cordtrack.isncsci.batch.delimited import keys, split
from cordtrack.isncsci.batch.encode import (
    CELL_KEYS,
    NO_NON_KEY,
    binary_codes,
    cell_codes,
    row_codes,
)
from cordtrack.isncsci.exam import NON_KEY_LEVELS
from cordtrack.isncsci.types import DAP_KEY, NON_KEY_KEYS, RESULT_LEVELS, VAC_KEY, Side

from .block import BLOCK_ROWS, MISSING, PIECE_ROWS, Block, Codes

_VALUE_KEYS: Final = (*CELL_KEYS, VAC_KEY, DAP_KEY)  # the string values, coded together
_N_VALUES: Final = len(_VALUE_KEYS)
_NON_KEY_FIELDS: Final = (NON_KEY_KEYS[Side.RIGHT], NON_KEY_KEYS[Side.LEFT])
_UNSET: Final = msgspec.UNSET

# Values typed as the literals they may be: msgspec then checks each against a small set and
# keeps the literal's own string, about twice as fast as reading any string. A value outside the
# set (valid or not: " 2" is) sends the line to orjson and the exact parser.
_Cell = Literal[MOTOR_VALUES]  # type: ignore[valid-type]  # the sensory values are among them
_Binary = Literal[BINARY_VALUES]  # type: ignore[valid-type]
_NonKey = Literal[("", *NON_KEY_LEVELS)] | None  # type: ignore[valid-type]

#: A flat exam: the cell values, VAC and DAP, the non-key muscles, and the id (a JSON scalar).
FlatExam = msgspec.defstruct(
    "FlatExam",
    [
        # "" is no cell value: an absent key is coded invalid, and the exact parser reports it.
        *((key, _Cell if key in CELL_KEYS else _Binary, "") for key in _VALUE_KEYS),
        *((key, _NonKey, None) for key in _NON_KEY_FIELDS),
        ("id", str | int | float | bool | None | msgspec.UnsetType, _UNSET),
    ],
    forbid_unknown_fields=True,
    gc=False,
)
_decode = msgspec.json.Decoder(FlatExam).decode
_fields = msgspec.structs.astuple


def jsonl_blocks(
    lines: Iterable[bytes], block_rows: int = BLOCK_ROWS, *, fast: bool = True, first: int = 1
) -> Iterator[Block]:
    """The rows of JSON Lines, ``block_rows`` lines at a time, read lazily; with ``fast`` false,
    every line through orjson (for a reader that wants each row's mapping anyway). ``first`` is
    the line number of the first line."""
    numbered = enumerate(lines, first)
    while chunk := list(islice(numbered, block_rows)):
        yield _block(chunk, fast)


def _block(chunk: list[tuple[int, bytes]], fast_path: bool) -> Block:
    numbers: list[int] = []
    problems: dict[int, str] = {}
    exams: list[int] = []
    ids: list[object] = []
    flat: list[bytes | dict[str, object]] = []  # per exam: a fast row's line, or orjson's dict
    fast: list[tuple[object, ...]] = []  # struct fields of the fast rows
    for number, line in chunk:
        if fast_path and line.isascii() and b"\\" not in line:
            try:
                fields = _fields(_decode(line))
                id_ = _id(fields[-1])
            except (msgspec.DecodeError, msgspec.ValidationError, ValueError):
                pass
            else:
                exams.append(len(numbers))
                numbers.append(number)
                ids.append(id_)
                flat.append(line)
                fast.append(fields)
                continue
        try:
            row = orjson.loads(line)
        except orjson.JSONDecodeError as exc:  # also for bytes that are not UTF-8
            if line.strip():
                problems[len(numbers)] = f"invalid JSON: {exc}"
                numbers.append(number)
            continue
        if not isinstance(row, dict):
            problems[len(numbers)] = "not a JSON object"
            numbers.append(number)
            continue
        exams.append(len(numbers))
        numbers.append(number)
        ids.append(row.get("id", MISSING))
        flat.append(row)
    return Block(numbers, problems, exams, ids, _codes(flat, fast), _Rows(flat))


def _id(id_: object) -> object:
    """The id, which orjson reads the same: not an integer beyond 64 bits (orjson reads a float),
    nor a number beyond the float range (orjson refuses it)."""
    if id_ is _UNSET:
        return MISSING
    if type(id_) is int and not _INT_MIN <= id_ <= _UINT_MAX:
        raise ValueError("an integer id beyond 64 bits")
    if type(id_) is float and not math.isfinite(id_):
        raise ValueError("a number id beyond the float range")
    return id_


_INT_MIN: Final = -(2**63)
_UINT_MAX: Final = 2**64 - 1


def _codes(flat: list[bytes | dict[str, object]], fast: list[tuple[object, ...]]) -> Codes:
    """Value codes of every exam: the fast rows' coded together, the others' one by one."""
    if len(fast) == len(flat):
        return _fast_codes(fast) if fast else row_codes([])
    n = len(flat)
    cells = np.empty((n, len(CELL_KEYS)), dtype=np.int16)
    binary = np.empty((n, 2), dtype=np.int16)
    non_key = np.empty((n, 2), dtype=np.int16)
    slow = [i for i, row in enumerate(flat) if isinstance(row, dict)]
    cells[slow], binary[slow], non_key[slow] = row_codes([flat[i] for i in slow])
    if fast:
        rows = [i for i, row in enumerate(flat) if isinstance(row, bytes)]
        cells[rows], binary[rows], non_key[rows] = _fast_codes(fast)
    return cells, binary, non_key


def _fast_codes(fast: list[tuple[object, ...]]) -> Codes:
    """Codes of the fast rows, coded in pieces of :data:`.block.PIECE_ROWS` rows (whose working
    arrays stay in cache)."""
    if len(fast) <= PIECE_ROWS:
        return _piece_codes(fast)
    pieces = [_piece_codes(fast[i : i + PIECE_ROWS]) for i in range(0, len(fast), PIECE_ROWS)]
    cells, binary, non_key = (np.concatenate(parts) for parts in zip(*pieces, strict=True))
    return cells, binary, non_key


def _piece_codes(fast: list[tuple[object, ...]]) -> Codes:
    # The values are known literals (:data:`FlatExam`), none holding a separator: joined, they
    # are split and coded with a handful of array operations (measured: joining rows is the
    # cheapest way from Python strings to bytes, about 2 us a row; a dict lookup or id() per
    # value costs four times that).
    n = len(fast)
    data = (
        _ROW_END.join([_CELL_END.join(fields[:_N_VALUES]) for fields in fast])  # type: ignore[arg-type]
        + _ROW_END
    ).encode()
    cells = split(data, _N_VALUES, _CELL_END.encode(), _ROW_END.encode())
    every = keys(data, cells.starts, cells.lengths)
    width = len(CELL_KEYS)
    non_key = np.fromiter(
        map(_NON_KEY_CODES.__getitem__, chain.from_iterable(map(_NON_KEY_FIELDS_OF, fast))),
        dtype=np.int16,
        count=2 * n,
    ).reshape(n, 2)
    cell = cell_codes(every, range(width))
    binary = binary_codes(every, range(width, _N_VALUES))
    return cell.T, binary.T, non_key


#: Every value a non-key muscle field of :data:`FlatExam` can hold, and its code.
_NON_KEY_CODES: Final = {None: NO_NON_KEY, "": NO_NON_KEY} | {
    level: RESULT_LEVELS.index(level) for level in NON_KEY_LEVELS
}
_NON_KEY_FIELDS_OF: Final = itemgetter(_N_VALUES, _N_VALUES + 1)
_CELL_END: Final = "\x1f"
_ROW_END: Final = "\x1e"


class _Rows:
    """Exam ``i`` as a flat mapping: the dict orjson read, or the fast row's line read again."""

    def __init__(self, flat: list[bytes | dict[str, object]]) -> None:
        self._flat = flat

    def __call__(self, i: int) -> Mapping[str, object] | None:
        row = self._flat[i]
        if isinstance(row, bytes):
            parsed: dict[str, object] = orjson.loads(row)
            return parsed
        return row
