"""Result records as JSON Lines or CSV bytes: one record per input row.

A classified row gives the row's id (when it has one) and the 25 result keys, as
``{"id": ..., **classify(exam).to_flat()}``. A row that cannot be classified gives an error record
(:func:`error_record`). :class:`JsonLines` and :class:`Csv` write both kinds; a block of
classified exams is built as one array of bytes from fragments rendered once per distinct value
(:meth:`_Format.lines`). Their bytes are those of ``orjson`` and of the ``csv`` module on the same
records (tested).
"""

from __future__ import annotations

import csv
import functools
import io
import re
from collections.abc import Callable, Mapping
from typing import Final

import numpy as np
import orjson
from numpy.typing import NDArray

from cordtrack.isncsci import RESULT_KEYS, FieldError
from cordtrack.isncsci.batch import BatchResult
from cordtrack.isncsci.batch.result import texts
from cordtrack.isncsci.types import TOTAL_KEYS

from .block import MISSING

Record = Mapping[str, object]
#: Columns of CSV output: the id, the 25 result keys, and the message of an error record.
CSV_COLUMNS: Final = ("id", *RESULT_KEYS, "error")
_MISSING_SHOWN: Final = 3
_CSV_SPECIAL: Final = re.compile(r'[,"\r\n]')
_CSV_ODD: Final = re.compile(r'["\r\n\x00]')
#: What orjson escapes in a string, and what the csv module quotes, but the newline (which
#: :meth:`_Format._head_matrix` checks apart, as it joins the ids with it).
_JSON_ESCAPED: Final = re.compile(r'[\x00-\x09\x0b-\x1f"\\]')
_CSV_QUOTED: Final = re.compile(r'[,"\r]')
_LAST: Final = len(RESULT_KEYS) - 1
_KEPT: Final = 1 << 16


def error_record(
    number: int, id_: object, message: str, errors: tuple[FieldError, ...] = ()
) -> dict[str, object]:
    """``{"id" (when the row has one), "row", "error", "errors"}``: the row's number, the errors in
    one line, and each field error."""
    record: dict[str, object] = {} if id_ is MISSING else {"id": id_}
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


class _Format:
    """What both formats share: a record per line, error records, and lines of results built
    from a head (``before + id + after`` for a plain string id, :meth:`_head` otherwise) and the
    fragments of the 25 results."""

    _before: bytes
    _after: bytes
    _special: re.Pattern[str]  # what makes an id other than plain

    def __init__(self) -> None:
        self._fragments = _Fragments(self._fragment)

    def _fragment(self, column: int, key: str, value: str) -> bytes:
        raise NotImplementedError

    def _head(self, id_: object) -> bytes:
        raise NotImplementedError

    def record(self, record: Record) -> bytes:
        raise NotImplementedError

    def error(
        self, number: int, id_: object, message: str, errors: tuple[FieldError, ...] = ()
    ) -> bytes:
        return self.record(error_record(number, id_, message, errors))

    def results(self, result: BatchResult, ids: list[object]) -> list[bytes]:
        """The line of each exam (for a block that also has error records, or odd ids): the
        results as :meth:`lines` builds them, split at their line ends, each after its head."""
        if not len(result):
            return []
        body = np.concatenate(self._fragments.padded(result), axis=1)
        tails = body.tobytes().translate(None, b"\0").split(b"\n")[:-1]  # no result holds one
        return [self._head(i) + tail + b"\n" for i, tail in zip(ids, tails, strict=True)]

    def lines(self, result: BatchResult, ids: list[object]) -> bytes:
        """``b"".join(self.results(result, ids))``, built as one array when the ids allow it: a
        row of bytes per exam, each fragment padded with NUL to its column's widest value in the
        block, then the NULs dropped (no result value, and no such id, has one)."""
        heads = self._head_matrix(ids)
        if heads is None or not len(result):
            return b"".join(self.results(result, ids))
        matrix = np.concatenate([heads, *self._fragments.padded(result)], axis=1)
        return matrix.tobytes().translate(None, b"\0")

    def _head_matrix(self, ids: list[object]) -> NDArray[np.uint8] | None:
        """The heads of the lines as rows of bytes padded with NUL, or None when some id is not
        a plain string (no quoting, no escaping, no NUL) and not every id is missing."""
        n, types = len(ids), set(map(type, ids))
        if types == {type(MISSING)}:  # no id column
            return np.tile(np.frombuffer(self._head(MISSING), np.uint8), (n, 1))
        if types != {str}:
            return None
        text = "\n".join(ids)  # type: ignore[arg-type]
        if text.count("\n") != n - 1 or "\0" in text or self._special.search(text):
            return None
        raw = np.frombuffer(text.encode(), np.uint8)
        breaks = raw == ord("\n")
        row = np.cumsum(breaks)  # the id of each byte (a break belongs to the next id)
        starts = np.concatenate(([0], np.flatnonzero(breaks) + 1))
        widths = np.diff(np.concatenate((starts, [raw.size + 1]))) - 1
        before, after = len(self._before), len(self._after)
        width = int(widths.max())
        matrix = np.zeros((n, before + width + after), np.uint8)
        matrix[:, :before] = np.frombuffer(self._before, np.uint8)
        matrix[:, before + width :] = np.frombuffer(self._after, np.uint8)
        keep = ~breaks
        place = np.arange(raw.size) - starts[row] + before
        matrix[row[keep], place[keep]] = raw[keep]
        return matrix


