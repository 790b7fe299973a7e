"""International SCI Quality of Life Basic Data Set.

clinical-evidence.md §4 ("Quality of life"; Spinal Cord 2012;50(9):672-5): three items, each rated
0 (completely dissatisfied) to 10 (completely satisfied): satisfaction with life as a whole, with
physical health, and with psychological health. The data set defines no total, so none is computed;
each item is reported as its own subscale.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from .base import Instrument, InstrumentScore, Item, check_answers, raise_if

__all__ = ["QOL_BASIC", "score_qol_basic"]

_ANCHORS: Final = ((0, "Completely dissatisfied"), (10, "Completely satisfied"))

QOL_BASIC: Final = Instrument(
    code="isci_qol_basic",
    name="International SCI Quality of Life Basic Data Set",
    version="1.0",
    source="clinical-evidence.md §4 and T6: 3 items 0-10 (Spinal Cord 2012;50(9):672-5)",
    items=tuple(
        Item(key=key, label=label, allowed=tuple(range(11)), subscale=key, option_labels=_ANCHORS)
        for key, label in (
            ("qol_general", "Satisfaction with life as a whole"),
            ("qol_physical_health", "Satisfaction with physical health"),
            ("qol_psychological_health", "Satisfaction with psychological health"),
        )
    ),
    subscale_ranges=(
        ("qol_general", 0, 10),
        ("qol_physical_health", 0, 10),
        ("qol_psychological_health", 0, 10),
    ),
)


def score_qol_basic(answers: Mapping[str, object]) -> InstrumentScore:
    """Record the three satisfaction ratings; ``total`` is None (the data set defines none).

    Raises
    ------
    InstrumentValidationError
        Listing every missing or out-of-range item and unknown key.
    """
    accepted, errors = check_answers(QOL_BASIC, answers)
    raise_if(errors)
    return InstrumentScore(
        instrument=QOL_BASIC.code,
        version=QOL_BASIC.version,
        answers=accepted,
        total=None,
        subscales={k: int(v) for k, v in accepted.items()},
    )
