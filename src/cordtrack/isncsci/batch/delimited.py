"""Short delimited values (the cells of CSV rows, or exam values joined by one byte) straight into
value codes, with NumPy and no Python work per value.

The separators' positions give each cell's start and length (:func:`split`); a cell's bytes and
length make its key (:func:`keys`): a cell of up to two bytes, as most worksheet values are, is
read from a direct table, a longer one found by binary search among the known values of its
column (:class:`Lookup`). Any other cell (a longer value, a non-ASCII byte) gets the
:data:`~.codes.INVALID` code, which sends its row to the exact scalar parser
(:func:`~cordtrack.isncsci.exam.parse_exam`) in :func:`.encode.assemble`. So this module only ever
speeds up values the code tables know; it never decides what is valid.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
from numpy.typing import NDArray

from .codes import INVALID

#: A packed key that is no known value's.
UNKNOWN: Final = np.uint64(1 << 63)
_MAX_CHARS: Final = 4


def pack_value(value: str) -> int | None:
    """The packed key of a value of at most four ASCII characters (its bytes as a little-endian
    integer, plus its length times 2**32); None for any other value. A cell of other bytes never
    packs to the key of a known value: a non-ASCII byte is no byte of one, a longer cell has
    length five."""
    if len(value) > _MAX_CHARS or not value.isascii():
        return None
    return int.from_bytes(value.encode(), "little") | len(value) << 32


@dataclass(frozen=True)
class Keys:
    """Cells as lookup keys.

    Attributes
    ----------
    index : ndarray of intp
        Per cell, its length (at most five) times 2**16 plus the two bytes at its start (for a
        cell of one byte or none, what follows it, which the direct table gives every value of):
        a cell of up to two bytes is read from a direct table at this index.
    longer : ndarray of intp
        Flat positions of the cells of more than two bytes.
    packed : ndarray of uint64
        Their packed keys (:func:`pack_value` for known values).
    """

    index: NDArray[np.intp]
    longer: NDArray[np.intp]
    packed: NDArray[np.uint64]

    def pick(self, columns: Sequence[int]) -> Keys:
        """The keys of some columns of (N, width) keys, column-major: shape (columns, N)."""
        n, width = self.index.shape
        picked = list(columns)
        index = self.index.T[picked]
        if not self.longer.size:
            return Keys(index, self.longer, self.packed)
        position = np.full(width, -1, dtype=np.intp)
        position[picked] = np.arange(len(picked))
        row, column = np.divmod(self.longer, width)
        at = position.take(column)
        kept = at >= 0
        return Keys(index, (at * n + row)[kept], self.packed[kept])


class Lookup:
    """Cell keys -> codes of one code table (values of at most four ASCII characters).

    Values of up to two characters (most worksheet values) are read from a direct table; longer
    ones are found by binary search among the longer known values' packed keys.
    """

    def __init__(self, table: Mapping[object, int]) -> None:
        pairs = sorted(
            (key, code)
            for value, code in table.items()
            if isinstance(value, str) and (key := pack_value(value)) is not None
        )
        # Indexed by a cell's length times 2**16 plus the two bytes at its start (a shorter cell's
        # second byte is a separator or what follows it: every such byte has the cell's code).
        self._direct = np.full((_MAX_CHARS + 2) << 16, INVALID, dtype=np.int16)
        for key, code in pairs:
            length = key >> 32
            if length == 0:
                self._direct[: 1 << 16] = code
            elif length == 1:
                self._direct[(1 << 16) | (key & 0xFF) : 2 << 16 : 256] = code
            elif length == _DIRECT_CHARS:
                self._direct[(key & 0xFFFF) | length << 16] = code
        long = [(k, c) for k, c in pairs if k >> 32 > _DIRECT_CHARS] or [(int(UNKNOWN), INVALID)]
        self._keys = np.array([k for k, _ in long], dtype=np.uint64)
        self._codes = np.array([c for _, c in long], dtype=np.int16)

    def __call__(self, keys: Keys) -> NDArray[np.int16]:
        codes: NDArray[np.int16] = self._direct.take(keys.index)
        if keys.longer.size:
            at = np.minimum(np.searchsorted(self._keys, keys.packed), len(self._keys) - 1)
            found = self._codes.take(at)
            found[self._keys.take(at) != keys.packed] = INVALID
            codes.reshape(-1)[keys.longer] = found
        return codes

    def columns(self, keys: Keys, picked: Sequence[int]) -> NDArray[np.int16]:
        """The codes of some columns of (N, width) keys, column-major: shape (columns, N).
        ``keys.pick(picked)`` then a lookup; when most columns are picked, a lookup of all then
        a pick of the codes, which moves 2-byte codes rather than 8-byte keys."""
        if 2 * len(picked) < keys.index.shape[1]:
            return self(keys.pick(picked))
        every = self(keys)
        out: NDArray[np.int16] = every.T[list(picked)]
        return out


_DIRECT_CHARS: Final = 2


@dataclass(frozen=True)
class Cells:
    """Where the cells of a block of rows lie.

    Attributes
    ----------
    starts, lengths : ndarray of intp, shape (rows with ``width`` cells, width)
        Byte offset and length of each cell of the well-formed rows.
    counts : ndarray of intp, shape (rows,)
        How many cells each row of the block has.
    """

    starts: NDArray[np.intp]
    lengths: NDArray[np.intp]
    counts: NDArray[np.intp]

    @property
    def well_formed(self) -> NDArray[np.bool_]:
        """Per row of the block: has it ``width`` cells (and so a row of ``starts``)?"""
        out: NDArray[np.bool_] = self.counts == self.starts.shape[1]
        return out


def split(data: bytes, width: int, cell_separator: bytes, row_separator: bytes) -> Cells:
    """The cells of ``data``, rows of cells each ended by ``row_separator`` (the last one too).

    Rows of another number of cells than ``width`` are counted in ``counts`` but have no row in
    ``starts`` and ``lengths``.
    """
    a = np.frombuffer(data, dtype=np.uint8)
    cell_byte, row_byte = ord(cell_separator), ord(row_separator)
    ends = np.flatnonzero((a == cell_byte) | (a == row_byte))
    starts = np.empty_like(ends)
    starts[:1] = 0
    np.add(ends[:-1], 1, out=starts[1:])
    rows = data.count(row_separator)
    # Usually every row is well formed: then the n-th row separator is the (n * width)-th one.
    if ends.size == rows * width and bool((a.take(ends[width - 1 :: width]) == row_byte).all()):
        counts = np.full(rows, width, dtype=np.intp)
    else:
        last = np.flatnonzero(a.take(ends) == row_byte)  # each row's last separator, among ends
        counts = np.diff(last, prepend=-1)
        keep = np.repeat(counts == width, counts)
        starts, ends = starts[keep], ends[keep]
    return Cells(starts.reshape(-1, width), (ends - starts).reshape(-1, width), counts)


def keys(data: bytes, starts: NDArray[np.intp], lengths: NDArray[np.intp]) -> Keys:
    """The lookup keys of cells of ``data``. A cell of other bytes than a known value's never has
    that value's key: a non-ASCII byte is no byte of one, a longer cell has length five."""
    padded = data + bytes(_MAX_CHARS)  # so that a cell at the end can be read four bytes on
    length = np.minimum(lengths, _MAX_CHARS + 1)
    # Unaligned little-endian words at every byte offset: one gather reads a cell's first bytes.
    pairs = np.ndarray((len(data),), dtype="<u2", buffer=padded, strides=(1,))
    index = length << 16
    index |= pairs.take(starts)
    longer = np.flatnonzero(length > _DIRECT_CHARS)
    if not longer.size:
        return Keys(index, longer, np.zeros(0, dtype=np.uint64))
    words = np.ndarray((len(data),), dtype="<u4", buffer=padded, strides=(1,))
    size = length.reshape(-1).take(longer)
    packed = (words.take(starts.reshape(-1).take(longer)) & _ALL_BYTES.take(size)).astype(np.uint64)
    packed |= size.astype(np.uint64) << np.uint64(32)
    return Keys(index, longer, packed)


