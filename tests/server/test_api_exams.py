"""POSTing exams and other records: the engine's classification, 422s naming the field, and
Idempotency-Key retries that create one record."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from cordtrack.isncsci import classify, parse_exam
from cordtrack.server.accounts.models import Site, User
from cordtrack.server.exams.models import IsncsciExam
from cordtrack.server.patients.models import Patient
from cordtrack.server.safety.models import AdverseEvent
from cordtrack.server.services import exams as exam_services
from cordtrack.server.therapy.models import Administration

from .conftest import TODAY, VITALS, complete_t6_exam, normal_exam, signing
from .test_api_helpers import ApiClient


@pytest.fixture
def patient(make_patient: Callable[..., Patient], north: Site) -> Patient:
    return make_patient(north)


def body(patient: Patient, values: dict[str, str]) -> dict[str, Any]:
    return {"patient_id": patient.pk, "exam_date": TODAY.isoformat(), "values": values}


def test_a_posted_exam_returns_the_engines_classification(patient: Patient, alice: User) -> None:
    values = complete_t6_exam()
    response = ApiClient(alice).post("/exams", body(patient, values))
    assert response.status_code == 201
    data = response.json()
    assert data["classification"] == classify(parse_exam(values)).to_flat()
    assert data["classification"]["asiaImpairmentScale"] == "A"
    stored = IsncsciExam.objects.get(pk=data["id"])
    assert stored.values == values
    assert ApiClient(alice).get(f"/exams/{stored.pk}").json() == data


def test_an_invalid_exam_is_422_naming_key_and_value(patient: Patient, alice: User) -> None:
    response = ApiClient(alice).post("/exams", body(patient, normal_exam(c5RightMotor="6")))
    assert response.status_code == 422
    data = response.json()
    assert "c5RightMotor: '6' is not a motor grade" in data["detail"]
    assert {"field": "c5RightMotor", "value": "6", "message": "'6' is not a motor grade"} in data[
        "errors"
    ]
    assert not IsncsciExam.objects.exists()


@pytest.mark.parametrize(
    ("key", "value"),
    [("c5RightMotor", " 3 "), ("c2LeftTouch", "NT "), ("analContraction", " Yes"),
     ("rightLowestNonKeyMuscleWithMotorFunction", "c7")],
)  # fmt: skip
def test_values_with_spaces_or_another_case_are_422_naming_the_field(
    patient: Patient, alice: User, key: str, value: str
) -> None:
    response = ApiClient(alice).post("/exams", body(patient, {**normal_exam(), key: value}))
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert (error["field"], error["value"]) == (key, value)
    assert "values are read exactly as written" in error["message"]
    assert not IsncsciExam.objects.exists()


@pytest.mark.parametrize("value", [["C5"], {"level": "C5"}, 5, None])
def test_a_list_object_or_number_as_a_value_is_422_naming_the_field(
    patient: Patient, alice: User, value: object
) -> None:
    key = "rightLowestNonKeyMuscleWithMotorFunction"
    client = ApiClient(alice)
    response = client.post("/exams", body(patient, {**normal_exam(), key: value}))  # type: ignore[dict-item]
    assert response.status_code == 422
    assert any(key in e["field"] for e in response.json()["errors"])
    assert not IsncsciExam.objects.exists()
    exam = client.post("/exams", body(patient, normal_exam())).json()
    patched = client.patch(f"/exams/{exam['id']}", {"values": {"c5RightMotor": value}})
    assert patched.status_code == 422
    assert any("c5RightMotor" in e["field"] for e in patched.json()["errors"])


def test_a_missing_value_and_a_future_date_are_named(patient: Patient, alice: User) -> None:
    values = normal_exam()
    del values["t4LeftTouch"]
    response = ApiClient(alice).post("/exams", body(patient, values))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "t4LeftTouch"
    future = body(patient, normal_exam())
    future["exam_date"] = (TODAY + dt.timedelta(days=2)).isoformat()
    response = ApiClient(alice).post("/exams", future)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "exam_date"


def test_schema_errors_are_422_naming_the_field(patient: Patient, alice: User) -> None:
    response = ApiClient(alice).post("/exams", {"patient_id": patient.pk, "values": {}})
    assert response.status_code == 422
    assert "exam_date" in [e["field"] for e in response.json()["errors"]]


def test_a_retry_with_the_same_idempotency_key_creates_one_exam(
    patient: Patient, alice: User
) -> None:
    client = ApiClient(alice)
    first = client.post("/exams", body(patient, normal_exam()), key="exam-1")
    again = client.post("/exams", body(patient, normal_exam()), key="exam-1")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again["Idempotent-Replayed"] == "true"
    assert IsncsciExam.objects.count() == 1


def test_the_same_key_with_another_body_is_refused(patient: Patient, alice: User) -> None:
    client = ApiClient(alice)
    client.post("/exams", body(patient, normal_exam()), key="k")
    response = client.post("/exams", body(patient, complete_t6_exam()), key="k")
    assert response.status_code == 409
    assert "already used" in response.json()["detail"]
    assert IsncsciExam.objects.count() == 1


def test_keys_are_per_user_and_failed_writes_store_no_key(
    patient: Patient, alice: User, dora: User
) -> None:
    bad = ApiClient(alice).post("/exams", body(patient, normal_exam(c5RightMotor="9")), key="k")
    assert bad.status_code == 422
    assert ApiClient(alice).post("/exams", body(patient, normal_exam()), key="k").status_code == 201
    assert ApiClient(dora).post("/exams", body(patient, normal_exam()), key="k").status_code == 201
    assert IsncsciExam.objects.count() == 2


def release_by_api(bob: User, lot_id: int) -> Any:
    bob.set_password("pw-bob-release-1")
    bob.save()
    return (
        ApiClient(bob).post(f"/products/{lot_id}/release", {"password": "pw-bob-release-1"}).json()
    )


def test_lot_administration_and_adverse_event(
    patient: Patient, bob: User, alice: User, make_patient: Callable[..., Patient], north: Site
) -> None:
    lot = ApiClient(bob).post(
        "/products",
        {
            "site": "NTH",
            "lot_number": "A-1",
            "manufacturer": "Lab",
            "cell_type": "bm_msc",
            "source": "autologous",
            "source_patient_id": patient.pk,
            "manufactured_on": (TODAY - dt.timedelta(days=10)).isoformat(),
            "expires_on": (TODAY + dt.timedelta(days=10)).isoformat(),
            "viability_pct": "91.5",
            "cell_count": 10**8,
            "release_tests": [{"test": "sterility", "passed": True}],
        },
    )
    assert lot.status_code == 201, lot.json()
    assert lot.json()["released"] is False  # until its release is signed
    released = release_by_api(bob, lot.json()["id"])
    assert released["released"] is True
    given = {
        "patient_id": patient.pk,
        "lot_id": lot.json()["id"],
        "route": "intrathecal",
        "administered_at": (TODAY - dt.timedelta(days=1)).isoformat() + "T10:00:00Z",
        "dose_total_cells": 10**7,
        "weight_kg": "70.0",
        "vitals": VITALS,
    }
    other = make_patient(north)
    wrong = ApiClient(alice).post("/administrations", {**given, "patient_id": other.pk})
    assert wrong.status_code == 422
    assert "chain of identity" in wrong.json()["detail"]
    done = ApiClient(alice).post("/administrations", given, key="adm")
    assert done.status_code == 201, done.json()
    assert ApiClient(alice).post("/administrations", given, key="adm").status_code == 201
    assert Administration.objects.count() == 1
    event = ApiClient(alice).post(
        "/adverse-events",
        {
            "patient_id": patient.pk,
            "term": "Headache",
            "onset_date": TODAY.isoformat(),
            "ctcae_grade": 2,
            "relatedness": "possible",
            "expected": True,
            "action": "none",
            "outcome": "recovering",
            "administration_id": done.json()["id"],
        },
    )
    assert event.status_code == 201, event.json()
    assert event.json()["lot_id"] == lot.json()["id"]
    assert AdverseEvent.objects.get().serious is False
    fatal = ApiClient(alice).post(
        "/adverse-events",
        {
            "patient_id": patient.pk,
            "term": "X",
            "onset_date": TODAY.isoformat(),
            "ctcae_grade": 5,
            "relatedness": "unrelated",
            "expected": False,
            "action": "none",
            "outcome": "recovering",
        },
    )
    assert fatal.status_code == 422
    assert fatal.json()["errors"][0]["field"] == "outcome"


def test_instruments_and_reports(patient: Patient, alice: User) -> None:
    response = ApiClient(alice).post(
        "/instruments",
        {
            "patient_id": patient.pk,
            "instrument": "nope",
            "responses": {},
            "recorded_on": TODAY.isoformat(),
        },
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "instrument"
    posted = ApiClient(alice).post("/exams", body(patient, complete_t6_exam())).json()
    draft = ApiClient(alice).get(f"/reports/patients/{patient.pk}").json()
    assert draft["exams"] == 0  # a draft is not reported
    assert draft["latest_ais"] == ""
    exam_services.sign_exam(
        alice, IsncsciExam.objects.get(pk=posted["id"]), password=signing(alice)
    )
    report = ApiClient(alice).get(f"/reports/patients/{patient.pk}").json()
    assert report["latest_ais"] == "A"
    assert report["exams"] == 1
    sites = ApiClient(alice).get("/reports/sites").json()
    assert sites[0]["site"] == "NTH"
    assert sites[0]["exams"] == 1


def test_openapi_document_is_served(alice: User) -> None:
    from django.test import Client

    doc = Client().get("/api/v1/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    assert "/api/v1/exams" in doc["paths"]
    post = doc["paths"]["/api/v1/exams"]["post"]
    assert "422" in post["responses"]
    assert any(p["name"] == "Idempotency-Key" for p in post["parameters"])


def test_published_cases_posted_come_back_classified_as_the_engine_does(
    patient: Patient, alice: User
) -> None:
    from worksheets import published_cases

    from cordtrack.isncsci import EXAM_KEYS

    client = ApiClient(alice)
    for case in published_cases()[::8]:  # 16 of the 128, undetermined and starred ones included
        values = {k: str(case[k]) for k in EXAM_KEYS if case.get(k) not in (None, "")}
        response = client.post("/exams", body(patient, values))
        assert response.status_code == 201, response.json()
        assert response.json()["classification"] == classify(parse_exam(values)).to_flat()


def test_a_visit_of_another_patient_is_refused(
    patient: Patient, alice: User, make_patient: Callable[..., Patient], north: Site,
    protocol: Any,
) -> None:  # fmt: skip
    from cordtrack.server.services import followup

    other = make_patient(north)
    visit = followup.schedule_visits(alice, other, protocol, TODAY)[0]
    response = ApiClient(alice).post(
        "/exams", {**body(patient, normal_exam()), "visit_id": visit.pk}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "visit"


def test_an_exam_saved_through_the_api_reads_each_row_it_needs_once(
    patient: Patient, alice: User
) -> None:
    """The patient once (its site decides visibility, no second scoped query), the user's
    memberships once (site scope and blinding share them), no foreign key re-checked by model
    validation, no signature looked up for an exam just made (ADR 0054)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = ApiClient(alice)
    client.post("/exams", body(patient, normal_exam()))  # the token's first use is recorded
    with CaptureQueriesContext(connection) as captured:
        response = client.post("/exams", body(patient, normal_exam()))
    assert response.status_code == 201
    assert response.json()["signature"] is None
    sql = [q["sql"] for q in captured.captured_queries]

    def reads(table: str) -> int:
        return sum(s.startswith("SELECT") and f'FROM "{table}"' in s for s in sql)

    by_id = [s for s in sql if s.startswith("SELECT") and '"patients_patient"."id" =' in s]
    assert len(by_id) == 1  # (a patient user's own record is looked up by user, ADR 0052)
    assert reads("accounts_membership") == 1
    assert reads("accounts_user") == 0
    assert reads("signatures_signature") == 0
    assert sum(s.startswith("INSERT") for s in sql) == 2  # the exam and its audit entry


