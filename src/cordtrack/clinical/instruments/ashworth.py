"""Modified Ashworth Scale (MAS), one grade per muscle group.

clinical-evidence.md §4 ("Modified Ashworth Scale"; Bohannon & Smith 1987 added 1+ to the 1964
Ashworth scale): grades 0, 1, 1+, 2, 3, 4. The sheet says to encode MAS as an ordinal category, not
a number, with 1+ between 1 and 2; so grades are :class:`MasGrade` codes, no total or mean is
computed, and ``rank`` gives only the order. Which muscle groups are rated is a site or protocol
choice (no list is in the evidence sheet): any item key ``mas_<group>`` is accepted.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import StrEnum
from typing import Final

from ..errors import ItemError, show_value
from ..numbers import whole_number
from .base import Instrument, InstrumentScore, Item, raise_if

__all__ = ["MODIFIED_ASHWORTH", "MasGrade", "mas_grade", "modified_ashworth", "score_ashworth"]


class MasGrade(StrEnum):
    """A Modified Ashworth grade; ``1+`` is its own category between 1 and 2."""

    G0 = "0"
    G1 = "1"
    G1_PLUS = "1+"
    G2 = "2"
    G3 = "3"
    G4 = "4"

    @property
    def rank(self) -> int:
        """Position in the ordinal scale (0 for grade 0 ... 5 for grade 4); not a score."""
        return list(MasGrade).index(self)

    @property
    def description(self) -> str:
        return _DESCRIPTIONS[self]


# clinical-evidence.md §4, MAS table (https://neurologicalsurgery.in/disease/spasticity/symptoms/).
_DESCRIPTIONS: Final = {
    MasGrade.G0: "No increase in tone",
    MasGrade.G1: "Slight increase: catch and release",
    MasGrade.G1_PLUS: "Slight increase: catch followed by minimal resistance through the range",
    MasGrade.G2: "More marked increase through most of the range; limb still easily moved",
    MasGrade.G3: "Considerable increase; passive movement difficult",
    MasGrade.G4: "Rigid in flexion or extension",
}
_CODES: Final = tuple(g.value for g in MasGrade)
_KEY: Final = re.compile(r"mas_[a-z0-9_]+")


def mas_grade(value: object) -> MasGrade:
    """Parse a grade from its code (``"1+"``), a :class:`MasGrade`, or an integer 0-4.

    Raises
    ------
    ValueError
        If ``value`` is not a grade (``1.5``, ``"2+"``, ``True``...).
    """
    if isinstance(value, MasGrade):
        return value
    number = whole_number(value)
    if number is not None and 0 <= number <= 4:
        return MasGrade(str(number))
    if isinstance(value, str) and value.strip() in _CODES:
        return MasGrade(value.strip())
    raise ValueError(f"{show_value(value)} is not one of {', '.join(_CODES)}")


def modified_ashworth(muscle_groups: tuple[str, ...]) -> Instrument:
    """An MAS definition rating the given muscle groups (keys ``mas_<group>``), for forms."""
    return Instrument(
        code="mas",
        name="Modified Ashworth Scale",
        version="Bohannon & Smith 1987",
        source="clinical-evidence.md §4 and T6: {0, 1, 1+, 2, 3, 4} ordinal",
        items=tuple(
            Item(
                key=f"mas_{g}",
                label=g.replace("_", " "),
                allowed=_CODES,
                option_labels=tuple((g.value, g.description) for g in MasGrade),
            )
            for g in muscle_groups
        ),
        notes="No MCID found (clinical-evidence.md §3). Muscle groups are configured per site.",
    )


#: The definition with no fixed muscle groups; :func:`score_ashworth` accepts any ``mas_*`` key.
MODIFIED_ASHWORTH: Final = modified_ashworth(())


def score_ashworth(answers: Mapping[str, object]) -> InstrumentScore:
    """Validate MAS grades per muscle group; answers are normalised to grade codes.

    ``total`` is None and ``subscales`` maps each group to its ordinal ``rank`` (0-5), for sorting
    only. At least one group must be rated; ``None`` values are treated as not rated.

    Raises
    ------
    InstrumentValidationError
        Listing every bad key or grade.
    """
    accepted: dict[str, str] = {}
    errors: list[ItemError] = []
    for key, value in answers.items():
        if not _KEY.fullmatch(key):
            errors.append(ItemError(key, value, "not a Modified Ashworth item (mas_<group>)"))
            continue
        if value is None:
            continue
        try:
            accepted[key] = mas_grade(value).value
        except ValueError as exc:
            errors.append(ItemError(key, value, str(exc)))
    if not answers or (not accepted and not errors):
        errors.append(ItemError("mas", None, "no muscle group rated"))
    raise_if(errors)
    return InstrumentScore(
        instrument=MODIFIED_ASHWORTH.code,
        version=MODIFIED_ASHWORTH.version,
        answers=accepted,
        total=None,
        subscales={k: MasGrade(v).rank for k, v in accepted.items()},
    )