#: Masks of a cell's bytes in a word read at its start, by its length (five: longer than four).
_ALL_BYTES: Final = np.array([0, 0xFF, 0xFFFF, 0xFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF], dtype=np.uint32)


def unicode_keys(array: NDArray[np.str_]) -> Keys:
    """The lookup keys of the values of a NumPy unicode array."""
    n = array.shape[0]
    width = array.dtype.itemsize // 4
    chars = array.view(np.uint32).reshape(n, width) if width else np.zeros((n, 1), np.uint32)
    present = chars != 0
    # Non-ASCII characters or a NUL inside a value (NumPy pads with NULs at the end only): none
    # of the known values; they get length five, which no known value has.
    length = present.sum(axis=1)
    other = (chars > 0x7F).any(axis=1) | (np.cumprod(present, axis=1).sum(axis=1) != length)
    length = np.where(other, _MAX_CHARS + 1, np.minimum(length, _MAX_CHARS + 1))
    padded = np.zeros((n, _MAX_CHARS), dtype=np.uint32)
    padded[:, : min(width, _MAX_CHARS)] = chars[:, :_MAX_CHARS] & 0x7F
    index = (length << 16 | padded[:, 0] | padded[:, 1] << 8).astype(np.intp)
    longer = np.flatnonzero(length > _DIRECT_CHARS)
    packed = length.take(longer).astype(np.uint64) << np.uint64(32)
    for i in range(_MAX_CHARS):
        packed |= padded[:, i].take(longer).astype(np.uint64) << np.uint64(8 * i)
    return Keys(index, longer, packed)
