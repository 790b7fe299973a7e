"""Concomitant medications and medical history: entry on the page and through the API, site
scoping and roles, and eligibility screening that names the medication that fails it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from cordtrack.server.accounts.models import Role, Site, User
from cordtrack.server.audit.models import AuditEntry
from cordtrack.server.patients.models import Medication, Patient
from cordtrack.server.services import history, intake, patients

from .conftest import TODAY
from .test_api_helpers import ApiClient

FIT = {"medically_stable": True, "active_infection": False, "malignancy": False,
       "pregnancy": False}  # fmt: skip


def _injured(alice: User, patient: Patient) -> Patient:
    patients.record_injury(
        alice, patient, injury_date=TODAY - dt.timedelta(days=60), etiology="traumatic",
        cause="fall", level="T6", baseline_ais="A",
    )  # fmt: skip
    return patient


def test_a_clinician_posts_a_medication_and_its_class_comes_back(
    alice: User, make_patient: Callable[..., Patient], north: Site
) -> None:
    patient = make_patient(north)
    body = {"patient_id": patient.pk, "name": "Xarelto", "dose": "20 mg", "route": "oral",
            "start_date": "2025-01-02", "stop_date": None,
            "indication": "Atrial fibrillation"}  # fmt: skip
    response = ApiClient(alice).post("/medications", body)
    assert response.status_code == 201, response.json()
    out = response.json()
    assert out["atc_code"] == "B01AF01"
    assert "anticoagulant" in out["classes"]
    assert out["indication"] == "Atrial fibrillation"
    listed = ApiClient(alice).get("/medications", patient_id=patient.pk).json()
    assert [m["name"] for m in listed["items"]] == ["Xarelto"]
    assert AuditEntry.objects.filter(model="patients.medication", action="create").count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"stop_date": "2024-01-01", "start_date": "2025-01-01"}, "stop_date"),
        ({"start_date": "2999-01-01"}, "start_date"),
        ({"route": "by mouth"}, "route"),
        ({"atc_code": "12345"}, "atc_code"),
        ({"name": "   "}, "name"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_a_bad_medication_is_a_field_error_and_changes_nothing(
    alice: User, make_patient: Callable[..., Patient], north: Site, change: dict[str, Any],
    field: str,
) -> None:  # fmt: skip
    patient = make_patient(north)
    body = {"patient_id": patient.pk, "name": "Baclofen", **change}
    response = ApiClient(alice).post("/medications", body)
    assert response.status_code == 422
    assert field in {e["field"] for e in response.json()["errors"]}
    assert not Medication.objects.exists()


def test_roles_and_sites_for_medications_and_history(
    alice: User, bob: User, charlie: User, make_user: Callable[..., User],
    make_patient: Callable[..., Patient], north: Site,
) -> None:  # fmt: skip
    patient = make_patient(north)
    history.add_medication(alice, patient, name="Warfarin")
    history.add_medical_history(alice, patient, condition="Hypertension", onset_date=TODAY)
    monitor = make_user("mona", Role.MONITOR, north)
    for path, body in (
        ("/medications", {"patient_id": patient.pk, "name": "Heparin"}),
        ("/medical-history", {"patient_id": patient.pk, "condition": "Asthma"}),
    ):
        assert ApiClient(bob).post(path, body).status_code == 403  # coordinator
        assert ApiClient(monitor).post(path, body).status_code == 403
        refused = ApiClient(charlie).post(path, body)  # another site: the patient is not found
        assert refused.status_code == 422
        assert refused.json()["errors"][0]["field"] == "patient_id"
        assert ApiClient(charlie).get(path).json()["count"] == 0
        assert ApiClient(monitor).get(path).json()["count"] == 1


def test_medical_history_round_trips(
    alice: User, make_patient: Callable[..., Patient], north: Site
) -> None:
    patient = make_patient(north)
    body = {"patient_id": patient.pk, "condition": "Type 2 diabetes", "onset_date": "2015-03-01",
            "ongoing": True, "icd10": "e11"}  # fmt: skip
    out = ApiClient(alice).post("/medical-history", body).json()
    assert out["icd10"] == "E11"
    assert out["ongoing"] is True
    assert out["onset_date"] == "2015-03-01"
    future = {**body, "onset_date": (TODAY + dt.timedelta(days=2)).isoformat()}
    assert ApiClient(alice).post("/medical-history", future).status_code == 422


def test_screening_names_the_anticoagulant_that_fails_it(
    alice: User, make_patient: Callable[..., Patient], north: Site, protocol: Any
) -> None:
    patient = _injured(alice, make_patient(north))
    history.add_medication(alice, patient, name="Eliquis", dose="5 mg", start_date=TODAY)
    history.add_medication(alice, patient, name="Tacrolimus", stop_date=None)
    screening = intake.screen_eligibility(alice, patient, protocol, FIT)
    failed = {r["code"]: r["reason"] for r in screening.results if r["outcome"] == "not_met"}
    assert screening.decision == "not_eligible"
    assert "Eliquis (ATC B01AF02)" in failed["no_anticoagulation"]
    assert "Tacrolimus (ATC L04AD02)" in failed["no_immunosuppression"]
    assert {"name": "Eliquis", "atc_code": "B01AF02"} in screening.facts["medications"]


def test_a_medication_stopped_before_screening_does_not_count(
    alice: User, make_patient: Callable[..., Patient], north: Site, protocol: Any
) -> None:
    patient = _injured(alice, make_patient(north))
    history.add_medication(
        alice, patient, name="Enoxaparin", start_date=TODAY - dt.timedelta(days=50),
        stop_date=TODAY - dt.timedelta(days=20),
    )  # fmt: skip
    screening = intake.screen_eligibility(alice, patient, protocol, FIT)
    outcome = {r["code"]: r["outcome"] for r in screening.results}
    assert outcome["no_anticoagulation"] == "met"
    earlier = intake.screen_eligibility(
        alice, patient, protocol, FIT, screened_on=TODAY - dt.timedelta(days=30)
    )
    assert {r["code"]: r["outcome"] for r in earlier.results}["no_anticoagulation"] == "not_met"


def test_the_api_screening_results_name_the_medication(
    alice: User, make_patient: Callable[..., Patient], north: Site, protocol: Any
) -> None:
    patient = _injured(alice, make_patient(north))
    client = ApiClient(alice)
    client.post("/medications", {"patient_id": patient.pk, "name": "Warfarin 5 mg"})
    conditions = {"active_infection": False, "malignancy": False, "pregnancy": False}
    body = {"patient_id": patient.pk, "protocol_id": protocol.pk, "medically_stable": True,
            "conditions": conditions}  # fmt: skip
    out = client.post("/screenings", body).json()
    failed = [r for r in out["results"] if r["outcome"] == "not_met"]
    assert [r["code"] for r in failed] == ["no_anticoagulation"]
    assert "Warfarin 5 mg" in failed[0]["reason"]


def test_the_page_lists_and_adds_medications_and_history(
    alice: User, bob: User, make_patient: Callable[..., Patient], north: Site
) -> None:
    patient = make_patient(north)
    client = Client()
    client.force_login(alice)
    url = f"/patients/{patient.pk}/medications/"
    entry = {"form": "medication", "med-name": "Clexane", "med-dose": "40 mg",
             "med-route": "subcutaneous", "med-start_date": "2025-02-01"}  # fmt: skip
    response = client.post(url, entry)
    assert response.status_code == 302
    bad = client.post(url, {"form": "history", "hx-condition": "", "hx-ongoing": "yes"})
    assert bad.status_code == 200
    assert b"This field is required" in bad.content
    client.post(url, {"form": "history", "hx-condition": "Asthma", "hx-ongoing": "no"})
    page = client.get(url).content.decode()
    assert "Clexane" in page
    assert "B01AB05" in page
    assert "Anticoagulant" in page
    assert "Asthma" in page
    assert "resolved" in page
    coordinator = Client()
    coordinator.force_login(bob)
    assert "Add medication" not in coordinator.get(url).content.decode()
    refused = coordinator.post(url, {"form": "medication", "med-name": "Heparin"})
    assert refused.status_code == 403
    assert Medication.objects.count() == 1


def test_another_sites_user_gets_404_on_the_page(
    charlie: User, make_patient: Callable[..., Patient], north: Site
) -> None:
    patient = make_patient(north)
    client = Client()
    client.force_login(charlie)
    assert client.get(f"/patients/{patient.pk}/medications/").status_code == 404
