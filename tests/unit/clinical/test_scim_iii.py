"""SCIM III scoring and validation."""

from __future__ import annotations

import pytest

from cordtrack.clinical.errors import InstrumentValidationError
from cordtrack.clinical.instruments import SCIM_III, score_instrument, score_scim

# A hand-worked form (C6-like tetraplegia): self-care 2+1+0+2+0+2 = 7; respiration and sphincter
# 10+6+5+1 = 22; mobility room and toilet 2+1+1 = 4, indoors and outdoors 2+2+1+0+1+0 = 6.
FORM = {
    "scim_feeding": 2,
    "scim_bathing_upper": 1,
    "scim_bathing_lower": 0,
    "scim_dressing_upper": 2,
    "scim_dressing_lower": 0,
    "scim_grooming": 2,
    "scim_respiration": 10,
    "scim_bladder": 6,
    "scim_bowel": 5,
    "scim_toilet_use": 1,
    "scim_bed_mobility": 2,
    "scim_transfer_bed_wheelchair": 1,
    "scim_transfer_wheelchair_toilet_tub": 1,
    "scim_mobility_indoors": 2,
    "scim_mobility_moderate_distances": 2,
    "scim_mobility_outdoors": 1,
    "scim_stairs": 0,
    "scim_transfer_wheelchair_car": 1,
    "scim_transfer_ground_wheelchair": 0,
}


def test_scim_has_19_items_in_6_4_9_split() -> None:
    counts = {s: sum(1 for i in SCIM_III.items if i.subscale == s) for s, _, _ in
              SCIM_III.subscale_ranges}  # fmt: skip
    assert len(SCIM_III.items) == 19
    assert counts == {"self_care": 6, "respiration_sphincter": 4, "mobility": 9}


def test_scim_item_maxima_add_up_to_published_subscale_ranges() -> None:
    for name, low, high in SCIM_III.subscale_ranges:
        items = [i for i in SCIM_III.items if i.subscale == name]
        assert low == 0
        assert sum(i.max_points for i in items) == high
    assert sum(i.max_points for i in SCIM_III.items) == 100


def test_scim_hand_worked_form_scores_7_22_10_total_39() -> None:
    result = score_scim(FORM)
    assert result.subscales["self_care"] == 7
    assert result.subscales["respiration_sphincter"] == 22
    assert result.subscales["mobility"] == 10
    assert result.subscales["mobility_room_toilet"] == 4
    assert result.subscales["mobility_indoors_outdoors"] == 6
    assert result.total == 39


def test_scim_total_is_sum_of_three_subscales() -> None:
    s = score_scim(FORM).subscales
    assert score_scim(FORM).total == s["self_care"] + s["respiration_sphincter"] + s["mobility"]


def test_scim_full_independence_scores_100() -> None:
    best = {i.key: i.max_points for i in SCIM_III.items}
    result = score_scim(best)
    assert result.total == 100
    assert (result.subscales["self_care"], result.subscales["respiration_sphincter"]) == (20, 40)
    assert result.subscales["mobility"] == 40


def test_scim_out_of_set_value_message_names_key_value_and_allowed() -> None:
    with pytest.raises(InstrumentValidationError) as exc:
        score_scim({**FORM, "scim_mobility_indoors": 9})
    assert str(exc.value) == "scim_mobility_indoors: 9 is not one of 0, 1, 2, 3, 4, 5, 6, 7, 8"


def test_scim_value_between_weighted_steps_is_rejected() -> None:
    with pytest.raises(InstrumentValidationError, match=r"scim_bladder: 7 is not one of 0, 3, 6"):
        score_scim({**FORM, "scim_bladder": 7})


def test_scim_lists_every_bad_item_in_one_error() -> None:
    answers = {**FORM, "scim_feeding": True, "scim_respiration": "10", "scim_extra": 1}
    del answers["scim_stairs"]
    with pytest.raises(InstrumentValidationError) as exc:
        score_scim(answers)
    assert [(e.key, e.value) for e in exc.value.errors] == [
        ("scim_feeding", True),
        ("scim_respiration", "10"),
        ("scim_stairs", None),
        ("scim_extra", 1),
    ]
    assert str(exc.value.errors[2]) == "scim_stairs: missing"


def test_scim_is_reachable_through_the_registry() -> None:
    assert score_instrument("scim_iii", FORM).total == 39
