"""Encoding exams once into compact code arrays, at the boundary of the batch engine.

Two entry points: :func:`encode` for rows (flat exam mappings, as parsed from JSON Lines) and
:func:`encode_columns` for columnar data (column name -> sequence of strings, as read from CSV).
Both check every value with a vectorised lookup; a row that fails goes through
:func:`~cordtrack.isncsci.exam.parse_exam`, which reports the same
:class:`~cordtrack.isncsci.errors.FieldError` messages as the scalar engine (values are exact, as
in the scalar parser: ``" 3 "`` is an error; :func:`assemble` ``lenient`` reads it as ``3``). No
row is dropped silently: an invalid one becomes an :class:`ErrorRecord`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial
from itertools import chain
from operator import itemgetter
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

from ..errors import ExamValidationError, FieldError
from ..exam import EXAM_KEYS, NON_KEY_LEVELS, normalised, parse_exam
from ..types import DAP_KEY, NON_KEY_KEYS, RESULT_LEVELS, VAC_KEY, Side
from .codes import BINARY_VALUES, INVALID, MOTOR_VALUES, N_MOTOR, N_SENSORY, SENSORY_FROM_MOTOR
from .delimited import Keys, Lookup, unicode_keys

#: The 132 cell keys, per side (right, left): 28 touch, 28 prick, 10 motor (``EXAM_KEYS`` order).
CELL_KEYS: Final = EXAM_KEYS[2 : 2 + 2 * (2 * N_SENSORY + N_MOTOR)]
_SIDE_WIDTH: Final = 2 * N_SENSORY + N_MOTOR
#: The code of "no lowest non-key muscle recorded".
NO_NON_KEY: Final = -1
_BAD_NON_KEY: Final = -2


class _Codes(dict[object, int]):
    """Raw value -> code; anything else -> :data:`INVALID`."""

    def __missing__(self, key: object) -> int:
        return INVALID


_CELL: Final = _Codes({v: i for i, v in enumerate(MOTOR_VALUES)})
_BINARY: Final = _Codes({v: i for i, v in enumerate(BINARY_VALUES)})
_NON_KEY_CODES: dict[object, int] = {None: NO_NON_KEY, "": NO_NON_KEY}
_NON_KEY_CODES.update({v: RESULT_LEVELS.index(v) for v in NON_KEY_LEVELS})
_NON_KEY: Final = _Codes(_NON_KEY_CODES)
_NON_KEY_FIELDS: Final = (NON_KEY_KEYS[Side.RIGHT], NON_KEY_KEYS[Side.LEFT])


@dataclass(frozen=True)
class ErrorRecord:
    """An input row that is not a valid exam: its index and every invalid field."""

    row: int
    errors: tuple[FieldError, ...]

    @property
    def message(self) -> str:
        """The messages of :class:`~cordtrack.isncsci.errors.ExamValidationError`."""
        return "; ".join(str(e) for e in self.errors)


@dataclass(frozen=True)
class ExamArrays:
    """N valid exams as code arrays (codes index ``SENSORY_VALUES`` / ``MOTOR_VALUES`` /
    ``BINARY_VALUES`` of :mod:`.codes`). Side axis: 0 right, 1 left.

    Attributes
    ----------
    touch, prick : ndarray of uint8, shape (2, 28, N)
        Segment-major: each dermatome of a side is one contiguous row of N codes, the layout the
        classification reads.
    motor : ndarray of uint8, shape (2, 10, N)
    vac, dap : ndarray of uint8, shape (N,)
    non_key : ndarray of int8, shape (2, N)
        ``RESULT_LEVELS`` index of the lowest non-key muscle with motor function, -1 for none.
    rows : ndarray of int64, shape (N,)
        Index of each exam in the input (rows that failed validation are absent).
    """

    touch: NDArray[np.uint8]
    prick: NDArray[np.uint8]
    motor: NDArray[np.uint8]
    vac: NDArray[np.uint8]
    dap: NDArray[np.uint8]
    non_key: NDArray[np.int8]
    rows: NDArray[np.int64]

    def __len__(self) -> int:
        return int(self.rows.shape[0])


def _lookup(values: Iterable[object], table: _Codes, count: int) -> NDArray[np.int16]:
    """Codes of hashable values, :data:`INVALID` (or the table's own code) for anything unknown."""
    return np.fromiter(map(table.__getitem__, values), dtype=np.int16, count=count)


def _safe(table: _Codes, value: object) -> int:
    try:
        return table[value]
    except TypeError:  # unhashable
        return INVALID


def _lookup_safe(values: Iterable[object], table: _Codes, count: int) -> NDArray[np.int16]:
    """:func:`_lookup` for values that may be unhashable."""
    return np.fromiter(map(partial(_safe, table), values), dtype=np.int16, count=count)


def assemble(
    cells: NDArray[np.int16],
    binary: NDArray[np.int16],
    non_key: NDArray[np.int16],
    fallback: Callable[[int], Mapping[str, object] | None],
    offset: int = 0,
    *,
    lenient: bool = False,
) -> tuple[ExamArrays, list[ErrorRecord], int]:
    """Validate the value codes of N exams and lay the valid ones out for the classification.

    Parameters
    ----------
    cells, binary, non_key : ndarray of int16, shapes (N, 132), (N, 2), (N, 2)
        Codes of the :data:`CELL_KEYS`, of VAC and DAP, and of the right and left lowest non-key
        muscle (:func:`row_codes`, :func:`packed_codes`).
    fallback : callable
        The flat exam of row ``r`` (None: no mapping at all), asked only for rows whose codes are
        not all valid: :func:`~cordtrack.isncsci.exam.parse_exam` reports its errors.
    offset : int
        Row index of the first exam.
    lenient : bool
        Read such rows through :func:`~cordtrack.isncsci.exam.normalised` first: values that
        differ from valid ones only by surrounding spaces or case are read as those.

    Returns
    -------
    arrays : ExamArrays
    errors : list of ErrorRecord
    normalised : int
        How many values the lenient reading replaced (0 unless ``lenient``).
    """
    n = cells.shape[0]
    side = cells.reshape(n, 2, _SIDE_WIDTH)
    sensory = side[:, :, : 2 * N_SENSORY]
    motor = side[:, :, 2 * N_SENSORY :]
    sensory_codes = SENSORY_FROM_MOTOR.take(np.minimum(sensory, len(MOTOR_VALUES)), mode="clip")
    sensory_codes[sensory >= len(MOTOR_VALUES)] = INVALID
    bad = (sensory_codes == INVALID).any(axis=(1, 2)) | (motor == INVALID).any(axis=(1, 2))
    bad |= (binary == INVALID).any(axis=1) | (non_key == _BAD_NON_KEY).any(axis=1)
    good = ~bad
    # Segment-major layout: (side, segment, exam).
    valid = sensory_codes[good].transpose(1, 2, 0)
    arrays = ExamArrays(
        touch=np.ascontiguousarray(valid[:, :N_SENSORY]),
        prick=np.ascontiguousarray(valid[:, N_SENSORY:]),
        motor=np.ascontiguousarray(motor[good].astype(np.uint8).transpose(1, 2, 0)),
        vac=binary[good, 0].astype(np.uint8),
        dap=binary[good, 1].astype(np.uint8),
        non_key=np.ascontiguousarray(non_key[good].astype(np.int8).T),
        rows=np.flatnonzero(good).astype(np.int64) + offset,
    )
    errors: list[ErrorRecord] = []
    repaired: list[tuple[int, dict[str, str]]] = []
    changed = 0
    for r in np.flatnonzero(bad).tolist():
        row = fallback(r)
        if lenient and row is not None:
            row, count = normalised(row)
            changed += count
        try:
            exam = parse_exam(row if row is not None else {})
        except ExamValidationError as error:
            errors.append(ErrorRecord(offset + r, error.errors))
        else:  # valid as read leniently: encode its canonical form
            repaired.append((offset + r, exam.to_flat()))
    if repaired:
        fixed, _ = encode([flat for _, flat in repaired])
        fixed = replace(fixed, rows=np.array([r for r, _ in repaired], dtype=np.int64))
        arrays = concatenate([arrays, fixed])
    return arrays, errors, changed


def concatenate(parts: Sequence[ExamArrays]) -> ExamArrays:
    """Exams of several :class:`ExamArrays` in one, sorted by input row (segment-major, C order)."""
    rows = np.concatenate([p.rows for p in parts])
    order = None if bool(np.all(rows[1:] >= rows[:-1])) else np.argsort(rows, kind="stable")

    def join(name: str, axis: int) -> NDArray[Any]:
        joined = np.concatenate([getattr(p, name) for p in parts], axis=axis)
        if order is not None:
            joined = np.take(joined, order, axis=axis)
        return np.ascontiguousarray(joined)

    return ExamArrays(
        touch=join("touch", 2),
        prick=join("prick", 2),
        motor=join("motor", 2),
        vac=join("vac", 0),
        dap=join("dap", 0),
        non_key=join("non_key", 1),
        rows=rows if order is None else rows[order],
    )


_CELLS_OF: Final = itemgetter(*CELL_KEYS)


def _cells_of(row: Mapping[str, object]) -> tuple[object, ...]:
    try:
        values: tuple[object, ...] = _CELLS_OF(row)
    except (KeyError, TypeError):
        values = tuple(row.get(k) for k in CELL_KEYS) if isinstance(row, Mapping) else ()
    return values if len(values) == len(CELL_KEYS) else (None,) * len(CELL_KEYS)


def encode(
    flat_exams: Iterable[Mapping[str, object]], *, first_row: int = 0
) -> tuple[ExamArrays, list[ErrorRecord]]:
    """Encode flat exams (the format of the published cases) into code arrays.

    Parameters
    ----------
    flat_exams : iterable of mapping
        The exams; keys other than the 134 exam keys are ignored.
    first_row : int
        Row index of the first exam (for chunked input).

    Returns
    -------
    arrays : ExamArrays
        The valid exams, with their row indices.
    errors : list of ErrorRecord
        One per invalid exam, with the messages of :func:`~cordtrack.isncsci.exam.parse_exam`.
    """
    rows = list(flat_exams)
    arrays, errors, _ = assemble(
        *row_codes(rows),
        lambda r: rows[r] if isinstance(rows[r], Mapping) else None,
        first_row,
    )
    return arrays, errors


def row_codes(
    rows: Sequence[Any],
) -> tuple[NDArray[np.int16], NDArray[np.int16], NDArray[np.int16]]:
    """Value codes (see :func:`assemble`) of rows that should be flat exam mappings; anything
    else (a missing key, a value of another type, a row that is no mapping) is coded invalid."""
    n = len(rows)
    try:
        flat = chain.from_iterable(map(_CELLS_OF, rows))
        cells = _lookup(flat, _CELL, n * len(CELL_KEYS))
    except (KeyError, TypeError):  # a missing key, an unhashable value, a row that is no mapping
        flat = chain.from_iterable(map(_cells_of, rows))
        cells = _lookup_safe(flat, _CELL, n * len(CELL_KEYS))
    binary = _lookup_safe(
        chain.from_iterable((_get(r, VAC_KEY), _get(r, DAP_KEY)) for r in rows), _BINARY, 2 * n
    )
    non_key = _lookup_safe(
        chain.from_iterable((_get(r, k) for k in _NON_KEY_FIELDS) for r in rows), _NON_KEY, 2 * n
    )
    non_key[non_key == INVALID] = _BAD_NON_KEY
    return cells.reshape(n, len(CELL_KEYS)), binary.reshape(n, 2), non_key.reshape(n, 2)


_CELL_LOOKUP: Final = Lookup(_CELL)
_BINARY_LOOKUP: Final = Lookup(_BINARY)
_NON_KEY_LOOKUP: Final = Lookup(_NON_KEY)
_LOOKUPS: Final = {
    id(_CELL): _CELL_LOOKUP,
    id(_BINARY): _BINARY_LOOKUP,
    id(_NON_KEY): _NON_KEY_LOOKUP,
}


def cell_codes(cells: Keys, columns: Sequence[int] | None = None) -> NDArray[np.int16]:
    """Codes of sensory and motor cell values read as lookup keys (:func:`.delimited.keys`), in
    any shape, or of some ``columns`` of (N, width) keys, column-major (:meth:`Lookup.columns`);
    :data:`~.codes.INVALID` for any other value (see :func:`assemble`)."""
    return _CELL_LOOKUP(cells) if columns is None else _CELL_LOOKUP.columns(cells, columns)


def binary_codes(binary: Keys, columns: Sequence[int] | None = None) -> NDArray[np.int16]:
    """Codes of VAC and DAP values read as keys (see :func:`cell_codes`)."""
    return _BINARY_LOOKUP(binary) if columns is None else _BINARY_LOOKUP.columns(binary, columns)


def non_key_key_codes(non_key: Keys, columns: Sequence[int] | None = None) -> NDArray[np.int16]:
    """Codes of lowest non-key muscle values read as keys (see :func:`cell_codes`)."""
    lookup = _NON_KEY_LOOKUP
    codes = lookup(non_key) if columns is None else lookup.columns(non_key, columns)
    codes[codes == INVALID] = _BAD_NON_KEY
    return codes


def _get(row: object, key: str) -> object:
    return row.get(key) if isinstance(row, Mapping) else INVALID


# --- columnar input ------------------------------------------------------------------------------


def _column_codes(
    column: Sequence[object] | NDArray[np.generic] | None, table: _Codes, n: int
) -> NDArray[np.int16]:
    """Codes of one column. A NumPy unicode column is looked up without a Python loop
    (:func:`.delimited.pack_unicode`)."""
    if column is None:
        return np.full(n, table[None], dtype=np.int16)
    try:
        array = np.asarray(column)
    except ValueError:  # ragged nested values (lists of lists of other lengths)
        array = None
    if array is not None and array.dtype.kind == "U" and array.shape == (n,):
        return _LOOKUPS[id(table)](unicode_keys(array))
    # Any other column is read value by value: a value that is a list or an object is coded
    # invalid (and reported by the exact parser), not spread into the column by NumPy.
    values: list[object] = [*column.reshape(-1)] if isinstance(column, np.ndarray) else [*column]
    if len(values) != n:
        raise ValueError(f"every column must have {n} values, one has {len(values)}")
    return _lookup_safe(values, table, n)


def encode_columns(
    columns: Mapping[str, Sequence[object] | NDArray[np.generic]], *, first_row: int = 0
) -> tuple[ExamArrays, list[ErrorRecord]]:
    """Encode columnar exams: each exam key maps to a column of N values (strings).

    Parameters
    ----------
    columns : mapping of str to sequence or ndarray, each of length N
        Columns named by exam keys (others are ignored); the optional non-key muscle columns may
        be absent. NumPy unicode arrays take a vectorised path; other sequences a dictionary one.
    first_row : int
        Row index of the first exam.

    Returns
    -------
    arrays : ExamArrays
    errors : list of ErrorRecord
    """
    present = [c for c in columns.values() if c is not None]
    n = len(present[0]) if present else 0
    cells = (
        np.stack([_column_codes(columns.get(k), _CELL, n) for k in CELL_KEYS], axis=1).reshape(
            n, len(CELL_KEYS)
        )
        if n
        else np.zeros((0, len(CELL_KEYS)), np.int16)
    )
    binary = np.stack([_column_codes(columns.get(k), _BINARY, n) for k in (VAC_KEY, DAP_KEY)], 1)
    non_key = np.stack([_column_codes(columns.get(k), _NON_KEY, n) for k in _NON_KEY_FIELDS], 1)
    non_key[non_key == INVALID] = _BAD_NON_KEY

    def row(r: int) -> Mapping[str, object]:
        return {k: _item(columns[k], r) for k in EXAM_KEYS if columns.get(k) is not None}

    arrays, errors, _ = assemble(cells, binary, non_key, row, first_row)
    return arrays, errors


def _item(column: Sequence[object] | NDArray[np.generic], r: int) -> object:
    value = column[r]
    return value.item() if isinstance(value, np.generic) else value
