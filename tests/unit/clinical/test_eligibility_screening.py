"""Eligibility protocols as data, and screening."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import pytest

from cordtrack.clinical.eligibility import (
    Candidate,
    Criterion,
    CriterionKind,
    Decision,
    Outcome,
    Protocol,
    ScreeningResult,
    completed_months,
    evaluate,
)
from cordtrack.clinical.errors import DefinitionError
from cordtrack.clinical.protocols import CHRONIC_CERVICAL_MSC_EXAMPLE as EXAMPLE

ALICE = Candidate(
    age_years=45,
    neurological_level="C5",
    ais_grade="C",
    injury_date=date(2025, 1, 10),
    screening_date=date(2025, 11, 1),  # 295 days after injury
    medically_stable=True,
    conditions={
        "active_infection": False,
        "malignancy": False,
        "pregnancy": False,
    },
    medications=[("Baclofen 10 mg", "")],
)


def outcomes(result: ScreeningResult) -> dict[str, Outcome]:
    return {r.code: r.outcome for r in result.results}


def test_candidate_meeting_every_criterion_is_eligible() -> None:
    result = evaluate(EXAMPLE, ALICE)
    assert result.decision is Decision.ELIGIBLE
    assert set(outcomes(result).values()) == {Outcome.MET}


def test_thoracic_level_is_not_eligible_for_cervical_protocol() -> None:
    result = evaluate(EXAMPLE, replace(ALICE, neurological_level="T4"))
    assert result.decision is Decision.NOT_ELIGIBLE
    assert outcomes(result)["cervical_nli"] is Outcome.NOT_MET


def test_any_failed_criterion_wins_over_unknown_ones() -> None:
    bob = replace(ALICE, ais_grade="A", medically_stable=None)
    result = evaluate(EXAMPLE, bob)
    assert outcomes(result)["medically_stable"] is Outcome.UNKNOWN
    assert result.decision is Decision.NOT_ELIGIBLE


def test_missing_condition_data_needs_review() -> None:
    result = evaluate(EXAMPLE, replace(ALICE, conditions={"active_infection": False}))
    assert result.decision is Decision.NEEDS_REVIEW
    assert outcomes(result)["no_malignancy"] is Outcome.UNKNOWN


def test_present_exclusion_condition_is_not_met() -> None:
    conditions = {**ALICE.conditions, "malignancy": True}
    result = evaluate(EXAMPLE, replace(ALICE, conditions=conditions))
    assert outcomes(result)["no_malignancy"] is Outcome.NOT_MET


def test_an_anticoagulant_fails_its_criterion_and_the_reason_names_it() -> None:
    taking = [("Baclofen", ""), ("Eliquis 5 mg twice daily", "")]
    result = evaluate(EXAMPLE, replace(ALICE, medications=taking))
    failed = [r for r in result.results if r.outcome is Outcome.NOT_MET]
    assert [r.code for r in failed] == ["no_anticoagulation"]
    assert "Eliquis 5 mg twice daily (ATC B01AF02)" in failed[0].reason
    assert result.decision is Decision.NOT_ELIGIBLE


def test_an_immunosuppressant_is_found_by_its_entered_atc_code() -> None:
    result = evaluate(EXAMPLE, replace(ALICE, medications=[("Study drug XY-12", "L04AX99")]))
    assert outcomes(result)["no_immunosuppression"] is Outcome.NOT_MET
    assert outcomes(result)["no_anticoagulation"] is Outcome.MET


def test_an_antiplatelet_is_not_an_anticoagulant() -> None:
    result = evaluate(EXAMPLE, replace(ALICE, medications=[("Aspirin 100 mg", "")]))
    assert outcomes(result)["no_anticoagulation"] is Outcome.MET


def test_medications_not_reviewed_leave_the_class_criteria_unknown() -> None:
    result = evaluate(EXAMPLE, replace(ALICE, medications=None))
    assert outcomes(result)["no_anticoagulation"] is Outcome.UNKNOWN
    assert result.decision is Decision.NEEDS_REVIEW


def test_the_legacy_anticoagulation_condition_is_judged_from_the_medications() -> None:
    legacy = Protocol.from_dict(
        {"code": "x", "name": "x", "version": "1", "criteria": [
            {"code": "no_ac", "description": "No anticoagulation", "kind": "absent_condition",
             "params": {"condition": "anticoagulation"}}]}
    )  # fmt: skip
    (row,) = evaluate(legacy, replace(ALICE, medications=[("Warfarin", "")])).results
    assert row.outcome is Outcome.NOT_MET
    assert "Warfarin (ATC B01AA03)" in row.reason


def test_an_unknown_medication_class_is_a_definition_error() -> None:
    bad = Criterion("x", "x", CriterionKind.NO_MEDICATION_CLASS, {"class": "opioid"})
    with pytest.raises(DefinitionError, match="class"):
        Protocol("p", "p", "1", (bad,))


def test_more_than_180_days_means_181_is_met_and_180_is_not() -> None:
    day_180 = replace(ALICE, screening_date=date(2025, 7, 9))
    day_181 = replace(ALICE, screening_date=date(2025, 7, 10))
    assert outcomes(evaluate(EXAMPLE, day_180))["chronic_over_180_days"] is Outcome.NOT_MET
    assert outcomes(evaluate(EXAMPLE, day_181))["chronic_over_180_days"] is Outcome.MET


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        ("C5,C6*", Outcome.MET),  # every possible level cervical; star ignored
        (("C8", "T1"), Outcome.UNKNOWN),  # undetermined across the boundary
        ("INT", Outcome.NOT_MET),  # intact: no injury level
        ("ND", Outcome.UNKNOWN),
        (None, Outcome.UNKNOWN),
    ],
)
def test_possible_level_sets_are_met_only_when_all_fall_inside(
    level: object, expected: Outcome
) -> None:
    result = evaluate(EXAMPLE, replace(ALICE, neurological_level=level))  # type: ignore[arg-type]
    assert outcomes(result)["cervical_nli"] is expected


def test_age_bounds_are_inclusive() -> None:
    assert outcomes(evaluate(EXAMPLE, replace(ALICE, age_years=70)))["age_20_to_70"] is Outcome.MET
    assert outcomes(evaluate(EXAMPLE, replace(ALICE, age_years=71)))["age_20_to_70"] is (
        Outcome.NOT_MET
    )


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (date(2025, 1, 15), date(2025, 7, 14), 5),
        (date(2025, 1, 15), date(2025, 7, 15), 6),
        (date(2024, 11, 30), date(2025, 2, 28), 2),
        (date(2024, 3, 1), date(2025, 3, 1), 12),
    ],
)
def test_completed_months_counts_whole_calendar_months(start: date, end: date, months: int) -> None:
    assert completed_months(start, end) == months


def test_months_since_injury_criterion_uses_completed_months() -> None:
    protocol = Protocol(
        "p", "6-24 months", "1",
        (Criterion("m", "6-24 months", CriterionKind.MONTHS_SINCE_INJURY_BETWEEN,
                   {"min": 6, "max": 24}),),
    )  # fmt: skip
    early = replace(ALICE, injury_date=date(2025, 1, 15), screening_date=date(2025, 7, 14))
    ok = replace(ALICE, injury_date=date(2025, 1, 15), screening_date=date(2025, 7, 15))
    assert evaluate(protocol, early).decision is Decision.NOT_ELIGIBLE
    assert evaluate(protocol, ok).decision is Decision.ELIGIBLE


def test_protocol_round_trips_through_json() -> None:
    data = json.loads(json.dumps(EXAMPLE.to_dict()))
    again = Protocol.from_dict(data)
    assert again.to_dict() == EXAMPLE.to_dict()
    assert evaluate(again, ALICE) == evaluate(EXAMPLE, ALICE)


def test_from_dict_lists_every_problem() -> None:
    data = {
        "code": "bad",
        "name": "",
        "version": "1",
        "criteria": [
            {"code": "a", "kind": "injury_level_between", "params": {"from": "C9", "to": "T1"}},
            {"code": "b", "kind": "ais_in", "params": {"grades": ["B", "F"]}},
            {"code": "c", "kind": "shoe_size_between", "params": {}},
            {"code": "d", "kind": "age_between", "params": {"min": 70, "max": 20}},
        ],
    }
    with pytest.raises(DefinitionError) as exc:
        Protocol.from_dict(data)
    assert [(e.key, e.value) for e in exc.value.errors] == [
        ("name", ""),
        ("criteria[2].kind", "shoe_size_between"),
        ("criteria[a].from", "C9"),
        ("criteria[b].grades", "F"),
        ("criteria[d]", [70, 20]),
    ]


def test_level_range_must_run_rostral_to_caudal() -> None:
    with pytest.raises(DefinitionError, match="caudal"):
        Protocol("p", "p", "1", (
            Criterion("x", "", CriterionKind.INJURY_LEVEL_BETWEEN, {"from": "T1", "to": "C5"}),
        ))  # fmt: skip


def test_screening_result_serialises_to_json() -> None:
    payload = json.loads(json.dumps(evaluate(EXAMPLE, ALICE).to_dict()))
    assert payload["decision"] == "eligible"
    assert len(payload["results"]) == len(EXAMPLE.criteria)


def test_example_protocol_criteria_all_cite_a_source() -> None:
    assert all(c.source for c in EXAMPLE.criteria)
