"""Result records as JSON Lines or CSV bytes: one record per input row.

A classified row gives the row's id (when it has one) and the 25 result keys, as
``{"id": ..., **classify(exam).to_flat()}``. A row that cannot be classified gives an error record
(:func:`error_record`). :class:`JsonLines` and :class:`Csv` write both kinds; for a block of
classified exams they build each line from fragments rendered once per distinct value (a block has
few), so that the work per row is a join of 26 byte strings. Their bytes are those of ``orjson``
and of the ``csv`` module on the same records (tested).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Mapping
from typing import Final

import orjson

from cordtrack.isncsci import RESULT_KEYS, FieldError
from cordtrack.isncsci.batch import BatchResult
from cordtrack.isncsci.batch.result import spread

from .block import MISSING

Record = Mapping[str, object]
#: Columns of CSV output: the id, the 25 result keys, and the message of an error record.
CSV_COLUMNS: Final = ("id", *RESULT_KEYS, "error")
_MISSING_SHOWN: Final = 3
_CSV_SPECIAL: Final = re.compile(r'[,"\r\n]')
_CSV_ODD: Final = re.compile(r'["\r\n\x00]')
#: What orjson escapes in a string, and what the csv module quotes, but the newline (which
#: :func:`_plain_heads` checks apart, as it joins the ids with it).
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
        columns = self._fragments(result)
        heads = _plain_heads(ids, self._before, self._after, self._special)
        if heads is None:
            heads = [self._head(id_) for id_ in ids]
        return list(map(b"".join, zip(heads, *columns, strict=True)))


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
        return _csv_cell(value) + (b",\n" if column == _LAST else b",")  # "error" is empty

    def _head(self, id_: object) -> bytes:
        return b"," if id_ is MISSING else _csv_cell(id_) + b","

    def header(self) -> bytes:
        return _csv_row(CSV_COLUMNS)

    def record(self, record: Record) -> bytes:
        return _csv_row([record.get(column, "") for column in CSV_COLUMNS])


def _plain_heads(
    ids: list[object], before: bytes, after: bytes, special: re.Pattern[str]
) -> list[bytes] | None:
    """``before + id + after`` for each id, when every id is a string that needs no quoting or
    escaping: with one join, one encoding and one split instead of work per row."""
    if not ids or not all(type(id_) is str for id_ in ids):
        return None
    text = "\n".join(ids)  # type: ignore[arg-type]
    if text.count("\n") != len(ids) - 1 or special.search(text):  # a newline in an id, or...
        return None
    separator = after + b"\n" + before
    return (before + text.encode().replace(b"\n", separator) + after).split(b"\n")


class _Fragments:
    """Per result column, the bytes of each value in a line, made once per value and kept."""

    def __init__(self, make: Callable[[int, str, str], bytes]) -> None:
        self._make = make
        self._made: list[dict[str, bytes]] = [{} for _ in RESULT_KEYS]

    def __call__(self, result: BatchResult) -> list[list[bytes]]:
        columns = []
        for i, (key, (values, index)) in enumerate(result.distinct().items()):
            made = self._made[i]
            if len(made) > _KEPT:  # a pathological file: do not grow without bound
                made.clear()
            fragments = [made.get(v) or made.setdefault(v, self._make(i, key, v)) for v in values]
            columns.append(spread(fragments, index))
        return columns


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
