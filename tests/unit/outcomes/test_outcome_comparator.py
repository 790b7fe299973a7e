"""The natural-recovery comparator looks up the cited tables by AIS, level and exam timing."""

from __future__ import annotations

import pytest

from cordtrack.outcomes import (
    ComparatorProfile,
    LevelGroup,
    Phase,
    PhaseCutoffs,
    ReferenceOutcome,
    level_group,
    natural_history,
    phase_of,
    walking_prognosis,
)


def values(profile: ComparatorProfile, **kw: object) -> list[tuple[float, str]]:
    result = natural_history(profile, **kw)  # type: ignore[arg-type]
    return sorted((r.value, r.baseline_window) for r in result.references)


def test_cervical_ais_a_examined_on_day_5_gets_every_table_2_row_whose_window_covers_day_5() -> (
    None
):
    # Kirshblum 2021 Table 2: windows <=7 d, <=30 d, <=15 d (x3), <=30 d; Burns <=48 h excluded.
    # Marino 2011 tetraplegia (first exam <=7 d): 30% B or better.
    assert values(ComparatorProfile("A", 5, nli="C5")) == [
        (15.4, "<=7 d"), (20.0, "<=30 d"), (24.2, "<=15 d"), (26.1, "<=15 d"),
        (27.8, "<=30 d"), (30.0, "first exam <=7 d"), (30.2, "<=15 d"),
    ]  # fmt: skip


def test_an_exam_on_day_20_keeps_only_the_30_day_tables() -> None:
    result = natural_history(ComparatorProfile("A", 20, level_group=LevelGroup.T10_AND_BELOW))
    assert result.comparable
    assert [r.value for r in result.references] == [20.0, 27.8]  # Fawcett 2007, Kirshblum 2016
    assert all("Kirshblum 2021, Table 2" in r.source for r in result.references)
    assert all(r.url for r in result.references)
    # Aimetti 2019 (T2-T12) is a <=7 d table: not offered on day 20
    assert not any("Aimetti" in c for c in result.caveats)


def test_a_figure_for_a_narrower_population_is_named_when_the_level_is_not_known() -> None:
    # day 5, T10 and below: Aimetti 2019 (T2-T12, <=7 d) might or might not apply
    result = natural_history(ComparatorProfile("A", 5, level_group=LevelGroup.T10_AND_BELOW))
    assert any("Aimetti" in c and "T2-T12" in c for c in result.caveats)


def test_ais_c_reference_is_the_share_at_d_or_e_from_table_6() -> None:
    # day 10, NLI T4: Spiess 2009 (<=15 d) 84.8 + 0; van Middendorp 2009 (<=15 d, above T11) 74.4;
    # Kirshblum 2016 (<=30 d) 72.5; by level (natural-history.md E1): Spiess above T10 78,
    # Kirshblum 2016 T1-T9 63.6. Marino 1999 and Lee 2016 (<=7 d) do not cover day 10, nor
    # Harrop 2011 (<=24 h).
    assert values(ComparatorProfile("C", 10, nli="T4")) == [
        (63.6, "<=30 d"), (72.5, "<=30 d"), (74.4, "<=15 d"), (78.0, "<=15 d"), (84.8, "<=15 d"),
    ]  # fmt: skip


def test_ais_b_tetraplegia_uses_marino_2011_c_plus_d_and_says_the_pooled_table_is_missing() -> None:
    result = natural_history(ComparatorProfile("B", 3, nli="C6", age_years=70))
    # APMR 2022 50; Kirshblum 2016 all levels 53.6; Marino 2011 30 + 37; van Middendorp 2009 73
    assert sorted(r.value for r in result.references) == [50.0, 53.6, 67.0, 73.0]
    assert any("[derived]" in r.note for r in result.references)
    assert any("[UNCONFIRMED]" in c for c in result.caveats)
    assert any("not stratified by age" in c for c in result.caveats)


def test_two_grade_improvement_from_a_reads_the_a_to_c_or_d_column() -> None:
    got = values(ComparatorProfile("A", 5, nli="C5"), grades=2)
    # Table 2 "A -> C/D" for windows covering day 5, APMR 2022 cervical 13.4% motor incomplete and
    # Marino 2011 tetraplegia 8 (C) + 7.1 (D) = 15.1 [derived]
    assert [v for v, _ in got] == [8.1, 10.0, 11.2, 11.8, 13.0, 13.4, 15.1, 17.1]


def test_chronic_complete_injury_uses_the_late_change_figures() -> None:
    result = natural_history(ComparatorProfile("A", 400))
    assert [r.value for r in result.references] == [5.6]
    assert "Arch Phys Med Rehabil 2004" in result.references[0].source
    b = natural_history(ComparatorProfile("B", 800))
    assert [r.value for r in b.references] == [2.1]


def test_chronic_incomplete_injury_has_no_ais_table_and_says_why() -> None:
    result = natural_history(ComparatorProfile("D", 400))
    assert not result.comparable
    assert "baseline AIS D" in result.reason


def test_a_baseline_between_one_month_and_one_year_is_not_comparable() -> None:
    result = natural_history(ComparatorProfile("A", 100))
    assert not result.comparable
    assert "31-365 days" in result.reason


