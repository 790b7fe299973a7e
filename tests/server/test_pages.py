"""The data-entry pages end to end: a form post goes through its service, and a refused input
comes back with field-level messages and nothing stored."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.test import Client

from cordtrack.server.accounts.models import Site, User
from cordtrack.server.followup.models import InstrumentResponse, Logistics
from cordtrack.server.intake.models import EligibilityScreening
from cordtrack.server.patients.models import Patient
from cordtrack.server.safety.models import AdverseEvent
from cordtrack.server.services import followup
from cordtrack.server.therapy.models import Administration, CellProductLot

from .conftest import TODAY, VITALS


def _vitals_post() -> dict[str, Any]:
    return {f"{phase}_{k}": v for phase, values in VITALS.items() for k, v in values.items()}


def test_an_adverse_event_is_reported_from_the_form(
    client: Client, alice: User, make_patient: Callable[..., Patient], north: Site
) -> None:
    patient = make_patient(north)
    client.force_login(alice)
    url = f"/patients/{patient.pk}/adverse-events/new/"
    form = {"term": "Fever", "onset_date": TODAY.isoformat(), "relatedness": "possible",
            "action": "none", "outcome": "recovering"}  # fmt: skip

    refused = client.post(url, {**form, "ctcae_grade": "5"})
    assert "a grade 5 event has a fatal outcome" in refused.content.decode()
    assert not AdverseEvent.objects.exists()

    done = client.post(url, {**form, "ctcae_grade": "2", "hospitalisation": "on"})
    assert done.status_code == 302
    event = AdverseEvent.objects.get()
    assert event.serious
    assert event.reported_by == alice


def test_the_administration_form_refuses_another_patients_autologous_lot(
    client: Client, alice: User, make_patient: Callable[..., Patient],
    make_lot: Callable[..., Any], north: Site,
) -> None:  # fmt: skip
    owner, other = make_patient(north), make_patient(north)
    lot = make_lot(north, source_patient=owner)
    client.force_login(alice)
    form = {"lot": lot.pk, "administered_at": f"{TODAY.isoformat()}T10:00", "route": "intrathecal",
            "dose_total_cells": "1000000", "weight_kg": "70", **_vitals_post()}  # fmt: skip

    refused = client.post(f"/patients/{other.pk}/administrations/new/", form)
    assert "chain of identity" in refused.content.decode()
    assert not Administration.objects.exists()

    assert client.post(f"/patients/{owner.pk}/administrations/new/", form).status_code == 302
    assert Administration.objects.get().patient == owner


def test_a_lot_is_registered_from_the_form(client: Client, bob: User, north: Site) -> None:
    client.force_login(bob)
    form = {"site": north.pk, "lot_number": "UC-1", "manufacturer": "Biobank",
            "cell_type": "uc_msc", "source": "allogeneic", "donor_code": "D-9",
            "manufactured_on": TODAY.isoformat(),
            "expires_on": (TODAY + dt.timedelta(days=365)).isoformat(),
            "viability_pct": "93.5", "cell_count": "50000000",
            "release_tests": "sterility; negative; pass\nendotoxin; <0.5 EU/mL; pass"}  # fmt: skip
    bad = client.post("/lots/new/", {**form, "release_tests": "sterility negative"})
    assert "line 1: write" in bad.content.decode()

    assert client.post("/lots/new/", form).status_code == 302
    lot = CellProductLot.objects.get()
    assert lot.tests_passed
    assert not lot.released  # until its release is signed on its page
    assert len(lot.release_tests) == 2


def test_eligibility_is_screened_from_the_form(
    client: Client, alice: User, make_patient: Callable[..., Patient], north: Site,
    protocol: Any,
) -> None:  # fmt: skip
    patient = make_patient(north)
    client.force_login(alice)
    injured_on = (TODAY - dt.timedelta(days=60)).isoformat()
    client.post(f"/patients/{patient.pk}/injury/", {
        "injury_date": injured_on, "etiology": "traumatic", "cause": "fall", "level": "T6",
        "baseline_ais": "A",
    })  # fmt: skip
    answers = {"protocol": protocol.pk, "screened_on": TODAY.isoformat(),
               "medically_stable": "yes", "active_infection": "no", "malignancy": "no",
               "pregnancy": "yes"}  # fmt: skip

    assert client.post(f"/patients/{patient.pk}/screening/new/", answers).status_code == 302
    screening = EligibilityScreening.objects.get()
    assert screening.decision == "not_eligible"
    assert [r["code"] for r in screening.results if r["outcome"] != "met"] == ["not_pregnant"]


def test_a_visit_is_completed_with_logistics_and_an_instrument(
    client: Client, alice: User, bob: User, make_patient: Callable[..., Patient], north: Site,
    protocol: Any,
) -> None:  # fmt: skip
    patient = make_patient(north)
    visit = followup.schedule_visits(bob, patient, protocol, TODAY)[0]
    client.force_login(bob)

    client.post(f"/visits/{visit.pk}/", {"form": "complete", "done_on": TODAY.isoformat()})
    client.post(f"/visits/{visit.pk}/", {
        "form": "logistics", "travel_mode": "car", "distance_km": "80", "lodging_nights": "1",
        "mobility_aids": ["manual_wheelchair"],
    })  # fmt: skip
    visit.refresh_from_db()
    assert visit.status == "done"
    assert Logistics.objects.get(visit=visit).mobility_aids == ["manual_wheelchair"]

    client.force_login(alice)
    url = f"/visits/{visit.pk}/instruments/wisci_ii/"
    assert client.get(url).status_code == 200
    answer = {"recorded_on": TODAY.isoformat(), "wisci_level": "12"}
    assert client.post(url, answer).status_code == 302
    assert InstrumentResponse.objects.get().total == 12


def test_instrument_answers_are_scored_from_the_form(
    client: Client, alice: User, bob: User, make_patient: Callable[..., Patient], north: Site,
    protocol: Any,
) -> None:  # fmt: skip
    visit = followup.schedule_visits(bob, make_patient(north), protocol, TODAY)[0]
    client.force_login(alice)

    response = client.post(
        f"/visits/{visit.pk}/instruments/pain_nrs/",
        {"recorded_on": TODAY.isoformat(), "nrs_pain_intensity": "6"},
    )

    assert response.status_code == 302
    assert InstrumentResponse.objects.get().total == 6
