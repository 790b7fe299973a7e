"""The OpenAPI document says exactly what the API accepts: requests schemathesis generates as valid
from it are accepted, and what it calls invalid is refused with the field named. Also: the
routers import nothing from the API object (no import cycle)."""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from cordtrack import isncsci
from cordtrack.server.accounts.models import Site, User
from cordtrack.server.api import routes
from cordtrack.server.api.api import api
from cordtrack.server.api.vocabulary import REQUIRED_EXAM_KEYS
from cordtrack.server.exams.models import IsncsciExam
from cordtrack.server.intake.models import EligibilityScreening
from cordtrack.server.patients.models import Patient

from .conftest import TODAY, normal_exam
from .test_api_helpers import ApiClient


def _document() -> dict[str, Any]:
    return api.get_openapi_schema()


def _schemathesis() -> Any:
    from cordtrack.server.wsgi import application

    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


def test_the_routers_import_nothing_from_the_api_object() -> None:
    for path in Path(routes.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                imported = {node.module or ""} | {f"{node.module}.{a.name}" for a in node.names}
                assert not any(m in ("api", "..api", "api.api") for m in imported), path.name
                assert not (node.level == 2 and node.module == "api"), path.name


def test_the_exam_body_documents_every_worksheet_key_and_its_values() -> None:
    exam_in = _document()["components"]["schemas"]["ExamIn"]
    values = exam_in["properties"]["values"]
    assert set(values["properties"]) == set(isncsci.EXAM_KEYS)
    assert values["additionalProperties"] is False
    assert values["properties"]["c5RightMotor"]["enum"][:3] == ["0", "0*", "0**"]
    assert "6" not in values["properties"]["c5RightMotor"]["enum"]
    assert values["properties"]["analContraction"]["enum"] == ["Yes", "No", "NT", ""]
    draft, complete = exam_in["anyOf"]
    assert draft["properties"]["status"] == {"const": "draft"}
    assert draft["properties"]["values"] == {"not": {"additionalProperties": {"const": ""}}}
    complete_values = complete["properties"]["values"]
    assert complete_values["required"] == list(REQUIRED_EXAM_KEYS)
    assert len(REQUIRED_EXAM_KEYS) == 134  # 112 sensory and 20 motor cells, VAC and DAP
    assert "" not in complete_values["properties"]["c5RightMotor"]["enum"]


def test_choices_are_documented_as_enums() -> None:
    schemas = _document()["components"]["schemas"]
    assert schemas["PatientIn"]["properties"]["sex"]["enum"] == ["F", "M", "X"]
    assert schemas["AdverseEventIn"]["properties"]["relatedness"]["enum"][0] == "unrelated"
    assert "oral" in schemas["MedicationIn"]["properties"]["route"]["enum"]
    assert schemas["QueryIn"]["properties"]["target"]["enum"][0] == "exam"
    assert schemas["InstrumentIn"]["properties"]["instrument"]["enum"]
    screening = schemas["ScreeningIn"]["properties"]
    assert screening["medically_stable"] == {
        "anyOf": [{"type": "boolean"}, {"type": "null"}],
        "title": "Medically Stable",
    }
    assert screening["conditions"]["additionalProperties"] is False


@pytest.fixture
def patient(make_patient: Callable[..., Patient], north: Site) -> Patient:
    return make_patient(north)


_EXAMS = _schemathesis()["/api/v1/exams"]["POST"]


@given(case=_EXAMS.as_strategy())
@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_exams_schemathesis_generates_as_valid_are_accepted(
    case: Any, patient: Patient, alice: User
) -> None:
    # What the document cannot say: the patient must exist and be the user's, the date not
    # in the future, the visit the patient's. Everything else is as generated.
    body = {**case.body, "patient_id": patient.pk, "exam_date": TODAY.isoformat()}
    body.pop("visit_id", None)
    response = ApiClient(alice).post("/exams", body)
    assert response.status_code == 201, response.json()
    stored = IsncsciExam.objects.get(pk=response.json()["id"])
    assert stored.values == {k: v for k, v in body["values"].items() if v != ""}


def screening_body(patient: Patient, protocol: Any, **overrides: Any) -> dict[str, Any]:
    return {"patient_id": patient.pk, "protocol_id": protocol.pk, **overrides}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"medically_stable": 0}, "medically_stable"),
        ({"medically_stable": "yes"}, "medically_stable"),
        ({"conditions": {"pregnancy": 1}}, "conditions.pregnancy"),
        ({"conditions": {"broken_leg": True}}, "conditions"),
        ({"screened_on": 20260101}, "screened_on"),
        ({"patient_id": "1"}, "patient_id"),
        ({"patient_id": True}, "patient_id"),
    ],
)
def test_a_screening_the_document_calls_invalid_is_refused_naming_the_field(
    patient: Patient, protocol: Any, dora: User, overrides: dict[str, Any], field: str
) -> None:
    body = screening_body(patient, protocol, **overrides)
    response = ApiClient(dora).post("/screenings", body)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert not EligibilityScreening.objects.exists()


def test_a_screening_with_true_and_false_is_accepted(
    patient: Patient, protocol: Any, dora: User
) -> None:
    body = screening_body(patient, protocol, medically_stable=True, conditions={"pregnancy": False})
    assert ApiClient(dora).post("/screenings", body).status_code == 201


def exam_body(patient: Patient, values: dict[str, str], **extra: Any) -> dict[str, Any]:
    return {"patient_id": patient.pk, "exam_date": TODAY.isoformat(), "values": values, **extra}


def test_a_complete_exam_missing_a_key_is_refused_naming_it(patient: Patient, alice: User) -> None:
    values = normal_exam()
    del values["c5RightMotor"]
    response = ApiClient(alice).post("/exams", exam_body(patient, values))
    assert response.status_code == 422
    assert {"field": "c5RightMotor", "value": None, "message": "is required"} in response.json()[
        "errors"
    ]
    # ...which a draft may leave empty; but not every cell.
    draft = ApiClient(alice).post("/exams", exam_body(patient, values, status="draft"))
    assert draft.status_code == 201
    empty = dict.fromkeys(values, "")
    blank = ApiClient(alice).post("/exams", exam_body(patient, empty, status="draft"))
    assert blank.status_code == 422
    assert blank.json()["errors"] == [
        {"field": "values", "value": None, "message": "a draft needs at least one filled cell"}
    ]


def test_an_exam_key_off_the_worksheet_is_refused(patient: Patient, alice: User) -> None:
    response = ApiClient(alice).post("/exams", exam_body(patient, normal_exam(c5RightMoter="5")))
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["field"] == "values"
    assert "'c5RightMoter'" in error["message"]
    assert not IsncsciExam.objects.exists()


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/patients", {"site": "NTH", "year_of_birth": "1980", "sex": "F"}, "year_of_birth"),
        ("/patients", {"site": "NTH", "year_of_birth": 1980, "sex": "Q"}, "sex"),
        ("/patients", {"site": "NTH", "year_of_birth": 1980, "sex": "F", "received_on": 0},
         "received_on"),
    ],
)  # fmt: skip
def test_a_patient_the_document_calls_invalid_is_refused(
    bob: User, north: Site, path: str, body: dict[str, Any], field: str
) -> None:
    before = Patient.objects.count()
    response = ApiClient(bob).post(path, body)
    assert response.status_code == 422
    assert field in {e["field"] for e in response.json()["errors"]}
    assert Patient.objects.count() == before
