"""Neurogenic Bowel Dysfunction score."""

from __future__ import annotations

import pytest

from cordtrack.clinical.errors import InstrumentValidationError
from cordtrack.clinical.instruments import NBD, score_nbd

NONE = {i.key: 0 for i in NBD.items}


def test_nbd_item_maxima_match_published_ranges_and_total_47() -> None:
    assert [i.max_points for i in NBD.items] == [6, 7, 2, 2, 2, 6, 13, 4, 2, 3]
    assert sum(i.max_points for i in NBD.items) == 47


def test_nbd_hand_worked_total_20_is_severe() -> None:
    # 1 + 3 + 0 + 2 + 0 + 6 + 6 + 0 + 2 + 0 = 20
    answers = {
        **NONE,
        "nbd_defecation_frequency": 1,
        "nbd_time_per_defecation": 3,
        "nbd_tablets_constipation": 2,
        "nbd_digital_stimulation": 6,
        "nbd_faecal_incontinence": 6,
        "nbd_flatus_incontinence": 2,
    }
    result = score_nbd(answers)
    assert result.total == 20
    assert result.band == "severe"


@pytest.mark.parametrize(
    ("total_answers", "band"),
    [
        ({}, "very minor"),  # 0
        ({"nbd_digital_stimulation": 6}, "very minor"),  # 6
        ({"nbd_time_per_defecation": 7}, "minor"),  # 7
        ({"nbd_time_per_defecation": 7, "nbd_discomfort": 2}, "minor"),  # 9
        ({"nbd_time_per_defecation": 7, "nbd_perianal_skin": 3}, "moderate"),  # 10
        ({"nbd_faecal_incontinence": 13}, "moderate"),  # 13
        ({"nbd_faecal_incontinence": 13, "nbd_defecation_frequency": 1}, "severe"),  # 14
    ],
)
def test_nbd_band_boundaries_are_6_9_13(total_answers: dict[str, int], band: str) -> None:
    assert score_nbd({**NONE, **total_answers}).band == band


def test_nbd_rejects_points_that_are_not_a_published_weight() -> None:
    with pytest.raises(InstrumentValidationError) as exc:
        score_nbd({**NONE, "nbd_faecal_incontinence": 5, "nbd_flatus_incontinence": 1})
    assert [str(e) for e in exc.value.errors] == [
        "nbd_faecal_incontinence: 5 is not one of 0, 6, 7, 13",
        "nbd_flatus_incontinence: 1 is not one of 0, 2",
    ]
