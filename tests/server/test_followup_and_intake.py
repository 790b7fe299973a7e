"""Visit schedules, instruments, logistics, the inquiry pipeline and eligibility screening."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from cordtrack.server.accounts.models import Site, User
from cordtrack.server.followup.models import VisitStatus
from cordtrack.server.intake.models import InquiryStatus
from cordtrack.server.patients.models import Patient
from cordtrack.server.services import followup, history, intake
from cordtrack.server.services import patients as patient_services

from .conftest import TODAY


def test_visits_are_placed_from_the_protocol_schedule(
    bob: User, make_patient: Callable[..., Patient], north: Site, protocol: Any
) -> None:
    anchor = TODAY - dt.timedelta(days=100)
    visits = followup.schedule_visits(bob, make_patient(north), protocol, anchor)

    month3 = next(v for v in visits if v.code == "m3")
    assert month3.target_date == anchor + dt.timedelta(days=90)
    assert (month3.window_open, month3.window_close) == (
        anchor + dt.timedelta(days=76), anchor + dt.timedelta(days=104),
    )  # fmt: skip


def test_a_visit_done_outside_its_window_is_marked_so(
    bob: User, make_patient: Callable[..., Patient], north: Site, protocol: Any
) -> None:
    anchor = TODAY - dt.timedelta(days=200)
    visits = {
        v.code: v for v in followup.schedule_visits(bob, make_patient(north), protocol, anchor)
    }

    assert (
        followup.complete_visit(bob, visits["m1"], anchor + dt.timedelta(days=31)).status
        == VisitStatus.DONE
    )
    assert (
        followup.complete_visit(bob, visits["m3"], anchor + dt.timedelta(days=120)).status
        == VisitStatus.OUT_OF_WINDOW
    )
    assert followup.refresh_visit_status(bob, visits["m6"], TODAY).status == VisitStatus.SCHEDULED
    assert followup.refresh_visit_status(bob, visits["w1"], TODAY).status == VisitStatus.MISSED


def test_instruments_are_scored_by_the_clinical_package(
    alice: User, make_patient: Callable[..., Patient], north: Site
) -> None:
    response = followup.record_instrument(
        alice, make_patient(north), "pain_nrs", {"nrs_pain_intensity": 4}, recorded_on=TODAY
    )
    assert response.total == 4
    assert response.score["instrument"] == "pain_nrs"


def test_bad_instrument_answers_give_item_errors(
    alice: User, make_patient: Callable[..., Patient], north: Site
) -> None:
    with pytest.raises(ValidationError) as refused:
        followup.record_instrument(
            alice, make_patient(north), "pain_nrs", {"nrs_pain_intensity": 14}, recorded_on=TODAY
        )
    assert "nrs_pain_intensity" in refused.value.message_dict


def test_logistics_validate_mobility_aids(
    bob: User, make_patient: Callable[..., Patient], north: Site, protocol: Any
) -> None:
    visit = followup.schedule_visits(bob, make_patient(north), protocol, TODAY)[0]
    with pytest.raises(ValidationError) as refused:
        followup.record_logistics(
            bob,
            visit,
            travel_mode="car",
            distance_km=12,
            mobility_aids=["none", "walker", "jetpack"],
        )
    assert len(refused.value.message_dict["mobility_aids"]) == 2

    saved = followup.record_logistics(
        bob, visit, travel_mode="adapted_van", distance_km=120, lodging_nights=2,
        mobility_aids=["power_wheelchair", "hoist"],
    )  # fmt: skip
    assert saved.visit == visit


def test_study_ids_are_numbered_per_site(
    bob: User, north: Site, south: Site, make_user: Callable[..., User]
) -> None:
    south_coordinator = make_user("sc", "coordinator", south)
    ids = [
        patient_services.register_patient(bob, north, year_of_birth=1980, sex="F").study_id,
        patient_services.register_patient(bob, north, year_of_birth=1980, sex="F").study_id,
        patient_services.register_patient(
            south_coordinator, south, year_of_birth=1980, sex="F"
        ).study_id,
    ]
    assert ids == ["NTH-0001", "NTH-0002", "STH-0001"]


def test_the_inquiry_pipeline_allows_only_its_transitions(
    bob: User, make_patient: Callable[..., Patient], north: Site
) -> None:
    inquiry = make_patient(north).inquiries.get()
    with pytest.raises(ValidationError) as refused:
        intake.advance_inquiry(bob, inquiry, InquiryStatus.TREATED)
    assert "cannot go from new to treated" in refused.value.message_dict["status"][0]

    for status in ("records_requested", "records_received", "under_review", "eligible"):
        intake.advance_inquiry(bob, inquiry, status)
    assert inquiry.status == "eligible"


def test_closing_an_inquiry_needs_a_reason(
    bob: User, make_patient: Callable[..., Patient], north: Site
) -> None:
    inquiry = make_patient(north).inquiries.get()
    with pytest.raises(ValidationError) as refused:
        intake.advance_inquiry(bob, inquiry, "withdrawn")
    assert "reason" in refused.value.message_dict
    intake.advance_inquiry(bob, inquiry, "withdrawn", reason="moved abroad")
    with pytest.raises(ValidationError):
        intake.advance_inquiry(bob, inquiry, "new")


FIT = {"medically_stable": True, "active_infection": False, "malignancy": False, "pregnancy": False}


def _injured(alice: User, patient: Patient, ais: str = "A", days: int = 60) -> Patient:
    patient_services.record_injury(
        alice, patient, injury_date=TODAY - dt.timedelta(days=days), etiology="traumatic",
        cause="fall", level="T6", baseline_ais=ais,
    )  # fmt: skip
    return patient


def test_a_patient_meeting_every_criterion_is_eligible(
    alice: User, make_patient: Callable[..., Patient], north: Site, protocol: Any
) -> None:
    screening = intake.screen_eligibility(
        alice, _injured(alice, make_patient(north)), protocol, FIT
    )
    assert screening.decision == "eligible"
    assert screening.reviewer == alice
    assert {r["outcome"] for r in screening.results} == {"met"}


def test_anticoagulation_or_infection_makes_a_patient_not_eligible(
    alice: User, make_patient: Callable[..., Patient], north: Site, protocol: Any
) -> None:
    patient = _injured(alice, make_patient(north))
    history.add_medication(alice, patient, name="Apixaban")

    screening = intake.screen_eligibility(
        alice, patient, protocol, {**FIT, "active_infection": True}
    )

    failed = {r["code"] for r in screening.results if r["outcome"] == "not_met"}
    assert screening.decision == "not_eligible"
    assert failed == {"no_infection", "no_anticoagulation"}


def test_screening_with_unknown_facts_needs_review(
    alice: User, make_patient: Callable[..., Patient], north: Site, protocol: Any
) -> None:
    screening = intake.screen_eligibility(
        alice, make_patient(north), protocol, {"medically_stable": True}
    )

    unknown = {r["code"] for r in screening.results if r["outcome"] == "unknown"}
    assert screening.decision == "needs_review"
    assert unknown == {"level", "completeness", "time_since_injury", "no_infection",
                       "no_malignancy", "not_pregnant"}  # fmt: skip


def test_screening_uses_the_latest_exam_classification(
    alice: User, make_patient: Callable[..., Patient], north: Site, protocol: Any
) -> None:
    from cordtrack.server.services import exams

    from .conftest import normal_exam

    patient = _injured(alice, make_patient(north), ais="A")
    exams.record_exam(alice, patient, normal_exam(), exam_date=TODAY)  # now AIS E, intact

    screening = intake.screen_eligibility(alice, patient, protocol, FIT)

    failed = {r["code"] for r in screening.results if r["outcome"] == "not_met"}
    assert failed == {"level", "completeness"}
    assert screening.facts["ais_grade"] == "E"


def test_a_malformed_protocol_is_a_field_error(
    alice: User, make_patient: Callable[..., Patient], north: Site, protocol: Any
) -> None:
    protocol.criteria = [{"code": "x", "kind": "horoscope"}]
    with pytest.raises(ValidationError) as refused:
        intake.screen_eligibility(alice, make_patient(north), protocol, FIT)
    assert "is not one of" in refused.value.message_dict["protocol"][0]


def test_injury_cause_must_match_its_etiology(
    alice: User, make_patient: Callable[..., Patient], north: Site
) -> None:
    with pytest.raises(ValidationError) as refused:
        patient_services.record_injury(
            alice, make_patient(north), injury_date=TODAY, etiology="traumatic", cause="tumour",
            level="C5", baseline_ais="B",
        )  # fmt: skip
    assert "cause" in refused.value.message_dict
