"""Outcome instruments: one module per instrument, each with a typed definition and a scorer.

    >>> from cordtrack.clinical.instruments import score_instrument
    >>> score_instrument("pain_nrs", {"nrs_pain_intensity": 4}).total
    4

Every scorer takes ``Mapping[str, object]`` (item key -> answer), validates all items and raises a
single :class:`~cordtrack.clinical.errors.InstrumentValidationError` listing every bad item.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Final

from .ashworth import MODIFIED_ASHWORTH, MasGrade, mas_grade, modified_ashworth, score_ashworth
from .base import Answer, Band, Instrument, InstrumentScore, Item, check_answers
from .nbd import NBD, score_nbd
from .pain import PAIN_NRS, score_pain_nrs
from .penn import PENN_SPASM, score_penn_spasm
from .qol import QOL_BASIC, score_qol_basic
from .scim import SCIM_III, score_scim
from .wisci import WISCI_II, score_wisci

__all__ = [
    "INSTRUMENTS",
    "MODIFIED_ASHWORTH",
    "NBD",
    "PAIN_NRS",
    "PENN_SPASM",
    "QOL_BASIC",
    "SCIM_III",
    "WISCI_II",
    "Answer",
    "Band",
    "Instrument",
    "InstrumentScore",
    "Item",
    "MasGrade",
    "check_answers",
    "mas_grade",
    "modified_ashworth",
    "score_ashworth",
    "score_instrument",
    "score_nbd",
    "score_pain_nrs",
    "score_penn_spasm",
    "score_qol_basic",
    "score_scim",
    "score_wisci",
]

Scorer = Callable[[Mapping[str, object]], InstrumentScore]

#: Each instrument's definition and scorer, by instrument code.
INSTRUMENTS: Final[Mapping[str, tuple[Instrument, Scorer]]] = MappingProxyType(
    {
        i.code: (i, s)
        for i, s in (
            (SCIM_III, score_scim),
            (WISCI_II, score_wisci),
            (MODIFIED_ASHWORTH, score_ashworth),
            (PAIN_NRS, score_pain_nrs),
            (PENN_SPASM, score_penn_spasm),
            (NBD, score_nbd),
            (QOL_BASIC, score_qol_basic),
        )
    }
)


def score_instrument(code: str, answers: Mapping[str, object]) -> InstrumentScore:
    """Score ``answers`` with the instrument registered under ``code`` (see :data:`INSTRUMENTS`).

    Raises
    ------
    KeyError
        If no instrument has that code.
    InstrumentValidationError
        If any answer is invalid.
    """
    return INSTRUMENTS[code][1](answers)
