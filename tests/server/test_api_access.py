"""Access rules of the API, per endpoint and role: the same as the pages'.

Alice is a clinician at North, bob a coordinator there, charlie a clinician at South; a monitor
and a patient user are added where needed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from cordtrack.server.accounts.models import Membership, Role, Site, User
from cordtrack.server.api.models import ApiToken
from cordtrack.server.exams.models import IsncsciExam
from cordtrack.server.patients.models import Patient
from cordtrack.server.services import api_tokens
from cordtrack.server.services import exams as exam_services

from .conftest import TODAY, normal_exam
from .test_api_helpers import ApiClient

LISTS = [
    "/patients",
    "/exams",
    "/screenings",
    "/products",
    "/administrations",
    "/adverse-events",
    "/visits",
    "/instruments",
    "/medications",
    "/medical-history",
]


@pytest.fixture
def north_patient(make_patient: Callable[..., Patient], north: Site, alice: User) -> Patient:
    patient = make_patient(north)
    exam_services.record_exam(alice, patient, normal_exam(), exam_date=TODAY)
    return patient


@pytest.fixture
def monitor(make_user: Callable[..., User], north: Site) -> User:
    return make_user("mona", Role.MONITOR, north)


def exam_body(patient: Patient, **values: str) -> dict[str, Any]:
    return {
        "patient_id": patient.pk,
        "exam_date": TODAY.isoformat(),
        "values": normal_exam(**values),
    }


def test_no_token_or_a_wrong_or_revoked_one_is_401(north_patient: Patient, alice: User) -> None:
    assert ApiClient(None).get("/patients").status_code == 401
    wrong = ApiClient(None)
    wrong.headers["Authorization"] = "Bearer ct_nope"
    assert wrong.get("/patients").status_code == 401
    client = ApiClient(alice)
    assert client.get("/patients").status_code == 200
    api_tokens.revoke_tokens(alice)
    response = client.get("/patients")
    assert response.status_code == 401
    assert "Bearer" in response.json()["detail"]


def test_only_the_hash_of_a_token_is_stored(alice: User) -> None:
    token, secret = api_tokens.create_token(alice)
    stored = ApiToken.objects.get(pk=token.pk)
    assert secret not in {stored.digest, stored.prefix, stored.name}
    assert stored.digest == api_tokens.digest(secret)
    assert api_tokens.authenticate(secret) == alice


@pytest.mark.parametrize("path", LISTS)
def test_south_lists_nothing_of_north(
    path: str, north_patient: Patient, charlie: User, alice: User
) -> None:
    south = ApiClient(charlie).get(path).json()
    assert south["count"] == 0
    assert south["items"] == []
    if path in ("/patients", "/exams"):
        assert ApiClient(alice).get(path).json()["count"] >= 1


@pytest.mark.parametrize(
    "path",
    ["/patients/{p}", "/patients/{p}/fhir", "/exams/{e}", "/reports/patients/{p}"],
)
def test_south_cannot_read_a_north_record(
    path: str, north_patient: Patient, charlie: User, alice: User
) -> None:
    exam = IsncsciExam.objects.get(patient=north_patient)
    url = path.format(p=north_patient.pk, e=exam.pk)
    assert ApiClient(charlie).get(url).status_code == 404
    assert ApiClient(alice).get(url).status_code == 200


def test_south_cannot_write_north(north_patient: Patient, charlie: User, north: Site) -> None:
    client = ApiClient(charlie)
    response = client.post("/exams", exam_body(north_patient))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "patient_id"
    response = client.post("/patients", {"site": "NTH", "year_of_birth": 1980, "sex": "F"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "site"
    assert IsncsciExam.objects.filter(patient=north_patient).count() == 1
    assert Patient.objects.filter(site=north).count() == 1


def test_south_export_has_no_north_patient(north_patient: Patient, charlie: User) -> None:
    body = b"".join(ApiClient(charlie).get("/fhir/export").streaming_content)
    assert north_patient.study_id.encode() not in body


def test_a_monitor_reads_but_cannot_write(north_patient: Patient, monitor: User) -> None:
    client = ApiClient(monitor)
    assert client.get(f"/patients/{north_patient.pk}").status_code == 200
    assert client.post("/exams", exam_body(north_patient)).status_code == 403
    assert (
        client.post("/patients", {"site": "NTH", "year_of_birth": 1980, "sex": "F"}).status_code
        == 403
    )
    assert IsncsciExam.objects.filter(patient=north_patient).count() == 1


def test_a_clinician_cannot_register_patients_nor_a_coordinator_record_exams(
    north_patient: Patient, alice: User, bob: User
) -> None:
    assert (
        ApiClient(alice)
        .post("/patients", {"site": "NTH", "year_of_birth": 1980, "sex": "F"})
        .status_code
        == 403
    )
    assert ApiClient(bob).post("/exams", exam_body(north_patient)).status_code == 403
    created = ApiClient(bob).post("/patients", {"site": "NTH", "year_of_birth": 1980, "sex": "F"})
    assert created.status_code == 201
    assert created.json()["study_id"].startswith("NTH-")


def test_a_patient_sees_only_their_own_record(
    north_patient: Patient, make_patient: Callable[..., Patient], north: Site
) -> None:
    other = make_patient(north)
    user = User.objects.create(username="pat")
    Membership.objects.create(user=user, site=north, role=Role.PATIENT)
    north_patient.user = user
    north_patient.save()
    client = ApiClient(user)
    listed = client.get("/patients").json()
    assert [p["id"] for p in listed["items"]] == [north_patient.pk]
    assert client.get(f"/patients/{north_patient.pk}").status_code == 200
    assert client.get(f"/patients/{other.pk}").status_code == 404
    assert client.get(f"/patients/{other.pk}/fhir").status_code == 404
    assert client.post("/exams", exam_body(north_patient)).status_code == 403
    assert client.get("/reports/sites").json() == []


def test_pagination(make_patient: Callable[..., Patient], north: Site, alice: User) -> None:
    for _ in range(3):
        make_patient(north)
    client = ApiClient(alice)
    page = client.get("/patients", limit=2, offset=0).json()
    assert page["count"] == 3
    assert len(page["items"]) == 2
    rest = client.get("/patients", limit=2, offset=2).json()
    assert len(rest["items"]) == 1
    assert {p["id"] for p in page["items"]}.isdisjoint({p["id"] for p in rest["items"]})
    assert client.get("/patients", limit=0).status_code == 422


def test_visit_completion_is_scoped_and_needs_the_visits_role(
    north_patient: Patient, protocol: Any, alice: User, charlie: User, monitor: User
) -> None:
    from cordtrack.server.services import followup

    visits = followup.schedule_visits(alice, north_patient, protocol, TODAY - dt.timedelta(days=1))
    first = visits[0]
    body = {"done_on": (TODAY - dt.timedelta(days=1)).isoformat()}
    assert ApiClient(charlie).post(f"/visits/{first.pk}/complete", body).status_code == 404
    assert ApiClient(monitor).post(f"/visits/{first.pk}/complete", body).status_code == 403
    done = ApiClient(alice).post(f"/visits/{first.pk}/complete", body)
    assert done.status_code == 200
    assert done.json()["status"] == "done"


def write_bodies(patient: Patient, lot_id: int, visit_id: int, protocol_id: int) -> list[Any]:
    """One valid body for every POST operation, as a North clinician or coordinator would send."""
    day = TODAY.isoformat()
    return [
        ("/patients", {"site": "NTH", "year_of_birth": 1980, "sex": "F"}),
        ("/exams", exam_body(patient)),
        ("/screenings", {"patient_id": patient.pk, "protocol_id": protocol_id}),
        ("/products", {
            "site": "NTH", "lot_number": "Z-9", "manufacturer": "Lab", "cell_type": "bm_msc",
            "source": "allogeneic", "donor_code": "D-9", "manufactured_on": day,
            "expires_on": (TODAY + dt.timedelta(days=9)).isoformat(), "viability_pct": "90",
            "cell_count": 1000, "release_tests": [{"test": "sterility", "passed": True}],
        }),
        ("/administrations", {
            "patient_id": patient.pk, "lot_id": lot_id, "administered_at": f"{day}T08:00:00Z",
            "route": "intravenous", "dose_total_cells": 10, "weight_kg": "70.0",
            "vitals": {p: {"hr": 80, "sbp": 120, "dbp": 80, "temp_c": 36.6, "spo2": 98}
                       for p in ("before", "during", "after")},
        }),
        ("/adverse-events", {
            "patient_id": patient.pk, "term": "Nausea", "onset_date": day, "ctcae_grade": 1,
            "relatedness": "unrelated", "expected": True, "action": "none", "outcome": "unknown",
        }),
        ("/instruments", {"patient_id": patient.pk, "instrument": "pain_nrs",
                          "responses": {"nrs_pain_intensity": 3}, "recorded_on": day}),
        (f"/visits/{visit_id}/complete", {"done_on": day}),
    ]  # fmt: skip


@pytest.fixture
def writable(
    north_patient: Patient, make_lot: Callable[..., Any], north: Site, protocol: Any, alice: User
) -> list[Any]:
    from cordtrack.server.services import followup

    lot = make_lot(north)
    visits = followup.schedule_visits(alice, north_patient, protocol, TODAY)
    return write_bodies(north_patient, lot.pk, visits[0].pk, protocol.pk)


def counts() -> dict[str, int]:
    from cordtrack.server.audit.models import AuditEntry

    return {"audit": AuditEntry.objects.count(), "patients": Patient.objects.count(),
            "exams": IsncsciExam.objects.count()}  # fmt: skip


@pytest.mark.parametrize("who", ["south clinician", "north monitor", "north patient"])
def test_no_write_of_any_kind_outside_ones_rights(
    who: str, writable: list[Any], charlie: User, monitor: User, north_patient: Patient,
    north: Site,
) -> None:  # fmt: skip
    if who == "south clinician":
        user = charlie
    elif who == "north monitor":
        user = monitor
    else:
        user = User.objects.create(username="pat")
        Membership.objects.create(user=user, site=north, role=Role.PATIENT)
        north_patient.user = user
        north_patient.save()
    before = counts()
    client = ApiClient(user)
    for path, body in writable:
        response = client.post(path, body)
        assert response.status_code in (403, 404, 422), (path, response.json())
    after = counts()
    assert after["patients"] == before["patients"]
    assert after["exams"] == before["exams"]


def test_every_write_succeeds_for_the_right_north_roles(
    writable: list[Any], alice: User, bob: User, dora: User
) -> None:
    for path, body in writable:
        response = ApiClient(dora).post(path, body)
        assert response.status_code in (200, 201), (path, response.json())


def _routes(resolver: Any, prefix: str = "") -> list[str]:
    found = []
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        found += _routes(pattern, route) if hasattr(pattern, "url_patterns") else [route]
    return found


def test_the_api_is_resolved_first_and_no_page_route_lies_under_it() -> None:
    """The API's routes come first in the URL map (its requests then skip the pages' routes);
    that changes nothing only while no page route starts with the API's prefix."""
    from django.urls import get_resolver

    routes = _routes(get_resolver())
    assert routes[0].startswith("api/v1/")
    pages = [r for r in routes if not r.startswith("api/v1/")]
    assert pages
    assert not [r for r in pages if r.startswith(("api", "^", "<"))]
