"""Issue 4's pages through the Django test client: the worksheet's live classification and
signature, the dashboard, the serious-event e-mail, progress charts and the patient portal,
each for the roles that may and may not use them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from cordtrack.server.accounts.models import Membership, Role, Site, User
from cordtrack.server.audit.models import AuditEntry
from cordtrack.server.followup.models import InstrumentResponse
from cordtrack.server.intake.models import Protocol
from cordtrack.server.outbox.delivery import deliver_due
from cordtrack.server.patients.models import Patient
from cordtrack.server.services import exams, followup, safety
from cordtrack.server.services import patients as patient_services

from .conftest import TODAY, complete_t6_exam, normal_exam, signing


def test_the_worksheet_names_each_input_by_its_flat_key_with_an_accessible_label(
    client: Client, alice: User, make_patient: Callable[..., Patient], north: Site
) -> None:
    client.force_login(alice)
    page = client.get(f"/patients/{make_patient(north).pk}/exams/new/").content.decode()

    assert 'name="c5RightMotor"' in page
    assert 'name="s4_5LeftPrick"' in page
    assert 'aria-label="S4-5 left pin prick"' in page
    assert "Elbow flexors" in page
    assert "cordtrack/worksheet.js" in page
    assert "<script>" not in page  # the CSP allows no inline script


def test_live_classification_returns_marked_results_explanation_and_body_map(
    client: Client, alice: User
) -> None:
    client.force_login(alice)

    page = client.post("/exams/classify/", complete_t6_exam()).content.decode()

    assert '<dd data-result="asiaImpairmentScale">A</dd>' in page
    assert '<dd data-result="neurologicalLevelOfInjury">T6</dd>' in page
    assert 'id="explain"' in page
    assert 'data-dermatome="T8-right" data-state="absent"' in page
    assert 'data-dermatome="C5-left" data-state="normal"' in page


def test_live_classification_of_a_partial_or_wrong_exam_says_what_is_missing(
    client: Client, alice: User
) -> None:
    client.force_login(alice)
    partial = normal_exam()
    del partial["analContraction"]

    missing = client.post("/exams/classify/", partial).content.decode()
    wrong = client.post("/exams/classify/", {**normal_exam(), "c5RightMotor": "9"}).content

    assert 'data-missing="1"' in missing
    assert 'data-status="provisional"' in missing
    assert "Provisional classification" in missing
    assert '<dd data-result="asiaImpairmentScale">' in missing
    assert b'data-error-for="c5RightMotor"' in wrong


@pytest.mark.parametrize("role", [Role.MONITOR, Role.COORDINATOR, Role.PATIENT])
def test_live_classification_is_for_roles_that_enter_exams(
    client: Client, make_user: Callable[..., User], north: Site, role: str
) -> None:
    client.force_login(make_user(f"{role}-x", role, north))
    assert client.post("/exams/classify/", normal_exam()).status_code == 403


def test_signing_needs_the_password_and_later_edits_a_reason_in_the_audit_trail(
    client: Client, alice: User, make_patient: Callable[..., Patient], north: Site
) -> None:
    alice.set_password("pw-alice-1")
    alice.save()
    exam = exams.record_exam(alice, make_patient(north), normal_exam(), exam_date=TODAY)
    client.force_login(alice)

    client.post(f"/exams/{exam.pk}/sign/", {"password": "wrong"})
    exam.refresh_from_db()
    assert not exam.locked
    client.post(f"/exams/{exam.pk}/sign/", {"password": "pw-alice-1"})
    exam.refresh_from_db()
    assert exam.locked
    assert exam.signed_by == alice
    corrected = {"exam_date": TODAY.isoformat(), **complete_t6_exam(), "reason": "T7 misread"}
    client.post(f"/exams/{exam.pk}/edit/", corrected)

    page = client.get(f"/exams/{exam.pk}/").content.decode()
    assert "Signed and locked" in page
    assert "T7 misread" in page
    assert AuditEntry.objects.filter(reason="T7 misread").exists()


def test_a_refused_exam_keeps_what_was_typed(
    client: Client, alice: User, make_patient: Callable[..., Patient], north: Site
) -> None:
    client.force_login(alice)
    data = {"exam_date": TODAY.isoformat(), **normal_exam(), "c6LeftMotor": "7"}

    page = client.post(f"/patients/{make_patient(north).pk}/exams/new/", data).content.decode()

    assert 'name="c6LeftMotor" value="7"' in page
    assert 'name="t4RightTouch" value="2"' in page


def _serious(actor: User, patient: Patient) -> None:
    safety.report_adverse_event(
        actor, patient, term="Meningitis", onset_date=TODAY, ctcae_grade=3,
        hospitalisation=True, relatedness="possible", expected=False, action="none",
        outcome="recovering",
    )  # fmt: skip


def test_a_serious_event_reported_on_the_form_emails_the_sites_monitors_only(
    client: Client, alice: User, make_patient: Callable[..., Patient], north: Site,
    south: Site, make_user: Callable[..., User], django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    make_user("monitor@nth", Role.MONITOR, north)
    make_user("monitor@sth", Role.MONITOR, south)
    patient = make_patient(north)
    client.force_login(alice)
    form = {"term": "Meningitis", "onset_date": TODAY.isoformat(), "ctcae_grade": "3",
            "hospitalisation": "on", "relatedness": "possible", "action": "none",
            "outcome": "recovering"}  # fmt: skip

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/patients/{patient.pk}/adverse-events/new/", form)

    assert response.status_code == 302
    assert mail.outbox == []  # the save wrote the outbox; delivery sends it
    assert deliver_due().sent == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["monitor@nth"]
    assert patient.study_id in mail.outbox[0].subject


def test_the_dashboard_shows_open_serious_events_of_the_users_sites_only(
    client: Client, alice: User, charlie: User, make_patient: Callable[..., Patient],
    north: Site, south: Site, make_user: Callable[..., User],
) -> None:  # fmt: skip
    mine, theirs = make_patient(north), make_patient(south)
    _serious(alice, mine)
    _serious(charlie, theirs)
    client.force_login(make_user("mona", Role.MONITOR, north))

    page = client.get("/dashboard/").content.decode()

    assert mine.study_id in page
    assert theirs.study_id not in page
    assert 'data-count="serious">1<' in page


def test_the_dashboard_has_empty_states(client: Client, alice: User) -> None:
    client.force_login(alice)
    page = client.get("/dashboard/").content.decode()
    assert "No open serious adverse events." in page
    assert "No exams yet." in page


@pytest.fixture
def portal_patient(
    bob: User, make_patient: Callable[..., Patient], north: Site,
    make_user: Callable[..., User], protocol: Protocol,
) -> tuple[User, Patient]:  # fmt: skip
    """A patient user linked to a North patient whose first visit is today."""
    patient = make_patient(north)
    user = make_user("pat", Role.PATIENT, north)
    patient_services.link_patient_user(make_user("sadmin", Role.SITE_ADMIN, north), patient, user)
    followup.schedule_visits(bob, patient, protocol, TODAY)
    return user, patient


def test_a_patient_answers_an_assigned_questionnaire_and_sees_only_their_portal(
    client: Client, portal_patient: tuple[User, Patient], alice: User,
) -> None:  # fmt: skip
    user, patient = portal_patient
    client.force_login(user)

    portal = client.get("/portal/").content.decode()
    refused = client.post("/portal/questionnaires/pain_nrs/", {})
    done = client.post("/portal/questionnaires/pain_nrs/", {"nrs_pain_intensity": "4"})

    assert "Pain intensity numeric rating scale" in portal
    assert refused.status_code == 200
    assert b"errorlist" in refused.content
    assert done.status_code == 302
    answer = InstrumentResponse.objects.get(patient=patient)
    assert answer.total == 4
    assert answer.recorded_by == user
    assert client.get("/dashboard/").status_code == 302
    assert client.get("/portal/questionnaires/scim_iii/").status_code == 404
    client.force_login(alice)
    assert client.get("/portal/").status_code == 403


def test_progress_charts_are_scoped_to_the_patients_site(
    client: Client, alice: User, charlie: User, make_patient: Callable[..., Patient],
    north: Site,
) -> None:  # fmt: skip
    patient = make_patient(north)
    exam = exams.record_exam(alice, patient, complete_t6_exam(), exam_date=TODAY)
    client.force_login(alice)
    draft_page = client.get(f"/patients/{patient.pk}/progress/").content.decode()
    assert 'class="point"' not in draft_page
    exams.sign_exam(alice, exam, password=signing(alice))  # only signed exams are charted

    page = client.get(f"/patients/{patient.pk}/progress/").content.decode()

    assert 'data-chart="uems"' in page
    assert 'class="point"' in page
    client.force_login(charlie)
    assert client.get(f"/patients/{patient.pk}/progress/").status_code == 404


def test_a_user_with_two_sites_sees_two_dashboards(
    client: Client, alice: User, south: Site
) -> None:
    Membership.objects.create(user=alice, site=south, role=Role.MONITOR)
    client.force_login(alice)
    page = client.get("/dashboard/").content.decode()
    assert 'data-site="NTH"' in page
    assert 'data-site="STH"' in page


STAFF_PAGES = ("/dashboard/", "/intake/", "/visits/", "/logistics/")


@pytest.mark.parametrize("url", STAFF_PAGES)
def test_staff_pages_show_only_the_users_site_and_refuse_patients(
    client: Client, alice: User, charlie: User, make_patient: Callable[..., Patient],
    north: Site, south: Site, portal_patient: tuple[User, Patient], protocol: Protocol,
    bob: User, url: str,
) -> None:  # fmt: skip
    theirs = make_patient(south)
    followup.schedule_visits(charlie, theirs, protocol, TODAY)
    client.force_login(alice)

    page = client.get(url)

    assert page.status_code == 200
    assert theirs.study_id not in page.content.decode()
    client.force_login(portal_patient[0])
    assert client.get(url).status_code in (302, 403)


def test_the_intake_board_has_a_column_per_status_and_moves_cards_for_coordinators(
    client: Client, bob: User, alice: User, make_patient: Callable[..., Patient], north: Site
) -> None:
    patient = make_patient(north)
    client.force_login(bob)
    page = client.get("/intake/").content.decode()
    assert 'data-status="records_requested"' in page
    assert f"Move {patient.study_id} to" in page
    client.force_login(alice)
    assert f"Move {patient.study_id} to" not in client.get("/intake/").content.decode()


def test_the_logistics_list_flags_visits_without_arrangements(
    client: Client, bob: User, portal_patient: tuple[User, Patient]
) -> None:
    client.force_login(bob)
    page = client.get("/logistics/").content.decode()
    assert "to arrange" in page
    assert portal_patient[1].study_id in page


def test_the_patient_page_shows_the_journey_as_a_timeline(
    client: Client, alice: User, make_patient: Callable[..., Patient], north: Site
) -> None:
    patient = make_patient(north)
    exam = exams.record_exam(alice, patient, complete_t6_exam(), exam_date=TODAY)
    _serious(alice, patient)
    client.force_login(alice)

    page = client.get(f"/patients/{patient.pk}/").content.decode()

    assert "Timeline" in page
    assert f'href="/exams/{exam.pk}/">ISNCSCI exam: NLI T6, AIS A (draft)' in page
    assert 'Serious adverse event: <span dir="auto">Meningitis</span>, grade 3' in page


def test_the_modified_ashworth_form_has_muscle_groups_and_saves(
    client: Client, alice: User, make_patient: Callable[..., Patient], north: Site, protocol: Any
) -> None:
    patient = make_patient(north)
    (visit, *_) = followup.schedule_visits(alice, patient, protocol, TODAY - dt.timedelta(days=3))
    client.force_login(alice)
    url = f"/visits/{visit.pk}/instruments/mas/"
    page = client.get(url).content.decode()
    assert 'name="mas_knee_extensors_right"' in page
    assert 'name="mas_ankle_plantar_flexors_left"' in page
    nothing = client.post(url, {"recorded_on": TODAY.isoformat()})
    assert nothing.status_code == 200
    assert "no muscle group rated" in nothing.content.decode()
    saved = client.post(
        url, {"recorded_on": TODAY.isoformat(), "mas_knee_extensors_right": "1+",
              "mas_elbow_flexors_left": "2"},
    )  # fmt: skip
    assert saved.status_code == 302
    response = InstrumentResponse.objects.get(instrument="mas")
    assert response.responses == {"mas_knee_extensors_right": "1+", "mas_elbow_flexors_left": "2"}


def test_registration_records_the_referral_source_and_date_given(
    client: Client, bob: User, north: Site
) -> None:
    from cordtrack.server.intake.models import Inquiry

    client.force_login(bob)
    page = client.get("/patients/new/").content.decode()
    assert 'name="source"' in page
    assert f'value="{TODAY.isoformat()}"' in page
    received = TODAY - dt.timedelta(days=40)
    form = {"site": north.pk, "year_of_birth": 1975, "sex": "M", "source": "physician",
            "received_on": received.isoformat()}  # fmt: skip
    assert client.post("/patients/new/", form).status_code == 302
    inquiry = Inquiry.objects.get()
    assert inquiry.source == "physician"
    assert inquiry.received_on == received
    future = {**form, "received_on": (TODAY + dt.timedelta(days=1)).isoformat()}
    refused = client.post("/patients/new/", future)
    assert refused.status_code == 200
    assert "cannot be in the future" in refused.content.decode()
    assert Inquiry.objects.count() == 1


def test_the_administration_page_shows_the_vital_signs(
    client: Client, alice: User, charlie: User, make_patient: Callable[..., Patient],
    make_lot: Callable[..., Any], north: Site,
) -> None:  # fmt: skip
    from cordtrack.server.services import therapy

    from .conftest import VITALS, now

    patient = make_patient(north)
    vitals = {**VITALS, "during": {**VITALS["during"], "hr": 131, "spo2": 91}}
    given = therapy.administer(
        alice, patient, make_lot(north), administered_at=now(), route="intravenous",
        dose_total_cells=10**6, weight_kg=70, vitals=vitals,
    )  # fmt: skip
    client.force_login(alice)
    page = client.get(f"/administrations/{given.pk}/").content.decode()
    assert "131" in page
    assert "91" in page
    assert "36.7" in page
    detail = client.get(f"/patients/{patient.pk}/").content.decode()
    assert f'href="/administrations/{given.pk}/"' in detail
    other = Client()
    other.force_login(charlie)
    assert other.get(f"/administrations/{given.pk}/").status_code == 404