def test_lems_after_a_one_month_exam_in_incomplete_paraplegia_reads_waters_1994() -> None:
    lems = natural_history(ComparatorProfile("C", 40, nli="T8"), ReferenceOutcome.LEMS_GAIN)
    assert [(r.value, r.sd, r.n) for r in lems.references] == [(11.9, 8.7, 54)]
    assert not natural_history(
        ComparatorProfile("C", 40, nli="C6"), ReferenceOutcome.LEMS_GAIN
    ).comparable


def test_an_undetermined_baseline_ais_is_not_comparable() -> None:
    result = natural_history(ComparatorProfile("C,D", 5))
    assert not result.comparable
    assert "undetermined (C,D)" in result.reason


def test_motor_references_for_cervical_ais_a_and_ais_d_proportional_recovery() -> None:
    uems = natural_history(ComparatorProfile("A", 10, nli="C5"), ReferenceOutcome.UEMS_GAIN)
    # APMR 2022 7.8; Steeves 2011 10 (window not stated); Marino 2018 poster 6.4 at 3 months
    assert sorted(r.value for r in uems.references) == [6.4, 7.8, 10.0]
    assert any("window not stated" in r.note for r in uems.references)
    # cervical AIS D at the 4-week visit, total motor 60: 0.59 x (100 - 60) = 23.6 (EMSCI 2023)
    d = natural_history(
        ComparatorProfile("D", 28, nli="C5", baseline_total_motor=60),
        ReferenceOutcome.TOTAL_MOTOR_GAIN,
    )
    assert [r.value for r in d.references] == [23.6]
    early = ComparatorProfile("D", 10, nli="C5", baseline_total_motor=60)
    assert not natural_history(early, ReferenceOutcome.TOTAL_MOTOR_GAIN).comparable


def test_level_groups_and_phases() -> None:
    assert level_group("C8") is LevelGroup.CERVICAL
    assert level_group("T1") is LevelGroup.T1_T9
    assert level_group("T10") is LevelGroup.T10_AND_BELOW
    assert level_group("C8,T1") is None  # spans two groups
    assert level_group("INT") is None
    assert [phase_of(d) for d in (0, 30, 31, 365, 366)] == [
        Phase.ACUTE, Phase.ACUTE, Phase.SUBACUTE, Phase.SUBACUTE, Phase.CHRONIC,
    ]  # fmt: skip
    assert phase_of(14, PhaseCutoffs(acute_max_days=13)) is Phase.SUBACUTE


def test_van_middendorp_applies_only_to_exams_within_15_days() -> None:
    late = walking_prognosis(
        20, 40, l3_motor=(5, 5), s1_motor=(5, 5), l3_light_touch=(2, 2), s1_light_touch=(2, 2)
    )
    assert not late.applicable
    assert late.probability_low is None
    assert "15 days" in late.reason


def test_van_middendorp_score_is_a_range_when_a_value_is_not_testable() -> None:
    # age 70 -> -10; L3 motor best of (3, NT) = 3..5 -> 6..10; S1 motor best (2, 1) = 2 -> 4;
    # L3 LT best (2, 1) = 2 -> 10; S1 LT 0 -> 0. Score 10..14.
    p = walking_prognosis(
        10, 70, l3_motor=(3, None), s1_motor=(2, 1), l3_light_touch=(2, 1), s1_light_touch=(0, 0)
    )
    assert p.applicable
    assert (p.score_low, p.score_high) == (10, 14)
    # logistic(0.267 x 10 - 3.273) = 1 / (1 + e^0.603) = 0.3537
    assert p.probability_low == pytest.approx(0.35366, abs=1e-4)
    assert p.probability_high == pytest.approx(0.61420, abs=1e-4)


@pytest.mark.parametrize(
    ("profile", "code", "params"),
    [
        (ComparatorProfile(None, 3), "ais-not-recorded", {}),
        (ComparatorProfile("C,D", 3), "ais-undetermined", {"grades": "C,D"}),
        (ComparatorProfile("A", None), "injury-day-unknown", {}),
        (ComparatorProfile("A", 100, nli="C5"), "no-figure-in-gap",
         {"outcome": "AIS improvement", "grade": "A", "where": "cervical", "count": 100}),
    ],
)  # fmt: skip
def test_a_reason_is_also_a_code_with_parameters_and_the_same_english(
    profile: ComparatorProfile, code: str, params: dict[str, object]
) -> None:
    result = natural_history(profile)
    assert not result.comparable
    assert result.why is not None
    assert (result.why.code, result.why.params) == (code, params)
    assert result.why.english == result.reason == str(result.why)


def test_caveats_and_the_walking_reason_are_coded_in_the_same_order_and_english() -> None:
    result = natural_history(ComparatorProfile("B", 3, nli="C5", age_years=70))
    assert [s.english for s in result.said_caveats] == list(result.caveats)
    assert result.said_caveats[0].code == "age-not-stratified"
    late = walking_prognosis(40, 30, l3_motor=(3, 3), s1_motor=(3, 3),
                             l3_light_touch=(1, 1), s1_light_touch=(1, 1))  # fmt: skip
    assert late.why is not None
    assert late.why.english == late.reason
    assert late.why.params == {"count": 40, "window": 15, "source": "J Trauma Nurs 2022"}