class JsonLines(_Format):
    """One compact JSON object a line (``orjson``)."""

    _before, _after, _special = b'{"id":"', b'",', _JSON_ESCAPED

    def _fragment(self, column: int, key: str, value: str) -> bytes:
        lead, tail = (b"," if column else b""), (b"}\n" if column == _LAST else b"")
        return lead + orjson.dumps(key) + b":" + orjson.dumps(value) + tail

    def _head(self, id_: object) -> bytes:
        return b"{" if id_ is MISSING else b'{"id":' + orjson.dumps(id_) + b","

    def header(self) -> bytes:
        return b""

    def record(self, record: Record) -> bytes:
        return orjson.dumps(record, option=orjson.OPT_APPEND_NEWLINE)


class Csv(_Format):
    """A header of :data:`CSV_COLUMNS`, then one row a record (the ``csv`` module's dialect
    ``excel`` with ``\\n`` line ends); an error record has its message in the last column."""

    _before, _after, _special = b"", b",", _CSV_QUOTED

    def _fragment(self, column: int, key: str, value: str) -> bytes:
        # A result is levels, grades, ND, NA or INT, with stars and commas: the csv module
        # quotes it only for a comma.
        cell = b'"' + value.encode() + b'"' if "," in value else value.encode()
        return cell + (b",\n" if column == _LAST else b",")  # "error" is empty

    def _head(self, id_: object) -> bytes:
        return b"," if id_ is MISSING else _csv_cell(id_) + b","

    def header(self) -> bytes:
        return _csv_row(CSV_COLUMNS)

    def record(self, record: Record) -> bytes:
        return _csv_row([record.get(column, "") for column in CSV_COLUMNS])


class _Fragments:
    """Per result column, the bytes of each value in a line, made once per value and kept."""

    def __init__(self, make: Callable[[int, str, str], bytes]) -> None:
        self._make = make
        self._padded = [
            # A total has 114 values: a small cache; a set-valued result, thousands in a file.
            _Padded(functools.partial(self._packed, i, key), 8 if key in TOTAL_KEYS else 16)
            for i, key in enumerate(RESULT_KEYS)
        ]

    def padded(self, result: BatchResult) -> list[NDArray[np.uint8]]:
        """Per result column, the fragment of each exam as a row of bytes padded with NUL."""
        return [
            column(packed)
            for column, packed in zip(self._padded, result.packed().values(), strict=True)
        ]

    def _packed(self, i: int, key: str, packed: list[int]) -> list[bytes]:
        return [self._make(i, key, value) for value in texts(key, packed)]


