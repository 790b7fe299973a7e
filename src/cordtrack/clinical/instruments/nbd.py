"""Neurogenic Bowel Dysfunction (NBD) score.

clinical-evidence.md §4 ("Neurogenic Bowel Dysfunction (NBD) score"; Krogh et al. 2006; NINDS CDE
"Supplemental - Highly Recommended" for SCI): self-report, 10 items, weighted total 0-47, with the
per-item point ranges below and severity bands 0-6 very minor, 7-9 minor, 10-13 moderate, 14+
severe. The answers are the item's points, as the published score sheet assigns them.

The evidence sheet gives only each item's range (0 to its maximum). The intermediate weights of the
three multi-level items (defecation frequency 0/1/6, time per defecation 0/3/7, faecal incontinence
0/6/7/13) are NOT in clinical-evidence.md: they are the published Krogh 2006 weights as recalled
(Krogh K, Christensen P, Sabroe S, Laurberg S. Spinal Cord 2006;44:625-631) and must be checked
against the primary paper before clinical use. Their maxima match the evidence sheet.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from .base import Band, Instrument, InstrumentScore, Item, check_answers, raise_if

__all__ = ["NBD", "NBD_BANDS", "score_nbd"]

_YES_NO_NOTE: Final = "0 = no; the maximum = yes"

# (key, label, allowed points). Maxima: clinical-evidence.md §4 NBD table.
_ITEMS: Final = (
    ("nbd_defecation_frequency", "Defecation frequency", (0, 1, 6)),  # weights 1: Krogh 2006
    ("nbd_time_per_defecation", "Time per defecation", (0, 3, 7)),  # weight 3: Krogh 2006
    ("nbd_discomfort", "Discomfort (uneasiness, headache or sweating) during defecation", (0, 2)),
    ("nbd_tablets_constipation", "Tablets for constipation", (0, 2)),
    ("nbd_drops_constipation", "Drops for constipation", (0, 2)),
    ("nbd_digital_stimulation", "Digital stimulation or evacuation", (0, 6)),
    ("nbd_faecal_incontinence", "Faecal incontinence frequency", (0, 6, 7, 13)),  # 6, 7: Krogh 2006
    ("nbd_incontinence_medication", "Medication against incontinence", (0, 4)),
    ("nbd_flatus_incontinence", "Flatus incontinence", (0, 2)),
    ("nbd_perianal_skin", "Perianal skin problems", (0, 3)),
)

#: clinical-evidence.md §4 and T6 (Krogh 2006; NINDS CDE; SCIRE).
NBD_BANDS: Final = (
    Band(0, 6, "very minor"),
    Band(7, 9, "minor"),
    Band(10, 13, "moderate"),
    Band(14, None, "severe"),
)

NBD: Final = Instrument(
    code="nbd",
    name="Neurogenic Bowel Dysfunction score",
    version="Krogh 2006",
    source=(
        "clinical-evidence.md §4 and T6 (Krogh 2006; NINDS CDE): 10 items, 0-47, bands 0-6/7-9/"
        "10-13/14+. Intermediate weights of items 1, 2 and 7 from Krogh 2006, not in the sheet."
    ),
    items=tuple(Item(key=k, label=label, allowed=pts) for k, label, pts in _ITEMS),
    total_range=(0, 47),
    bands=NBD_BANDS,
    notes="MCID not established in SCI (clinical-evidence.md §3). " + _YES_NO_NOTE,
)


def score_nbd(answers: Mapping[str, object]) -> InstrumentScore:
    """Score an NBD form: total = sum of the 10 item points (0-47), band per Krogh 2006.

    Raises
    ------
    InstrumentValidationError
        Listing every missing, unknown or out-of-range item.
    """
    accepted, errors = check_answers(NBD, answers)
    raise_if(errors)
    total = sum(int(v) for v in accepted.values())
    return InstrumentScore(
        instrument=NBD.code,
        version=NBD.version,
        answers=accepted,
        total=total,
        band=NBD.band_for(total),
    )
