"""SCIM III, the Spinal Cord Independence Measure, version III.

Structure from clinical-evidence.md §4 ("SCIM III"; NINDS CDE entry; SCIRE
https://scireproject.com/outcome/spinal-cord-independence-measure-scim/): 19 items, total 0-100,
self-care 6 items 0-20, respiration and sphincter management 4 items 0-40, mobility 9 items 0-40
("room and toilet" plus "indoors and outdoors").

The per-item answer values below are NOT in clinical-evidence.md, which gives only the item counts
and subscale ranges. They follow the published SCIM III form (Itzkovich M et al. 2007, Disabil
Rehabil 29(24):1926-33; Catz A et al. 2007, J Rehabil Res Dev 44(1):65-68) as recalled, and are
checked here only by construction: each subscale's item maxima add up to the range the evidence
sheet gives (a unit test pins this). Verify against the primary form before clinical use.

The item wording is deliberately not reproduced: licensing of SCIM III for embedding in commercial
software is unconfirmed (clinical-evidence.md §4, [UNCONFIRMED]).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from .base import Instrument, InstrumentScore, Item, check_answers, raise_if

__all__ = ["MOBILITY_PARTS", "SCIM_III", "SUBSCALES", "score_scim"]

SELF_CARE: Final = "self_care"
RESPIRATION_SPHINCTER: Final = "respiration_sphincter"
MOBILITY: Final = "mobility"
#: The three subscales whose sum is the total, in form order.
SUBSCALES: Final = (SELF_CARE, RESPIRATION_SPHINCTER, MOBILITY)

ROOM_AND_TOILET: Final = "mobility_room_toilet"
INDOORS_OUTDOORS: Final = "mobility_indoors_outdoors"
#: The two parts of mobility for which Corallo 2017 gives separate MCIDs (clinical-evidence.md §3).
MOBILITY_PARTS: Final = (ROOM_AND_TOILET, INDOORS_OUTDOORS)


def _r(top: int) -> tuple[int, ...]:
    return tuple(range(top + 1))


# (key, label, allowed answers, subscale, mobility part or None)
_ITEMS: Final[tuple[tuple[str, str, tuple[int, ...], str, str | None], ...]] = (
    ("scim_feeding", "Feeding", _r(3), SELF_CARE, None),
    ("scim_bathing_upper", "Bathing, upper body", _r(3), SELF_CARE, None),
    ("scim_bathing_lower", "Bathing, lower body", _r(3), SELF_CARE, None),
    ("scim_dressing_upper", "Dressing, upper body", _r(4), SELF_CARE, None),
    ("scim_dressing_lower", "Dressing, lower body", _r(4), SELF_CARE, None),
    ("scim_grooming", "Grooming", _r(3), SELF_CARE, None),
    ("scim_respiration", "Respiration", (0, 2, 4, 6, 8, 10), RESPIRATION_SPHINCTER, None),
    ("scim_bladder", "Sphincter management, bladder", (0, 3, 6, 9, 11, 13, 15),
     RESPIRATION_SPHINCTER, None),
    ("scim_bowel", "Sphincter management, bowel", (0, 5, 8, 10), RESPIRATION_SPHINCTER, None),
    ("scim_toilet_use", "Use of toilet", (0, 1, 2, 4, 5), RESPIRATION_SPHINCTER, None),
    ("scim_bed_mobility", "Mobility in bed and pressure-sore prevention", (0, 2, 4, 6), MOBILITY,
     ROOM_AND_TOILET),
    ("scim_transfer_bed_wheelchair", "Transfers bed-wheelchair", _r(2), MOBILITY, ROOM_AND_TOILET),
    ("scim_transfer_wheelchair_toilet_tub", "Transfers wheelchair-toilet-tub", _r(2), MOBILITY,
     ROOM_AND_TOILET),
    ("scim_mobility_indoors", "Mobility indoors", _r(8), MOBILITY, INDOORS_OUTDOORS),
    ("scim_mobility_moderate_distances", "Mobility for moderate distances (10-100 m)", _r(8),
     MOBILITY, INDOORS_OUTDOORS),
    ("scim_mobility_outdoors", "Mobility outdoors (more than 100 m)", _r(8), MOBILITY,
     INDOORS_OUTDOORS),
    ("scim_stairs", "Stair management", _r(3), MOBILITY, INDOORS_OUTDOORS),
    ("scim_transfer_wheelchair_car", "Transfers wheelchair-car", _r(2), MOBILITY, INDOORS_OUTDOORS),
    ("scim_transfer_ground_wheelchair", "Transfers ground-wheelchair", _r(1), MOBILITY,
     INDOORS_OUTDOORS),
)  # fmt: skip

SCIM_III: Final = Instrument(
    code="scim_iii",
    name="Spinal Cord Independence Measure III",
    version="III",
    source=(
        "clinical-evidence.md §4 and T6 (NINDS CDE; SCIRE): 19 items, total 0-100, self-care 0-20, "
        "respiration and sphincter 0-40, mobility 0-40. Item values: Itzkovich 2007 / Catz 2007 "
        "published form, not in clinical-evidence.md (to verify)."
    ),
    items=tuple(
        Item(key=key, label=label, allowed=allowed, subscale=sub)
        for key, label, allowed, sub, _ in _ITEMS
    ),
    total_range=(0, 100),
    subscale_ranges=((SELF_CARE, 0, 20), (RESPIRATION_SPHINCTER, 0, 40), (MOBILITY, 0, 40)),
    # No interpretation bands of the total are given in clinical-evidence.md.
    bands=(),
    notes="Item wording omitted: SCIM III software licensing unconfirmed (evidence sheet §4).",
)


def score_scim(answers: Mapping[str, object]) -> InstrumentScore:
    """Score a complete SCIM III form.

    The total is the sum of the three subscales (self-care, respiration and sphincter management,
    mobility). ``subscales`` also holds the two parts of mobility, room-and-toilet (0-10) and
    indoors-and-outdoors (0-30), for which the evidence sheet gives MCIDs.

    Raises
    ------
    InstrumentValidationError
        Listing every missing, unknown or out-of-range item.
    """
    accepted, errors = check_answers(SCIM_III, answers)
    raise_if(errors)
    points = {k: int(v) for k, v in accepted.items()}
    subscales = dict.fromkeys((*SUBSCALES, *MOBILITY_PARTS), 0)
    for key, _, _, subscale, part in _ITEMS:
        subscales[subscale] += points[key]
        if part is not None:
            subscales[part] += points[key]
    total = sum(subscales[s] for s in SUBSCALES)
    return InstrumentScore(
        instrument=SCIM_III.code,
        version=SCIM_III.version,
        answers=accepted,
        total=total,
        subscales=subscales,
        band=None,
    )
