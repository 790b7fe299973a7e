"""Data queries and source data verification, through the API and the pages: who may raise,
answer, close and verify; a correction through the normal service; a change clears the mark;
site isolation (another site's user gets 404) and SDV progress per site."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from cordtrack.server.accounts.models import Role, Site, User
from cordtrack.server.audit.chain import verify as verify_chain
from cordtrack.server.audit.models import AuditEntry
from cordtrack.server.exams.models import IsncsciExam
from cordtrack.server.monitoring.models import DataQuery, SourceVerification
from cordtrack.server.patients.models import Patient
from cordtrack.server.services import exams, safety
from cordtrack.server.services import verification as sdv

from .conftest import TODAY, normal_exam, signing
from .test_api_helpers import ApiClient


@pytest.fixture
def monitor(make_user: Callable[..., User], north: Site) -> User:
    return make_user("mona", Role.MONITOR, north)


@pytest.fixture
def south_monitor(make_user: Callable[..., User], south: Site) -> User:
    return make_user("sam", Role.MONITOR, south)


@pytest.fixture
def exam(alice: User, make_patient: Callable[..., Patient], north: Site) -> IsncsciExam:
    e = exams.record_exam(alice, make_patient(north), normal_exam(), exam_date=TODAY)
    return exams.sign_exam(alice, e, password=signing(alice))


def raise_body(exam: IsncsciExam, field: str = "c5RightMotor") -> dict[str, Any]:
    return {"target": "exam", "target_id": exam.pk, "field": field,
            "text": "Source says 4: please check"}  # fmt: skip


def test_the_query_cycle_with_a_correction_through_the_normal_service(
    exam: IsncsciExam, monitor: User, alice: User
) -> None:
    raised = ApiClient(monitor).post("/queries", raise_body(exam))
    assert raised.status_code == 201
    query = raised.json()
    assert query["status"] == "open"
    assert isinstance(query["id"], int)
    assert ApiClient(monitor).get("/queries", status="open").json()["count"] == 1

    no_reason = ApiClient(alice).post(
        f"/queries/{query['id']}/answer", {"text": "Misread", "value": "4"}
    )
    assert no_reason.status_code == 422
    assert no_reason.json()["errors"][0]["field"] == "reason"
    answered = ApiClient(alice).post(
        f"/queries/{query['id']}/answer",
        {"text": "Misread on the sheet", "value": "4", "reason": "transcription error"},
    )
    assert answered.status_code == 200
    assert answered.json()["status"] == "answered"
    correction = answered.json()["messages"][-1]["correction"]
    assert correction == {"field": "c5RightMotor", "old": "5", "new": "4",
                          "reason": "transcription error"}  # fmt: skip
    exam.refresh_from_db()
    assert exam.values["c5RightMotor"] == "4"
    assert AuditEntry.objects.filter(
        model="exams.isncsciexam", object_id=str(exam.pk), reason="transcription error"
    ).exists()

    refused = ApiClient(alice).post(f"/queries/{query['id']}/close", {})
    assert refused.status_code == 403  # a clinician cannot close a query
    closed = ApiClient(monitor).post(f"/queries/{query['id']}/close", {"text": "Thanks"})
    assert closed.json()["status"] == "closed"
    assert ApiClient(monitor).get("/queries", status="open").json()["count"] == 0
    assert (
        ApiClient(monitor).post(f"/queries/{query['id']}/reopen", {"text": ""}).status_code == 422
    )
    reopened = ApiClient(monitor).post(f"/queries/{query['id']}/reopen", {"text": "Still 5?"})
    assert reopened.json()["status"] == "open"
    assert [m["kind"] for m in reopened.json()["messages"]] == [
        "raised", "answered", "closed", "reopened"
    ]  # fmt: skip
    assert not list(verify_chain())


def test_another_sites_user_gets_404_and_cannot_raise_on_its_records(
    exam: IsncsciExam, monitor: User, south_monitor: User, charlie: User
) -> None:
    query = ApiClient(monitor).post("/queries", raise_body(exam)).json()
    for client in (ApiClient(south_monitor), ApiClient(charlie)):
        assert client.get(f"/queries/{query['id']}").status_code == 404
        assert client.post(f"/queries/{query['id']}/close", {}).status_code == 404
        assert client.post(f"/queries/{query['id']}/answer", {"text": "x"}).status_code == 404
        assert client.get("/queries").json()["count"] == 0
    foreign = ApiClient(south_monitor).post("/queries", raise_body(exam))
    assert foreign.status_code == 422
    assert foreign.json()["errors"][0]["field"] == "target_id"
    assert ApiClient(south_monitor).get("/sdv", site="NTH").status_code == 422


@pytest.mark.parametrize("role", [Role.CLINICIAN, Role.COORDINATOR, Role.SITE_ADMIN])
def test_only_monitors_and_data_managers_raise_queries(
    exam: IsncsciExam, make_user: Callable[..., User], north: Site, role: str
) -> None:
    user = make_user(f"u-{role}", role, north)
    assert ApiClient(user).post("/queries", raise_body(exam)).status_code == 403
    assert not DataQuery.objects.exists()


def test_a_data_manager_raises_and_closes(exam: IsncsciExam, dora: User) -> None:
    query = ApiClient(dora).post("/queries", raise_body(exam, "exam_date")).json()
    assert query["field"] == "exam_date"
    assert ApiClient(dora).post(f"/queries/{query['id']}/close", {}).status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"field": "c5RightMotr"}, "field"),
        ({"target": "spaceship"}, "target"),
        ({"target_id": 999999}, "target_id"),
        ({"text": ""}, "text"),
    ],
)
def test_a_bad_query_is_a_field_error(
    exam: IsncsciExam, monitor: User, body: dict[str, Any], field: str
) -> None:
    response = ApiClient(monitor).post("/queries", {**raise_body(exam), **body})
    assert response.status_code == 422
    assert field in {e["field"] for e in response.json()["errors"]}


def test_a_query_on_an_adverse_event_onset_corrects_the_date(
    alice: User, monitor: User, make_patient: Callable[..., Patient], north: Site
) -> None:
    event = safety.report_adverse_event(
        alice, make_patient(north), term="Headache", onset_date=TODAY, ctcae_grade=1,
        relatedness="unrelated", expected=True, action="none", outcome="recovering",
    )  # fmt: skip
    body = {"target": "adverse_event", "target_id": event.pk, "field": "onset_date",
            "text": "Onset was the day before per the nursing notes"}  # fmt: skip
    query = ApiClient(monitor).post("/queries", body).json()
    day_before = TODAY.toordinal() - 1
    import datetime as dt

    value = dt.date.fromordinal(day_before).isoformat()
    bad = ApiClient(alice).post(
        f"/queries/{query['id']}/answer", {"text": "x", "value": "yesterday", "reason": "r"}
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "value"
    ok = ApiClient(alice).post(
        f"/queries/{query['id']}/answer", {"text": "Agreed", "value": value, "reason": "notes"}
    )
    assert ok.status_code == 200
    event.refresh_from_db()
    assert event.onset_date.isoformat() == value


def test_verification_is_cleared_by_any_later_change_of_what_it_covers(
    exam: IsncsciExam, monitor: User, alice: User
) -> None:
    made = ApiClient(monitor).post("/sdv", {"target": "exam", "target_id": exam.pk})
    assert made.status_code == 201
    sdv.verify(monitor, "exam", exam.pk, ["c6LeftMotor", "t1RightTouch"])
    assert SourceVerification.objects.count() == 3
    progress = ApiClient(monitor).get("/sdv", site="NTH").json()
    assert progress["exams"] == {"label": "exams (signed)", "verified": 1, "total": 1,
                                 "percent": 100.0}  # fmt: skip
    # A change of c6LeftMotor clears the record's mark and that field's, not t1RightTouch's.
    exams.amend_exam(alice, exam, {**exam.values, "c6LeftMotor": "4"}, reason="re-examined")
    assert set(SourceVerification.objects.values_list("field", flat=True)) == {"t1RightTouch"}
    cleared = AuditEntry.objects.filter(model="monitoring.sourceverification", action="delete")
    assert cleared.count() == 2
    assert ApiClient(monitor).get("/sdv", site="NTH").json()["exams"]["verified"] == 0
    assert not list(verify_chain())


def test_a_reclassification_alone_does_not_clear_verification(
    exam: IsncsciExam, monitor: User
) -> None:
    sdv.verify(monitor, "exam", exam.pk)
    IsncsciExam.objects.filter(pk=exam.pk).update(ais="Z", classification={})
    exam.refresh_from_db()
    assert exams.recompute_exam(None, exam, reason="engine update")
    assert SourceVerification.objects.count() == 1


@pytest.mark.parametrize("role", [Role.CLINICIAN, Role.DATA_MANAGER, Role.COORDINATOR])
def test_only_monitors_verify(
    exam: IsncsciExam, make_user: Callable[..., User], north: Site, role: str
) -> None:
    user = make_user(f"v-{role}", role, north)
    response = ApiClient(user).post("/sdv", {"target": "exam", "target_id": exam.pk})
    assert response.status_code == 403
    assert not SourceVerification.objects.exists()


def test_a_monitor_still_cannot_enter_data(
    monitor: User, make_patient: Callable[..., Patient], north: Site
) -> None:
    patient = make_patient(north)
    body = {"patient_id": patient.pk, "exam_date": TODAY.isoformat(), "values": normal_exam()}
    assert ApiClient(monitor).post("/exams", body).status_code == 403
    medication = {"patient_id": patient.pk, "name": "Heparin"}
    assert ApiClient(monitor).post("/medications", medication).status_code == 403


def test_the_exam_page_flags_the_queried_cell_and_the_pages_walk_the_cycle(
    exam: IsncsciExam, monitor: User, alice: User
) -> None:
    mon, doc = Client(), Client()
    mon.force_login(monitor)
    doc.force_login(alice)
    url = f"/exams/{exam.pk}/"
    mon.post("/queries/new/", {"target": "exam", "target_id": exam.pk, "field": "c5RightMotor",
                               "text": "Check C5", "next": url})  # fmt: skip
    query = DataQuery.objects.get()
    page = mon.get(url).content.decode()
    assert 'data-key="c5RightMotor" aria-label="C5 right motor" class="value has-query"' in page
    doc.post(f"/queries/{query.pk}/", {"action": "answer", "text": "Fixed", "value": "4",
                                       "reason": "misread"})  # fmt: skip
    assert doc.post(f"/queries/{query.pk}/", {"action": "close"}).status_code == 403
    query.refresh_from_db()
    assert query.status == "answered"  # the clinician's close was refused
    mon.post(f"/queries/{query.pk}/", {"action": "close", "text": "ok"})
    mon.post("/verify/", {"target": "exam", "target_id": exam.pk, "next": url})
    page = mon.get(url).content.decode()
    assert 'data-sdv="verified"' in page
    assert "has-query" not in page
    listing = mon.get("/queries/?status=closed").content.decode()
    assert f'href="/queries/{query.pk}/"' in listing
    assert f'href="/queries/{query.pk}/"' not in mon.get("/queries/?status=open").content.decode()


def test_the_monitors_dashboard_counts_open_queries_and_shows_sdv_progress(
    exam: IsncsciExam, monitor: User
) -> None:
    ApiClient(monitor).post("/queries", raise_body(exam))
    sdv.verify(monitor, "exam", exam.pk)
    client = Client()
    client.force_login(monitor)
    page = client.get("/dashboard/").content.decode()
    assert '<strong data-count="queries">1</strong>' in page
    assert 'data-sdv-kind="exams (signed)">1 of 1<' in page
    assert "C5 right motor" in page


def test_a_patient_never_sees_the_queries_on_their_record(
    exam: IsncsciExam, monitor: User, make_user: Callable[..., User], north: Site
) -> None:
    user = make_user("pat", Role.PATIENT, north)
    patient = exam.patient
    patient.user = user
    patient.save()
    query = ApiClient(monitor).post("/queries", raise_body(exam)).json()
    as_patient = ApiClient(user)
    assert as_patient.get("/queries").json()["count"] == 0
    assert as_patient.get(f"/queries/{query['id']}").status_code == 404
    client = Client()
    client.force_login(user)
    page = client.get(f"/exams/{exam.pk}/").content.decode()
    assert "Source says 4" not in page
    assert "Queries and source verification" not in page
