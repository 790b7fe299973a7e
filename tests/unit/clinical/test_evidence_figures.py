"""The encoded evidence tables agree with clinical-evidence.md and with themselves."""

from __future__ import annotations

import pytest

from cordtrack.clinical import evidence
from cordtrack.clinical.evidence import (
    AE_RATES,
    AIS_A_CONVERSION,
    AIS_C_D_OUTCOMES,
    CHANGE_THRESHOLDS,
    rule_of_three_upper_bound,
    thresholds_for,
)


def test_every_figure_carries_a_source() -> None:
    for name in evidence.__all__:
        table = getattr(evidence, name)
        if isinstance(table, tuple):
            for row in table:
                assert row.source, (name, row)


def test_ais_a_conversion_splits_add_up_within_rounding() -> None:
    for row in AIS_A_CONVERSION:
        assert row.to_b + row.to_c_or_d == pytest.approx(row.converted_to_incomplete, abs=0.11)


def test_ais_c_d_distributions_sum_to_100_within_rounding() -> None:
    for row in AIS_C_D_OUTCOMES:
        assert row.share("ABCDE") == pytest.approx(100, abs=0.2), row.study


def test_ais_c_to_d_or_e_shares_match_summary_table_t1() -> None:
    c_rows = {r.study: r.share("DE") for r in AIS_C_D_OUTCOMES if r.initial == "C"}
    assert c_rows["Marino 1999 (SCIMS)"] == 70.5
    assert c_rows["Spiess 2009 (EMSCI)"] == 84.8
    assert c_rows["Kirshblum 2016 (SCIMS)"] == 72.5


def test_scim_total_thresholds_are_4_10_and_anchor_range_12_to_45_3() -> None:
    rows = thresholds_for("scim_iii_total")
    assert [r.value for r in rows] == [4, 10, 12]
    assert rows[2].upper == 45.3


def test_unconfirmed_thresholds_have_no_value() -> None:
    unconfirmed = {t.measure for t in CHANGE_THRESHOLDS if t.value is None}
    assert {"mas", "psfs", "nbd", "uems_lems_tms_lt_pp"} <= unconfirmed


def test_fever_rate_is_22_2_percent_in_li_et_al() -> None:
    fever = [r for r in AE_RATES if r.event == "fever"]
    assert [(r.percent, r.at_least) for r in fever] == [(22.2, False)]


def test_rule_of_three_for_0_events_in_10_patients_is_30_percent() -> None:
    assert rule_of_three_upper_bound(10) == pytest.approx(0.3)
    with pytest.raises(ValueError, match="positive"):
        rule_of_three_upper_bound(0)
