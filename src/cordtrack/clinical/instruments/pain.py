"""Pain intensity on a 0-10 numeric rating scale (NRS).

clinical-evidence.md §4 ("Pain"): a 0-10 NRS is recommended for pain intensity after SCI (Bryce TN
et al. 2007, NIDRR measures report). No interpretation bands (mild/moderate/severe) are given in the
evidence sheet, so none are applied. The MCID is in :mod:`cordtrack.clinical.evidence`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from .base import Instrument, InstrumentScore, Item, check_answers, raise_if

__all__ = ["PAIN_NRS", "score_pain_nrs"]

PAIN_NRS: Final = Instrument(
    code="pain_nrs",
    name="Pain intensity numeric rating scale",
    version="0-10",
    source="clinical-evidence.md §4 and T6: NRS 0-10 (Bryce 2007 NIDRR measures report)",
    items=(Item(key="nrs_pain_intensity", label="Pain intensity", allowed=tuple(range(11))),),
    total_range=(0, 10),
)


def score_pain_nrs(answers: Mapping[str, object]) -> InstrumentScore:
    """Score a pain NRS rating: the total is the rating (0-10); no band is published.

    Raises
    ------
    InstrumentValidationError
        If ``nrs_pain_intensity`` is missing or not an integer 0-10, or an unknown key is given.
    """
    accepted, errors = check_answers(PAIN_NRS, answers)
    raise_if(errors)
    return InstrumentScore(
        instrument=PAIN_NRS.code,
        version=PAIN_NRS.version,
        answers=accepted,
        total=int(accepted["nrs_pain_intensity"]),
    )
