"""The batch result: each set-valued output as bitmasks, the totals as integers; and its rendering
in the notation of the published cases, identical to :meth:`Classification.to_flat
<cordtrack.isncsci.result.Classification.to_flat>`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, TypeVar

import numpy as np
from numpy.typing import NDArray

from ..types import (
    AIS_GRADES,
    COMPLETENESS,
    INTACT,
    LEVEL_KEYS,
    NOT_APPLICABLE,
    NOT_DETERMINABLE,
    RESULT_KEYS,
    RESULT_LEVELS,
    TOTAL_KEYS,
    ZPP_KEYS,
)
from .codes import INT_BIT, NA_BIT

_T = TypeVar("_T")
#: The 11 set-valued results, in the order of the rows of :attr:`BatchResult.reached`.
SET_KEYS: Final = (*LEVEL_KEYS, *ZPP_KEYS, "asiaImpairmentScale", "injuryComplete")
_LEVELS = (*((i, v) for i, v in enumerate(RESULT_LEVELS)), (INT_BIT, INTACT))
_ZPPS = ((NA_BIT, NOT_APPLICABLE), *((i, v) for i, v in enumerate(RESULT_LEVELS)))
#: Per set-valued result: its domain as (bit, name), in the order values are rendered.
DOMAINS: Final = {
    **dict.fromkeys(LEVEL_KEYS, _LEVELS),
    **dict.fromkeys(ZPP_KEYS, _ZPPS),
    "asiaImpairmentScale": tuple(enumerate(AIS_GRADES)),
    "injuryComplete": tuple(enumerate(COMPLETENESS)),
}


def render(domain: tuple[tuple[int, str], ...], reached: int, starred: int) -> str:
    """One result in the published notation, e.g. ``C5,C6*``."""
    return ",".join(
        f"{name}*" if starred >> bit & 1 else name for bit, name in domain if reached >> bit & 1
    )


@dataclass(frozen=True)
class BatchResult:
    """The classification of N exams.

    Attributes
    ----------
    reached : ndarray of uint32, shape (11, N)
        Per result of :data:`SET_KEYS`, the bitmask of its possible values (levels C1..S3 bits
        0..28, INT bit 29, NA bit 30; AIS A..E bits 0..4; completeness C, I bits 0, 1).
    starred : ndarray of uint32, shape (11, N)
        The possible values that carry a star (a subset of ``reached``).
    totals : ndarray of int16, shape (14, N)
        The totals in the order of ``TOTAL_KEYS`` (0 where not determinable).
    not_determinable : ndarray of bool, shape (14, N)
        Where a total is ``ND``.
    rows : ndarray of int64, shape (N,)
        The input row of each exam (see :func:`~cordtrack.isncsci.batch.encode`).
    """

    reached: NDArray[np.uint32]
    starred: NDArray[np.uint32]
    totals: NDArray[np.int16]
    not_determinable: NDArray[np.bool_]
    rows: NDArray[np.int64]

    def __len__(self) -> int:
        return int(self.rows.shape[0])

    def packed(self) -> dict[str, NDArray[np.intp] | NDArray[np.uint64]]:
        """The 25 results (in ``RESULT_KEYS`` order), each exam's value as one integer that
        :func:`text` renders: a total is its index in :data:`TOTAL_TEXTS`, a set-valued result
        ``reached | starred << 32``."""
        out: dict[str, NDArray[np.intp] | NDArray[np.uint64]] = {}
        # A total is ND or 0..112: its text is read from a list indexed by the total plus one.
        index = np.where(self.not_determinable, 0, self.totals.astype(np.intp) + 1)
        for i, key in enumerate(TOTAL_KEYS):
            out[key] = index[i]
        both = self.reached.astype(np.uint64) | (self.starred.astype(np.uint64) << np.uint64(32))
        for i, key in enumerate(SET_KEYS):
            out[key] = both[i]
        return {k: out[k] for k in RESULT_KEYS}

    def distinct(self) -> dict[str, tuple[list[str], NDArray[np.intp]]]:
        """The 25 results (in ``RESULT_KEYS`` order) as their distinct rendered values and, per
        exam, the index of its value among them: each distinct value is rendered only once."""
        out: dict[str, tuple[list[str], NDArray[np.intp]]] = {}
        for key, packed in self.packed().items():
            if key in _TOTALS:
                out[key] = (TOTAL_TEXTS, packed.astype(np.intp))
                continue
            unique, inverse = np.unique(packed, return_inverse=True)
            out[key] = (list(map(_RENDERERS[key], unique.tolist())), inverse.reshape(-1))
        return out

    def columns(self) -> dict[str, list[str]]:
        """The 25 results as columns of strings, by result key (in ``RESULT_KEYS`` order)."""
        return {key: spread(values, index) for key, (values, index) in self.distinct().items()}

    def to_flat_rows(self) -> list[dict[str, str]]:
        """Per exam, the 25 result keys as strings: what ``classify(exam).to_flat()`` gives."""
        columns = self.columns()
        return [
            dict(zip(RESULT_KEYS, values, strict=True))
            for values in zip(*columns.values(), strict=True)
        ]


class _Renderer(dict[int, str]):
    """Packed (reached, starred) bitmasks -> the published notation, each rendered once."""

    def __init__(self, domain: tuple[tuple[int, str], ...]) -> None:
        super().__init__()
        # Per bit, its place in the rendering order and its name: only the set bits are visited.
        self._place = {bit: (place, name) for place, (bit, name) in enumerate(domain)}

    def __missing__(self, both: int) -> str:
        if len(self) > 1 << 16:  # a file has a few thousand distinct results; never grow unbounded
            self.clear()
        reached, starred = both & 0xFFFFFFFF, both >> 32
        found = []
        while reached:
            bit = (reached & -reached).bit_length() - 1
            reached &= reached - 1
            place, name = self._place[bit]
            found.append((place, f"{name}*" if starred >> bit & 1 else name))
        text = self[both] = ",".join(name for _, name in sorted(found))
        return text


_RENDERERS: Final = {key: _Renderer(domain).__getitem__ for key, domain in DOMAINS.items()}
#: A total's text by the total plus one (0: not determinable); the largest total is 112.
TOTAL_TEXTS: Final = [NOT_DETERMINABLE, *map(str, range(113))]
_TOTALS: Final = frozenset(TOTAL_KEYS)


def texts(key: str, packed: Sequence[int]) -> list[str]:
    """The published notation of results of :meth:`BatchResult.packed` (e.g. ``C5,C6*``): for the
    set-valued results with array operations, each value's names (starred or not) in rendering
    order, then one join and one split for all."""
    if key in _TOTALS:
        return [TOTAL_TEXTS[p] for p in packed]
    values = np.array(packed, dtype=np.uint64)
    reached = (values & np.uint64(0xFFFFFFFF)).astype("<u4")
    if not values.size or not reached.all():  # no value, or one without any (never happens)
        return [_RENDERERS[key](p) for p in packed]
    order, words = _WORDS[key]
    row, place = np.nonzero(_bits(reached)[:, order])
    starred = _bits((values >> np.uint64(32)).astype("<u4"))[:, order][row, place]
    last = np.empty(row.size, dtype=np.uint8)
    np.not_equal(row[1:], row[:-1], out=last[:-1], casting="unsafe")
    last[-1] = 1
    # Per name: plain or starred, then followed by a comma or ending its value.
    chosen = words.take(place * 4 + starred * 2 + last)
    return "".join(chosen.tolist()).split("\n")[:-1]


def _bits(masks: NDArray[np.uint32]) -> NDArray[np.uint8]:
    """Bits 0..31 of little-endian 32-bit masks, shape (N, 32)."""
    out: NDArray[np.uint8] = np.unpackbits(
        masks.view(np.uint8).reshape(-1, 4), axis=1, bitorder="little"
    )
    return out


def _words(domain: tuple[tuple[int, str], ...]) -> tuple[list[int], NDArray[np.object_]]:
    words = np.array(
        [w for _, name in domain for w in (f"{name},", f"{name}\n", f"{name}*,", f"{name}*\n")],
        dtype=object,
    )
    return [bit for bit, _ in domain], words


_WORDS: Final = {key: _words(domain) for key, domain in DOMAINS.items()}


def spread(values: Sequence[_T], index: NDArray[np.intp]) -> list[_T]:
    """``[values[i] for i in index]``, without a Python loop."""
    table = np.empty(len(values), dtype=object)
    table[:] = values
    out: list[_T] = table.take(index).tolist()
    return out