class _Padded:
    """One result column's fragments as rows of bytes padded with NUL, by packed value
    (:meth:`BatchResult.packed`). A value is rendered the first time it is met; a direct-mapped
    cache of 2**slot_bits slots, indexed by a multiplicative hash of the value, then finds its row
    with a few array operations, so that a block costs no Python work per exam nor per known
    value. A value missing from its slot (new, or displaced by another) is looked up by dict."""

    _EMPTY: Final = np.uint64(2**64 - 1)  # no packed value: their bits 31, 63 are never set

    def __init__(self, make: Callable[[list[int]], list[bytes]], slot_bits: int) -> None:
        self._make, self._slot_bits = make, slot_bits
        self._reset()

    def _reset(self) -> None:
        self._rows: dict[int, int] = {}  # packed value -> row of the table
        self._fragments: list[bytes] = []
        self._table = np.zeros((0, 1), np.uint8)
        self._slot_keys = np.full(1 << self._slot_bits, self._EMPTY, np.uint64)
        self._slot_rows = np.zeros(1 << self._slot_bits, np.intp)

    def __call__(self, packed: NDArray[np.uint64] | NDArray[np.intp]) -> NDArray[np.uint8]:
        packed = packed.astype(np.uint64, copy=False)
        slots = self._slot(packed)
        rows = self._slot_rows.take(slots)
        missed = self._slot_keys.take(slots) != packed
        if missed.any():
            new, inverse = np.unique(packed[missed], return_inverse=True)
            values = new.tolist()
            unseen = [v for v in values if v not in self._rows]
            if self._rows and len(self._rows) + len(unseen) > _KEPT:  # stay bounded: start
                self._reset()  # again from this block's values
                return self(packed)
            if unseen:
                self._learn(unseen)
            found = np.array([self._rows[v] for v in values], np.intp)
            rows[missed] = found[inverse.reshape(-1)]
            slots = self._slot(new)
            self._slot_keys[slots], self._slot_rows[slots] = new, found
        return self._table.take(rows, axis=0)

    def _slot(self, packed: NDArray[np.uint64]) -> NDArray[np.uint64]:
        # Fibonacci hashing (Knuth, TAOCP vol. 3, 6.4): the top bits of value * 2**64/phi.
        return (packed * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(64 - self._slot_bits)

    def _learn(self, values: list[int]) -> None:
        self._rows.update(
            zip(
                values, range(len(self._fragments), len(self._fragments) + len(values)), strict=True
            )
        )
        self._fragments += self._make(values)
        self._grow()

    def _grow(self) -> None:
        """Add the rows of the fragments made since the last call, widening the table when a
        new fragment is longer than every earlier one."""
        old, fragments = self._table, self._fragments[len(self._table) :]
        width = max(old.shape[1], *map(len, fragments))
        rows = np.frombuffer(b"".join(f.ljust(width, b"\0") for f in fragments), np.uint8)
        if width > old.shape[1]:
            old = np.pad(old, ((0, 0), (0, width - old.shape[1])))
        self._table = np.concatenate((old, rows.reshape(len(fragments), width)))


def _csv_cell(value: object) -> bytes:
    """One cell as the ``csv`` module writes it (quoted only when it must be)."""
    if type(value) is str:
        if not _CSV_SPECIAL.search(value):
            return value.encode()
        if "," in value and not _CSV_ODD.search(value):  # "C5,C6": quoted, nothing escaped
            return b'"' + value.encode() + b'"'
    return _csv_row([value, ""])[:-2]  # the module's own quoting, then drop ",\n"


def _csv_row(cells: object) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(cells)  # type: ignore[arg-type]
    return buffer.getvalue().encode()
