"""Cell product lots, administrations (chain of identity) and adverse events."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cordtrack.server.accounts.models import Site, User
from cordtrack.server.patients.models import Patient
from cordtrack.server.safety.models import AdverseEvent
from cordtrack.server.services import safety, therapy
from cordtrack.server.therapy.models import Administration

from .conftest import TODAY, VITALS, signing


def _give(actor: User, patient: Patient, lot: Any, **kw: Any) -> Administration:
    values: dict[str, Any] = {
        "administered_at": timezone.now(), "route": "intrathecal", "dose_total_cells": 10**7,
        "weight_kg": Decimal("70"), "vitals": VITALS,
    }  # fmt: skip
    values.update(kw)
    return therapy.administer(actor, patient, lot, **values)


def test_an_autologous_lot_is_given_to_its_own_patient_with_dose_per_kg(
    alice: User, make_patient: Callable[..., Patient], make_lot: Callable[..., Any], north: Site
) -> None:
    patient = make_patient(north)
    lot = make_lot(north, source_patient=patient)

    given = _give(alice, patient, lot)

    assert given.dose_per_kg == 10**7 // 70
    assert given.operator == alice


def test_an_autologous_lot_given_to_another_patient_is_refused(
    alice: User, make_patient: Callable[..., Patient], make_lot: Callable[..., Any], north: Site
) -> None:
    owner, other = make_patient(north), make_patient(north)
    lot = make_lot(north, source_patient=owner)

    with pytest.raises(ValidationError) as refused:
        _give(alice, other, lot)

    assert "chain of identity" in refused.value.message_dict["lot"][0]
    assert not Administration.objects.exists()


def test_unreleased_or_expired_lots_and_unconsented_patients_are_refused(
    alice: User, make_patient: Callable[..., Patient], make_lot: Callable[..., Any], north: Site
) -> None:
    patient = make_patient(north, consented=False)
    failing = [{"test": "sterility", "result": "growth", "passed": False}]
    lot = make_lot(north, release_tests=failing, expires_on=TODAY - dt.timedelta(days=1))

    with pytest.raises(ValidationError) as refused:
        _give(alice, patient, lot, dose_total_cells=10**9, vitals={"before": {"hr": 400}})

    errors = refused.value.message_dict
    assert "this lot has not passed all release tests" in errors["lot"]
    assert "this lot expired before the administration date" in errors["lot"]
    assert errors["patient"] == ["the patient has not consented"]
    assert errors["dose_total_cells"] == ["exceeds the cells in the lot"]
    assert {"vitals_before", "vitals_during", "vitals_after"} <= set(errors)


def test_a_lot_of_another_site_is_refused(
    alice: User, make_patient: Callable[..., Patient], make_lot: Callable[..., Any],
    make_user: Callable[..., User], north: Site, south: Site,
) -> None:  # fmt: skip
    south_coordinator = make_user("sc", "coordinator", south)
    lot = make_lot(south, actor=south_coordinator)
    with pytest.raises(ValidationError) as refused:
        _give(alice, make_patient(north), lot)
    assert "this lot belongs to another site" in refused.value.message_dict["lot"]


def test_lot_registration_checks_the_source(bob: User, north: Site) -> None:
    with pytest.raises(ValidationError) as refused:
        therapy.register_lot(
            bob, north, lot_number="X", manufacturer="M", cell_type="nsc", source="autologous",
            manufactured_on=TODAY, expires_on=TODAY, viability_pct=Decimal("101"), cell_count=1,
            release_tests=[{"test": "sterility"}],
        )  # fmt: skip
    errors = refused.value.message_dict
    assert "source_patient" in errors
    assert "expires_on" in errors
    assert errors["release_tests"] == ["test 'sterility' has no pass/fail result"]


def _ae(actor: User, patient: Patient, **kw: Any) -> AdverseEvent:
    values: dict[str, Any] = {
        "term": "Headache", "onset_date": TODAY, "ctcae_grade": 1, "relatedness": "possible",
        "expected": True, "action": "none", "outcome": "recovering",
    }  # fmt: skip
    values.update(kw)
    return safety.report_adverse_event(actor, patient, **values)


def test_hospitalisation_makes_an_event_serious_but_grade_alone_does_not(
    alice: User, make_patient: Callable[..., Patient], north: Site
) -> None:
    patient = make_patient(north)
    assert _ae(alice, patient, ctcae_grade=3).serious is False
    assert _ae(alice, patient, ctcae_grade=2, hospitalisation=True).serious is True


def test_a_grade_5_event_is_fatal_and_serious_by_death(
    alice: User, make_patient: Callable[..., Patient], north: Site
) -> None:
    patient = make_patient(north)
    with pytest.raises(ValidationError) as refused:
        _ae(alice, patient, ctcae_grade=5, outcome="recovering")
    assert refused.value.message_dict["outcome"] == ["a grade 5 event has a fatal outcome"]

    event = _ae(alice, patient, ctcae_grade=5, outcome="fatal")
    assert event.death
    assert event.serious


def test_an_event_marked_as_resulting_in_death_has_a_fatal_outcome(
    alice: User, make_patient: Callable[..., Patient], north: Site
) -> None:
    """The adversary pass recorded an event "results in death" (ICH E2A) at grade 2, recovering:
    accepted before, it is refused now with the field to correct, and nothing is saved."""
    patient = make_patient(north)
    with pytest.raises(ValidationError) as refused:
        _ae(alice, patient, ctcae_grade=2, death=True, outcome="recovering")
    assert refused.value.message_dict["outcome"] == [
        "an event that results in death has a fatal outcome (and grade 5)"
    ]
    assert not AdverseEvent.objects.filter(patient=patient).exists()

    event = _ae(alice, patient, ctcae_grade=5, death=True, outcome="fatal")
    assert event.death
    assert event.serious


def test_an_unexpected_related_serious_event_is_a_susar(
    alice: User, make_patient: Callable[..., Patient], north: Site
) -> None:
    event = _ae(alice, make_patient(north), hospitalisation=True, expected=False)
    assert event.suspected_unexpected_serious


def test_adverse_event_errors_are_field_level(
    alice: User, make_patient: Callable[..., Patient], north: Site
) -> None:
    with pytest.raises(ValidationError) as refused:
        _ae(alice, make_patient(north), ctcae_grade=7, relatedness="maybe",
            resolution_date=TODAY - dt.timedelta(days=9))  # fmt: skip
    errors = refused.value.message_dict
    assert {"ctcae_grade", "relatedness"} <= set(errors)
    assert not AdverseEvent.objects.exists()


def test_an_event_linked_to_an_administration_takes_its_lot(
    alice: User, make_patient: Callable[..., Patient], make_lot: Callable[..., Any], north: Site
) -> None:
    patient, other = make_patient(north), make_patient(north)
    given = _give(alice, patient, make_lot(north, source_patient=patient))

    event = _ae(alice, patient, administration=given)
    assert event.lot_id == given.lot_id

    with pytest.raises(ValidationError) as refused:
        _ae(alice, other, administration=given)
    assert refused.value.message_dict["administration"] == ["belongs to another patient"]


def test_a_signed_event_is_corrected_only_with_a_reason(
    alice: User, make_patient: Callable[..., Patient], north: Site
) -> None:
    event = _ae(alice, make_patient(north))
    safety.sign_adverse_event(alice, event, password=signing(alice))

    with pytest.raises(ValidationError):
        safety.correct_adverse_event(alice, event, ctcae_grade=2)
    safety.correct_adverse_event(alice, event, ctcae_grade=2, reason="source document review")
    event.refresh_from_db()
    assert event.ctcae_grade == 2
