"""Level groups and phases after injury, the keys cohorts are stratified by.

* Level groups follow the sheet's reporting rule (clinical-evidence.md §9 T10: "cervical / T1-T9 /
  T10 and below"), from the NLI's position in ``cordtrack.isncsci.types.RESULT_LEVELS``.
* Phases: the sheet finds no standard definition of acute, subacute and chronic (§5,
  [UNCONFIRMED]) and asks for configurable cut-offs. The defaults follow its natural-history tables:
  acute = baseline exam within 30 days (the widest baseline window of the 1-year tables, Kirshblum
  2021 Tables 2 and 6: <=48 h to <=30 d), chronic = more than 12 months (§1.6, "chronic SCI
  (>12 months)"), subacute between. The comparator matches each table's own window, whatever the
  cut-offs chosen here for display.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from cordtrack.isncsci.types import RESULT_LEVELS

from .change import SetValue, possible_names

__all__ = [
    "ACUTE_MAX_DAYS",
    "CHRONIC_MIN_DAYS",
    "DEFAULT_PHASE_CUTOFFS",
    "LEVEL_RANK",
    "LevelGroup",
    "Phase",
    "PhaseCutoffs",
    "level_group",
    "phase_of",
]

#: Widest baseline-exam window of the 1-year natural-history tables (Kirshblum 2021 Tables 2, 6).
ACUTE_MAX_DAYS: Final = 30
#: "Chronic SCI (>12 months)" (clinical-evidence.md §1.6).
CHRONIC_MIN_DAYS: Final = 366

#: Position of each level, rostral to caudal (C1 = 0).
LEVEL_RANK: Final = {lv: i for i, lv in enumerate(RESULT_LEVELS)}


class LevelGroup(StrEnum):
    """Level groups of the sheet §9 T10 ("cervical / T1-T9 / T10 and below")."""

    CERVICAL = "cervical"
    T1_T9 = "T1-T9"
    T10_AND_BELOW = "T10 and below"


class Phase(StrEnum):
    ACUTE = "acute"
    SUBACUTE = "subacute"
    CHRONIC = "chronic"


@dataclass(frozen=True, slots=True)
class PhaseCutoffs:
    """Days since injury at the baseline exam: acute ``<= acute_max_days``, chronic
    ``>= chronic_min_days``, subacute between."""

    acute_max_days: int = ACUTE_MAX_DAYS
    chronic_min_days: int = CHRONIC_MIN_DAYS


DEFAULT_PHASE_CUTOFFS: Final = PhaseCutoffs()


def phase_of(days_since_injury: int, cutoffs: PhaseCutoffs = DEFAULT_PHASE_CUTOFFS) -> Phase:
    """The phase of a baseline exam ``days_since_injury`` days after injury."""
    if days_since_injury < 0:
        raise ValueError("days since injury cannot be negative")
    if days_since_injury <= cutoffs.acute_max_days:
        return Phase.ACUTE
    if days_since_injury >= cutoffs.chronic_min_days:
        return Phase.CHRONIC
    return Phase.SUBACUTE


def _group_of_level(level: str) -> LevelGroup | None:
    rank = LEVEL_RANK.get(level)
    if rank is None:
        return None
    if rank <= LEVEL_RANK["C8"]:
        return LevelGroup.CERVICAL
    return LevelGroup.T1_T9 if rank <= LEVEL_RANK["T9"] else LevelGroup.T10_AND_BELOW


def level_group(nli: SetValue) -> LevelGroup | None:
    """The level group of an NLI (``"C5"``, ``"C5,C6*"`` or a ``Possible``).

    None when the possible levels span groups, or the NLI is ``INT``, ``NA``, ND or missing.
    """
    groups = {_group_of_level(n) for n in possible_names(nli)}
    return groups.pop() if len(groups) == 1 and None not in groups else None
