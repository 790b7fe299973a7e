"""Worklists: exams, adverse events, visits, queries, patients and a patient's audit trail,
filtered by status in plain words, sorted, paged, downloaded as CSV (audited as a download),
and limited to the user's sites."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from cordtrack.server.accounts.models import Role, Site, User
from cordtrack.server.audit.models import AuditEntry
from cordtrack.server.patients.models import Patient
from cordtrack.server.services import exams, followup, safety

from .conftest import TODAY, normal_exam, signing


def _csv(response: Any) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


@pytest.fixture
def world(alice: User, make_patient: Callable[..., Patient], north: Site, south: Site,
          protocol: Any) -> dict[str, Any]:  # fmt: skip
    a, b = make_patient(north), make_patient(north)
    signed = exams.sign_exam(
        alice, exams.record_exam(alice, a, normal_exam(), exam_date=TODAY), password=signing(alice)
    )
    draft = exams.record_exam(alice, b, {"c5RightMotor": "4"}, exam_date=TODAY, draft=True)
    safety.report_adverse_event(
        alice, a, term="Headache", onset_date=TODAY, ctcae_grade=1, relatedness="unrelated",
        expected=True, action="none", outcome="recovering",
    )  # fmt: skip
    followup.schedule_visits(alice, a, protocol, TODAY - dt.timedelta(days=100))
    make_patient(south)
    return {"signed": signed, "draft": draft, "a": a, "b": b}


def test_the_exam_list_filters_by_status_in_plain_words_and_sorts(
    client: Client, alice: User, world: dict[str, Any]
) -> None:
    client.force_login(alice)
    page = client.get("/exams/").content.decode()
    assert "Incomplete drafts" in page
    assert f'href="/exams/{world["signed"].pk}/"' in page
    assert f'href="/exams/{world["draft"].pk}/"' in page
    drafts = client.get("/exams/?status=incomplete").content.decode()
    assert f'href="/exams/{world["signed"].pk}/"' not in drafts
    assert "draft, incomplete" in drafts
    rows = _csv(client.get("/exams/?status=all&sort=patient&format=csv"))
    assert rows[0][:3] == ["Exam date", "Patient", "Status"]
    assert [r[1] for r in rows[1:]] == sorted(r[1] for r in rows[1:])
    backwards = _csv(client.get("/exams/?status=all&sort=-patient&format=csv"))
    assert [r[1] for r in backwards[1:]] == [r[1] for r in rows[1:]][::-1]


def test_a_csv_download_is_audited_for_each_patient_it_names(
    client: Client, alice: User, world: dict[str, Any]
) -> None:
    client.force_login(alice)
    rows = _csv(client.get("/exams/?format=csv"))
    assert len(rows) == 3
    downloads = AuditEntry.objects.filter(action="download", reason__contains="list 'exams'")
    assert set(downloads.values_list("patient_id", flat=True)) == {world["a"].pk, world["b"].pk}


def test_lists_show_only_the_users_sites_and_refuse_patients(
    client: Client, charlie: User, make_user: Callable[..., User], north: Site,
    world: dict[str, Any],
) -> None:  # fmt: skip
    client.force_login(charlie)
    for url in ("/exams/", "/adverse-events/?status=all", "/visits/list/?status=all",
                "/queries/?status=all", "/patients/worklist/"):  # fmt: skip
        page = client.get(url).content.decode()
        assert "NTH-" not in page, url
    assert _csv(client.get("/exams/?format=csv"))[1:] == []
    client.force_login(make_user("pat", Role.PATIENT, north))
    assert client.get("/exams/").status_code == 403


def test_adverse_events_visits_patients_and_queries_lists(
    client: Client, alice: User, world: dict[str, Any]
) -> None:
    client.force_login(alice)
    events = client.get("/adverse-events/").content.decode()
    assert "Headache" in events
    assert "Open (not closed)" in events
    assert "Headache" not in client.get("/adverse-events/?status=closed").content.decode()
    overdue = client.get("/visits/list/?status=overdue").content.decode()
    assert "Overdue (window closed, not done)" in overdue
    assert "Week 1" in overdue  # day 7, its window closed long ago
    assert "Month 6" not in overdue
    patients = client.get("/patients/worklist/?status=new").content.decode()
    assert world["a"].study_id in patients
    assert "Records requested" in patients  # a status in plain words, not its code
    assert client.get("/queries/").status_code == 200


def test_the_audit_trail_is_paged_and_filtered_by_action(
    client: Client, dora: User, world: dict[str, Any]
) -> None:
    client.force_login(dora)
    patient = world["a"]
    for _ in range(60):
        client.get(f"/patients/{patient.pk}/")
    page = client.get(f"/patients/{patient.pk}/audit/").content.decode()
    assert "page 1 of" in page
    assert page.count("<tr>") <= 51
    signed = client.get(f"/patients/{patient.pk}/audit/?status=sign").content.decode()
    assert "Signed" in signed
    assert "Viewed</td>" not in signed
    rows = _csv(client.get(f"/patients/{patient.pk}/audit/?status=changes&format=csv"))
    assert {r[3] for r in rows[1:]} <= {"Created", "Changed", "Deleted", "Signed"}


def test_free_text_that_looks_like_a_formula_is_quoted_in_the_csv(
    client: Client, alice: User, make_patient: Callable[..., Patient], north: Site
) -> None:
    safety.report_adverse_event(
        alice, make_patient(north), term='=HYPERLINK("http://x.invalid","click")',
        onset_date=TODAY, ctcae_grade=1, relatedness="unrelated", expected=True, action="none",
        outcome="recovering",
    )  # fmt: skip
    client.force_login(alice)
    rows = _csv(client.get("/adverse-events/?format=csv"))
    assert rows[1][2].startswith("'=HYPERLINK")
