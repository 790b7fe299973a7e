"""The batch result: each set-valued output as bitmasks, the totals as integers; and its rendering
in the notation of the published cases, identical to :meth:`Classification.to_flat
<cordtrack.isncsci.result.Classification.to_flat>`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Final

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

    def columns(self) -> dict[str, list[str]]:
        """The 25 results as columns of strings, by result key (in ``RESULT_KEYS`` order).

        Each distinct (reached, starred) pair is rendered once and spread with the inverse index
        of :func:`numpy.unique`.
        """
        out: dict[str, list[str]] = {}
        for i, key in enumerate(TOTAL_KEYS):
            values = np.where(self.not_determinable[i], -1, self.totals[i].astype(np.int32))
            out[key] = _spread(values, _render_total)
        for i, key in enumerate(SET_KEYS):
            domain = DOMAINS[key]
            both = self.reached[i].astype(np.uint64) | (
                self.starred[i].astype(np.uint64) << np.uint64(32)
            )
            out[key] = _spread(both, partial(_render_packed, domain))
        return {k: out[k] for k in RESULT_KEYS}

    def to_flat_rows(self) -> list[dict[str, str]]:
        """Per exam, the 25 result keys as strings: what ``classify(exam).to_flat()`` gives."""
        columns = self.columns()
        return [
            dict(zip(RESULT_KEYS, values, strict=True))
            for values in zip(*columns.values(), strict=True)
        ]


def _render_packed(domain: tuple[tuple[int, str], ...], both: int) -> str:
    return render(domain, both & 0xFFFFFFFF, both >> 32)


def _render_total(value: int) -> str:
    return NOT_DETERMINABLE if value < 0 else str(value)


def _spread(values: NDArray[np.generic], text: Callable[[int], str]) -> list[str]:
    unique, inverse = np.unique(values, return_inverse=True)
    rendered = np.array([text(int(v)) for v in unique.tolist()], dtype=object)
    out: list[str] = rendered[inverse.reshape(-1)].tolist()
    return out
