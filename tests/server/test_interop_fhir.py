"""The FHIR R4 export: every resource of a patient's Bundle validates with fhir.resources
(R4B models), and the NDJSON bulk export carries each resource once, one a line."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle

from cordtrack.server.accounts.models import Site, User
from cordtrack.server.patients.models import Patient
from cordtrack.server.services import exams, followup, safety, therapy
from cordtrack.server.services import patients as patient_services

from .conftest import TODAY, VITALS, complete_t6_exam, now, signing
from .test_api_helpers import ApiClient


@pytest.fixture
def treated(
    make_patient: Callable[..., Patient],
    make_lot: Callable[..., Any],
    north: Site,
    alice: User,
    protocol: Any,
) -> Patient:
    patient = make_patient(north)
    patient_services.record_injury(
        alice,
        patient,
        injury_date=TODAY - dt.timedelta(days=400),
        etiology="traumatic",
        cause="fall",
        level="T6",
        baseline_ais="A",
    )
    visits = followup.schedule_visits(alice, patient, protocol, TODAY - dt.timedelta(days=10))
    exam = exams.record_exam(alice, patient, complete_t6_exam(), exam_date=TODAY, visit=visits[0])
    exams.sign_exam(alice, exam, password=signing(alice))
    lot = make_lot(north, patient)
    given = therapy.administer(
        alice,
        patient,
        lot,
        administered_at=now() - dt.timedelta(days=10),
        route="intrathecal",
        dose_total_cells=10**6,
        weight_kg=70,
        vitals=VITALS,
    )
    safety.report_adverse_event(
        alice,
        patient,
        term="Headache",
        onset_date=TODAY,
        ctcae_grade=3,
        relatedness="possible",
        expected=False,
        action="none",
        outcome="recovering",
        administration=given,
        hospitalisation=True,
    )
    followup.record_instrument(
        alice, patient, "pain_nrs", {"nrs_pain_intensity": 4}, recorded_on=TODAY, visit=visits[0]
    )
    return patient


def test_the_patient_bundle_validates_resource_by_resource(treated: Patient, alice: User) -> None:
    response = ApiClient(alice).get(f"/patients/{treated.pk}/fhir")
    assert response.status_code == 200
    data = response.json()
    bundle = Bundle.model_validate(data)
    kinds = []
    for entry in data["entry"]:
        resource = entry["resource"]
        model = get_fhir_model_class(resource["resourceType"])
        model.model_validate(resource)
        kinds.append(resource["resourceType"])
    assert set(kinds) == {
        "Patient",
        "Condition",
        "Encounter",
        "Observation",
        "BiologicallyDerivedProduct",
        "Procedure",
        "AdverseEvent",
        "QuestionnaireResponse",
    }
    assert bundle.type == "collection"


def test_the_exam_panel_carries_loinc_ais_and_cde_codes(treated: Patient, alice: User) -> None:
    data = ApiClient(alice).get(f"/patients/{treated.pk}/fhir").json()
    (obs,) = [
        e["resource"]
        for e in data["entry"]
        if e["resource"]["resourceType"] == "Observation"
        and e["resource"]["category"][0]["coding"][0]["code"] == "exam"
    ]
    by_code = {c["code"]["text"]: c for c in obs["component"]}
    ais = by_code["asiaImpairmentScale"]
    assert {
        "system": "http://loinc.org",
        "code": "97843-7",
        "display": "ASIA impairment scale",
    } in ais["code"]["coding"]
    assert ais["valueString"] == "A"
    sensory = by_code["rightSensory"]["code"]["coding"]
    assert any(c["code"] == "C06007" for c in sensory)
    assert by_code["c5RightMotor"]["valueInteger"] == 5
    condition = next(
        e["resource"] for e in data["entry"] if e["resource"]["resourceType"] == "Condition"
    )
    assert condition["stage"][0]["type"]["coding"][0]["code"] == "97843-7"


def test_no_identifier_but_the_study_id_leaves(treated: Patient, alice: User) -> None:
    data = ApiClient(alice).get(f"/patients/{treated.pk}/fhir").json()
    patient = data["entry"][0]["resource"]
    assert patient["identifier"] == [
        {"system": "https://fhir.cordtrack.invalid/sid/study-id", "value": treated.study_id}
    ]
    assert patient["birthDate"] == "1980"
    assert "name" not in patient


def test_bulk_ndjson_one_valid_resource_a_line(treated: Patient, alice: User) -> None:
    response = ApiClient(alice).get("/fhir/export")
    assert response["Content-Type"] == "application/fhir+ndjson"
    lines = b"".join(response.streaming_content).decode().splitlines()
    for line in lines:
        resource = json.loads(line)
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    only = ApiClient(alice).get("/fhir/export", type="Observation")
    kinds = {json.loads(x)["resourceType"] for x in b"".join(only.streaming_content).splitlines()}
    assert kinds == {"Observation"}
    assert ApiClient(alice).get("/fhir/export", type="Nope").status_code == 422


def test_fhir_downloads_are_in_the_audit_trail(treated: Patient, alice: User) -> None:
    from cordtrack.server.audit.models import AuditEntry

    def downloads() -> int:
        return AuditEntry.objects.filter(action="download", patient_id=treated.pk).count()

    ApiClient(alice).get(f"/patients/{treated.pk}/fhir")
    assert downloads() == 1
    b"".join(ApiClient(alice).get("/fhir/export").streaming_content)
    assert downloads() == 2


def test_vital_signs_of_an_administration_are_fhir_vital_sign_observations(
    treated: Patient, alice: User
) -> None:
    data = ApiClient(alice).get(f"/patients/{treated.pk}/fhir").json()
    vitals = [
        e["resource"]
        for e in data["entry"]
        if e["resource"]["resourceType"] == "Observation"
        and e["resource"]["category"][0]["coding"][0]["code"] == "vital-signs"
    ]
    assert len(vitals) == 3 * 4  # heart rate, temperature, SpO2 and a blood pressure panel
    codes = {v["code"]["coding"][0]["code"] for v in vitals}
    assert codes == {"8867-4", "8310-5", "59408-5", "85354-9"}
    before_hr = next(v for v in vitals if v["id"].endswith("-before-hr"))
    assert before_hr["valueQuantity"] == {
        "value": 80, "unit": "/min", "system": "http://unitsofmeasure.org", "code": "/min"
    }  # fmt: skip
    assert before_hr["partOf"][0]["reference"].startswith("Procedure/procedure-")
    bp = next(v for v in vitals if v["id"].endswith("-after-bp"))
    assert [c["valueQuantity"]["value"] for c in bp["component"]] == [120, 80]
