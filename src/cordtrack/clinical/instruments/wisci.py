"""WISCI II, the Walking Index for Spinal Cord Injury, version II.

clinical-evidence.md §4 ("WISCI II"; Arch PMR 2015 summary; SCIRE; Ditunno & Ditunno 2001, Spinal
Cord 39:654-656): 21 levels, 0-20, rating the assistance, braces and devices needed to walk 10 m.
Only the meanings of levels 0 and 20 are in the evidence sheet; the wording of levels 1-19 is not
reproduced.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from .base import Instrument, InstrumentScore, Item, check_answers, raise_if

__all__ = ["WISCI_II", "score_wisci"]

WISCI_II: Final = Instrument(
    code="wisci_ii",
    name="Walking Index for Spinal Cord Injury II",
    version="II",
    source="clinical-evidence.md §4 and T6: levels 0-20 (Ditunno & Ditunno 2001; SCIRE)",
    items=(
        Item(
            key="wisci_level",
            label="WISCI II level",
            allowed=tuple(range(21)),
            option_labels=(
                (0, "Unable to stand and/or take part in walking"),
                (20, "Walks 10 m with no devices, no braces and no assistance"),
            ),
        ),
    ),
    total_range=(0, 20),
    notes="Ceiling effect in good walkers; pair with 10MWT and 6MWT (clinical-evidence.md §4).",
)


def score_wisci(answers: Mapping[str, object]) -> InstrumentScore:
    """Score a WISCI II rating: the total is the level (0-20); no band is published.

    Raises
    ------
    InstrumentValidationError
        If ``wisci_level`` is missing or not an integer 0-20, or an unknown key is given.
    """
    accepted, errors = check_answers(WISCI_II, answers)
    raise_if(errors)
    level = int(accepted["wisci_level"])
    return InstrumentScore(
        instrument=WISCI_II.code,
        version=WISCI_II.version,
        answers=accepted,
        total=level,
    )