def _statement(sql: str) -> str:
    """A statement as its verb and its table: ``SELECT patients_patient`` (a SELECT's table is
    its last FROM's: the audit head's statement asks about the staged entries in a subquery)."""
    words = sql.split()
    tables = [w.strip('"') for w, prev in zip(words[1:], words, strict=False)
              if prev in ("FROM", "INTO", "UPDATE") and w.startswith('"')]  # fmt: skip
    return f"{words[0]} {tables[-1] if words[0] == 'SELECT' else tables[0]}"


def test_an_exam_saved_through_the_api_sends_these_statements_and_no_other(
    patient: Patient, alice: User
) -> None:
    """The whole request, pinned (the same on SQLite and PostgreSQL): a statement added to the
    save path fails here, and is then a decision (ADRs 0054, 0057, 0059). In a test the
    request's transaction never commits, so the read audit looks its entry up by hash (the
    last statement) instead of learning of it from the commit."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = ApiClient(alice)
    client.post("/exams", body(patient, normal_exam()))  # the token's first use is recorded
    with CaptureQueriesContext(connection) as captured:
        response = client.post("/exams", body(patient, normal_exam()))
    assert response.status_code == 201
    sent = [
        _statement(q["sql"])
        for q in captured.captured_queries
        if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
    ]
    assert sent == [
        "SELECT api_apitoken",  # the bearer token, with its user
        "SELECT accounts_membership",  # the user's sites and roles (scope, blinding, fences)
        "SELECT patients_patient",  # the patient
        "SELECT consent_withdrawal",  # its consent scopes
        "SELECT patients_injury",  # its injury date (no exam before it)
        "INSERT exams_isncsciexam",
        "SELECT audit_audithead",  # the head, locked (PostgreSQL: and whether any is staged)
        "INSERT audit_auditentry",
        "UPDATE audit_audithead",
        "SELECT audit_auditentry",  # the read audit's lookup (see above)
    ]


def test_with_an_idempotency_key_nothing_is_read_while_the_audit_head_is_held(
    patient: Patient, alice: User
) -> None:
    """The response kept for retries is built from the saved exam in memory: from the audit
    head's move to the end of the write's transaction, the only statement is the insert of the
    idempotency record, which must commit with the exam (exactly once; ADR 0054)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = ApiClient(alice)
    client.post("/exams", body(patient, normal_exam()))  # the token's first use is recorded
    with CaptureQueriesContext(connection) as captured:
        first = client.post("/exams", body(patient, normal_exam()), key="held")
    assert first.status_code == 201
    sql = [q["sql"] for q in captured.captured_queries]
    moved = max(i for i, s in enumerate(sql) if s.startswith('UPDATE "audit_audithead"'))
    after = sql[moved + 1 :]
    stored = next(
        i for i, s in enumerate(after) if s.startswith('INSERT INTO "api_idempotencyrecord"')
    )
    assert all(s.startswith(("SAVEPOINT", "RELEASE SAVEPOINT")) for s in after[:stored])
    again = client.post("/exams", body(patient, normal_exam()), key="held")
    assert again.json() == first.json()
    assert IsncsciExam.objects.filter(patient=patient).count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_committed_save_is_its_own_read_audit_without_looking_it_up(
    patient: Patient, alice: User
) -> None:
    """The exam's audit entry names the patient; once its transaction committed, the request's
    read audit knows it (on_commit) and neither asks the trail nor appends a view entry."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cordtrack.server.audit.models import AuditEntry

    client = ApiClient(alice)
    client.post("/exams", body(patient, normal_exam()))
    before = AuditEntry.objects.count()
    with CaptureQueriesContext(connection) as captured:
        response = client.post("/exams", body(patient, normal_exam()))
    assert response.status_code == 201
    committed = max(i for i, q in enumerate(captured.captured_queries) if q["sql"] == "COMMIT")
    later = [q["sql"] for q in captured.captured_queries[committed + 1 :]]
    assert not any('FROM "audit_auditentry"' in s for s in later)
    new = list(AuditEntry.objects.order_by("seq")[before:].values_list("model", "action"))
    assert new == [("exams.isncsciexam", "create")]
