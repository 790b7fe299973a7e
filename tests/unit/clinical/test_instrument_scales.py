"""WISCI II, pain NRS, Penn spasm scale, Modified Ashworth and ISCI QoL basic data set."""

from __future__ import annotations

import json

import pytest

from cordtrack.clinical.errors import InstrumentValidationError
from cordtrack.clinical.instruments import (
    INSTRUMENTS,
    MasGrade,
    mas_grade,
    modified_ashworth,
    score_ashworth,
    score_pain_nrs,
    score_penn_spasm,
    score_qol_basic,
    score_wisci,
)


@pytest.mark.parametrize("level", [0, 7, 20])
def test_wisci_total_is_the_level(level: int) -> None:
    assert score_wisci({"wisci_level": level}).total == level


@pytest.mark.parametrize("level", [-1, 21, 3.0, "12"])
def test_wisci_rejects_levels_outside_0_to_20(level: object) -> None:
    with pytest.raises(InstrumentValidationError, match="wisci_level"):
        score_wisci({"wisci_level": level})


def test_pain_nrs_accepts_0_to_10_and_rejects_11() -> None:
    assert score_pain_nrs({"nrs_pain_intensity": 10}).total == 10
    with pytest.raises(InstrumentValidationError, match="nrs_pain_intensity: 11 is not one of"):
        score_pain_nrs({"nrs_pain_intensity": 11})


def test_penn_frequency_zero_needs_no_severity() -> None:
    result = score_penn_spasm({"psfs_frequency": 0})
    assert result.subscales == {"frequency": 0}
    assert result.total is None


def test_penn_frequency_above_zero_records_severity() -> None:
    result = score_penn_spasm({"psfs_frequency": 3, "psfs_severity": 2})
    assert result.subscales == {"frequency": 3, "severity": 2}


def test_penn_severity_is_required_when_frequency_above_zero() -> None:
    with pytest.raises(InstrumentValidationError, match="psfs_severity: missing"):
        score_penn_spasm({"psfs_frequency": 2})


def test_penn_severity_must_be_empty_when_frequency_zero() -> None:
    with pytest.raises(InstrumentValidationError, match="must be empty when frequency is 0"):
        score_penn_spasm({"psfs_frequency": 0, "psfs_severity": 1})


def test_penn_rejects_frequency_5_and_severity_0_together() -> None:
    with pytest.raises(InstrumentValidationError) as exc:
        score_penn_spasm({"psfs_frequency": 5, "psfs_severity": 0})
    assert [e.key for e in exc.value.errors] == ["psfs_frequency", "psfs_severity"]


def test_mas_keeps_1_plus_distinct_and_between_1_and_2() -> None:
    assert mas_grade("1+") is MasGrade.G1_PLUS
    assert mas_grade(1) is MasGrade.G1
    assert MasGrade.G1.rank < MasGrade.G1_PLUS.rank < MasGrade.G2.rank


def test_mas_scores_grades_per_muscle_group_without_a_total() -> None:
    result = score_ashworth({"mas_knee_extensors_right": "1+", "mas_elbow_flexors_left": 2})
    assert result.answers == {"mas_knee_extensors_right": "1+", "mas_elbow_flexors_left": "2"}
    assert result.total is None
    assert result.subscales == {"mas_knee_extensors_right": 2, "mas_elbow_flexors_left": 3}


def test_mas_rejects_unknown_grades_and_keys() -> None:
    with pytest.raises(InstrumentValidationError) as exc:
        score_ashworth({"mas_hip_adductors": "2+", "ankle": "1", "mas_wrist": 1.5})
    assert [str(e) for e in exc.value.errors] == [
        "mas_hip_adductors: '2+' is not one of 0, 1, 1+, 2, 3, 4",
        "ankle: not a Modified Ashworth item (mas_<group>)",
        "mas_wrist: 1.5 is not one of 0, 1, 1+, 2, 3, 4",
    ]


def test_mas_with_no_group_rated_is_invalid() -> None:
    with pytest.raises(InstrumentValidationError, match="no muscle group rated"):
        score_ashworth({})


def test_mas_definition_lists_configured_groups() -> None:
    mas = modified_ashworth(("knee_extensors_left", "knee_extensors_right"))
    assert mas.keys == ("mas_knee_extensors_left", "mas_knee_extensors_right")
    assert mas.items[0].allowed == ("0", "1", "1+", "2", "3", "4")


def test_qol_basic_records_three_items_and_no_total() -> None:
    result = score_qol_basic(
        {"qol_general": 6, "qol_physical_health": 4, "qol_psychological_health": 8}
    )
    assert result.total is None
    assert result.subscales == {
        "qol_general": 6,
        "qol_physical_health": 4,
        "qol_psychological_health": 8,
    }


def test_qol_basic_lists_missing_and_out_of_range_items() -> None:
    with pytest.raises(InstrumentValidationError) as exc:
        score_qol_basic({"qol_general": 11})
    assert [str(e) for e in exc.value.errors] == [
        "qol_general: 11 is not one of 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10",
        "qol_physical_health: missing",
        "qol_psychological_health: missing",
    ]


def test_every_instrument_definition_is_json_serialisable_and_cited() -> None:
    for code, (instrument, _) in INSTRUMENTS.items():
        assert instrument.code == code
        assert instrument.source
        json.dumps(instrument.to_dict())


def test_instrument_score_serialises_to_json() -> None:
    payload = json.loads(json.dumps(score_wisci({"wisci_level": 12}).to_dict()))
    assert payload["instrument"] == "wisci_ii"
    assert payload["total"] == 12
