"""Site isolation: every URL × every role × own site / other site.

A record of another site answers 404 (its existence does not leak); a page the role may not use
at its own site answers 403; refused writes change nothing and write no audit entry.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import resolve

from cordtrack.server.accounts.models import Membership, Role, Site, User
from cordtrack.server.audit.models import AuditEntry
from cordtrack.server.demo_files import synthetic_pdf
from cordtrack.server.fences import ROUTE_FENCES
from cordtrack.server.intake.models import Protocol
from cordtrack.server.intake.protocols import DEMO_CRITERIA, DEMO_SCHEDULE
from cordtrack.server.patients.models import Patient
from cordtrack.server.services import documents, exams, followup, safety
from cordtrack.server.services import patients as patient_services
from cordtrack.server.therapy.models import CellProductLot

from .conftest import TODAY, normal_exam, signing

PDF = synthetic_pdf("Synthetic record")


@dataclass
class World:
    users: dict[str, User]  # role -> user at North
    mine: Patient  # a North patient
    own: Patient  # the North patient linked to patient@nth
    theirs: Patient  # a South patient
    objects: dict[str, dict[str, int]]  # "mine"/"own"/"theirs" -> kind -> pk


def _fill(patient: Patient, clinician: User, coordinator: User) -> dict[str, int]:
    exam = exams.sign_exam(
        clinician,
        exams.record_exam(clinician, patient, normal_exam(), exam_date=TODAY),
        password=signing(clinician),
    )
    upload = SimpleUploadedFile("scan.pdf", PDF, content_type="application/pdf")
    document = documents.upload_document(coordinator, patient, "medical_record", upload)
    protocol, _ = Protocol.objects.get_or_create(
        code="P", version="1", defaults={"criteria": DEMO_CRITERIA, "schedule": DEMO_SCHEDULE}
    )
    visit = followup.schedule_visits(coordinator, patient, protocol, TODAY)[0]
    followup.record_logistics(
        coordinator, visit, travel_mode="car", distance_km=50, mobility_aids=["none"]
    )
    event = safety.report_adverse_event(
        clinician, patient, term="Headache", onset_date=TODAY, ctcae_grade=1,
        relatedness="possible", expected=True, action="none", outcome="recovering",
    )  # fmt: skip
    return {
        "patient": patient.pk,
        "exam": exam.pk,
        "document": document.pk,
        "inquiry": patient.inquiries.get().pk,
        "visit": visit.pk,
        "ae": event.pk,
        "protocol": protocol.pk,
    }


@pytest.fixture
def world(north: Site, south: Site, make_user: Callable[..., User]) -> World:
    users = {role: make_user(f"{role}@nth", role, north) for role in Role.values}
    south_clinician = make_user("clinician@sth", Role.CLINICIAN, south)
    south_coordinator = make_user("coordinator@sth", Role.COORDINATOR, south)
    coordinator, clinician = users[Role.COORDINATOR], users[Role.CLINICIAN]
    mine = patient_services.register_patient(coordinator, north, year_of_birth=1970, sex="F")
    own = patient_services.register_patient(coordinator, north, year_of_birth=1980, sex="M")
    patient_services.link_patient_user(users[Role.SITE_ADMIN], own, users[Role.PATIENT])
    theirs = patient_services.register_patient(
        south_coordinator, south, year_of_birth=1990, sex="F"
    )
    objects = {
        "mine": _fill(mine, clinician, coordinator),
        "own": _fill(own, clinician, coordinator),
        "theirs": _fill(theirs, south_clinician, south_coordinator),
    }
    return World(users, mine, own, theirs, objects)


# (name, method, url template, capability needed; None = read)
ENDPOINTS = [
    ("patient detail", "get", "/patients/{patient}/", None),
    ("patient audit", "get", "/patients/{patient}/audit/", "audit"),
    ("consent form", "get", "/patients/{patient}/consent/", "intake"),
    ("consent change", "post", "/patients/{patient}/consent/", "intake"),
    ("exam form", "get", "/patients/{patient}/exams/new/", "assess"),
    ("exam entry", "post", "/patients/{patient}/exams/new/", "assess"),
    ("exam detail", "get", "/exams/{exam}/", None),
    ("document detail", "get", "/documents/{document}/", None),
    ("document review", "post", "/documents/{document}/", "intake"),
    ("document download", "get", "/documents/{document}/download/", None),
    ("document upload", "post", "/patients/{patient}/documents/", "intake"),
    ("inquiry status", "post", "/inquiries/{inquiry}/status/", "intake"),
    ("injury form", "get", "/patients/{patient}/injury/", "clinical"),
    ("injury entry", "post", "/patients/{patient}/injury/", "clinical"),
    ("screening form", "get", "/patients/{patient}/screening/new/", "clinical"),
    ("administration form", "get", "/patients/{patient}/administrations/new/", "clinical"),
    ("adverse event form", "get", "/patients/{patient}/adverse-events/new/", "clinical"),
    ("adverse event report", "post", "/patients/{patient}/adverse-events/new/", "clinical"),
    # "sign:": a sign action; posted without the password it is a field error (422), and
    # test_signatures / test_ae_closure sign with it.
    ("adverse event sign", "post", "/adverse-events/{ae}/sign/", "sign:clinical"),
    ("adverse event close", "post", "/adverse-events/{ae}/close/", "sign:safety_review"),
    ("exam sign", "post", "/exams/{exam}/sign/", "sign:assess"),
    ("exam correction form", "get", "/exams/{exam}/edit/", "assess"),
    ("visit detail", "get", "/visits/{visit}/", None),
    ("visit completion", "post", "/visits/{visit}/", "visits"),
    ("instrument form", "get", "/visits/{visit}/instruments/pain_nrs/", "assess"),
    ("instrument entry", "post", "/visits/{visit}/instruments/pain_nrs/", "assess"),
    ("logistics arranged", "post", "/visits/{visit}/logistics/arranged/", "visits"),
    ("travel letter", "get", "/visits/{visit}/travel-letter/", "visits"),
    ("visit scheduling", "post", "/patients/{patient}/visits/schedule/", "visits"),
    ("patient outcomes report", "get", "/reports/patients/{patient}/", None),
    ("patient progress report", "get", "/reports/patients/{patient}/progress.pdf", None),
    ("progress charts", "get", "/patients/{patient}/progress/", None),
]
CAPS = {
    Role.CLINICIAN: {"clinical", "assess", "visits"},
    Role.COORDINATOR: {"intake", "visits"},
    Role.DATA_MANAGER: {"intake", "clinical", "assess", "visits", "audit"},
    Role.MONITOR: {"audit", "safety_review"},
    Role.SITE_ADMIN: {"audit"},
    Role.PATIENT: set(),
    Role.UNBLINDED: set(),  # reads; enters nothing
    Role.ASSESSOR: {"assess"},  # exams and instruments; every other page closed (fences.py)
    Role.SPONSOR: set(),  # aggregates only: every page here answers 403 (fences.py)
}


def _post_data(name: str, ids: dict[str, int]) -> dict[str, Any]:
    today = TODAY.isoformat()
    if name == "injury entry":
        return {"injury_date": today, "etiology": "traumatic", "cause": "fall", "level": "T4",
                "baseline_ais": "A"}  # fmt: skip
    if name == "adverse event report":
        return {"term": "Fever", "onset_date": today, "ctcae_grade": "1",
                "relatedness": "unlikely", "action": "none", "outcome": "recovering"}  # fmt: skip
    if name == "visit completion":
        return {"form": "complete", "done_on": today}
    if name == "logistics arranged":
        return {"item": "travel", "arranged": "yes"}
    if name == "instrument entry":
        return {"recorded_on": today, "nrs_pain_intensity": "3"}
    if name == "visit scheduling":
        return {"protocol": ids["protocol"], "reference_date": today}
    if name == "consent change":
        return {"status": "consented", "consent_date": TODAY.isoformat(), "consent_version": "9"}
    if name == "exam entry":
        return {"exam_date": TODAY.isoformat(), **normal_exam()}
    if name == "document review":
        return {"deidentified_ok": "yes"}
    if name == "document upload":
        return {"kind": "other", "file": io.BytesIO(PDF)}
    if name == "inquiry status":
        return {"status": "records_requested"}
    return {}


def _request(client: Client, method: str, url: str, name: str, ids: dict[str, int]) -> Any:
    if method == "get":
        return client.get(url)
    data = _post_data(name, ids)
    if "file" in data:
        data["file"].name = "upload.pdf"
    return client.post(url, data)


def blinding_open(url: str) -> bool:
    return ROUTE_FENCES[Role.ASSESSOR].opens(resolve(url).view_name)


def _expected(role: str, target: str, method: str, cap: str | None, url: str) -> set[int]:
    """Allowed outcomes: 200 page, 302 after a write, 403 not your role, 404 not your record;
    a patient user opening a staff page is sent to their portal (302); a sponsor is refused every
    page of a record, of their sites or not (403, before the view: nothing leaks)."""
    if role == Role.SPONSOR:
        return {403}
    if role == Role.PATIENT and method == "get" and cap is not None:
        return {302}
    if role == Role.ASSESSOR and not blinding_open(url):
        return {403}  # closed by route before any record is looked up: nothing leaks
    if target == "theirs":
        return {404}
    if role == Role.PATIENT:
        if target != "own":
            return {404}
        return {200} if cap is None else {403}
    if cap is not None and cap.removeprefix("sign:") not in CAPS[role]:
        return {403}
    signing = cap is not None and cap.startswith("sign:")
    return {200} if method == "get" else ({422} if signing else {200, 302})


@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize(
    ("name", "method", "template", "cap"), ENDPOINTS, ids=[e[0] for e in ENDPOINTS]
)
def test_every_url_for_every_role_and_site(
    world: World, client: Client, role: str, name: str, method: str, template: str,
    cap: str | None,
) -> None:  # fmt: skip
    """Each endpoint on a record of the other site, of the user's site, and the patient user's
    own record; the other site's first, so that no earlier write can mask a leak."""
    client.force_login(world.users[role])
    for target in ("theirs", "mine", "own"):
        url = template.format(**world.objects[target])
        audit_before = AuditEntry.objects.count()

        response = _request(client, method, url, name, world.objects[target])

        status = response.status_code
        assert status in _expected(role, target, method, cap, url), f"{role} on {target}: {status}"
        if role == Role.PATIENT and status == 302 and method == "get":
            assert response["Location"] == "/portal/"
        if status in (403, 404):
            assert AuditEntry.objects.count() == audit_before, f"refused {target} wrote something"
            assert world.theirs.study_id not in response.content.decode(errors="replace")


@pytest.mark.parametrize("role", Role.values)
def test_patient_list_shows_only_the_users_site(world: World, client: Client, role: str) -> None:
    client.force_login(world.users[role])

    response = client.get("/patients/")
    page = response.content.decode()

    assert world.theirs.study_id not in page
    if role == Role.PATIENT:  # a staff page: their own record is linked from the portal
        assert response["Location"] == "/portal/"
    elif role == Role.SPONSOR:  # aggregates only (sponsor.access)
        assert response.status_code == 403
        assert world.mine.study_id not in page
    else:
        assert world.mine.study_id in page
        assert world.own.study_id in page
        assert "2 patients" in page


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.PATIENT])
def test_search_and_counts_do_not_reach_other_sites(
    world: World, client: Client, role: str
) -> None:
    client.force_login(world.users[role])

    for query in ("STH", world.theirs.study_id, "new"):
        page = client.get("/patients/", {"q": query}, headers={"HX-Request": "true"}).content
        assert world.theirs.study_id.encode() not in page
    counted = client.get("/patients/", {"q": "STH"})
    if role == Role.SPONSOR:  # no patient list at all
        assert counted.status_code == 403
    else:
        assert b"0 patients" in counted.content


def test_anonymous_visitors_are_sent_to_the_login_page(world: World, client: Client) -> None:
    for _, method, template, _ in ENDPOINTS:
        url = template.format(**world.objects["mine"])
        response = client.get(url) if method == "get" else client.post(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_registering_a_patient_at_another_site_is_refused(world: World, client: Client) -> None:
    south = Site.objects.get(code="STH")
    client.force_login(world.users[Role.COORDINATOR])
    before = Patient.objects.count()

    response = client.post("/patients/new/", {"site": south.pk, "year_of_birth": 1970, "sex": "F"})

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert Patient.objects.count() == before


@pytest.mark.parametrize("role", [Role.CLINICIAN, Role.MONITOR, Role.SITE_ADMIN, Role.PATIENT])
def test_roles_without_intake_cannot_register_patients(
    world: World, client: Client, role: str
) -> None:
    client.force_login(world.users[role])
    assert client.get("/patients/new/").status_code == (302 if role == Role.PATIENT else 403)


def test_a_user_at_two_sites_sees_both(world: World, client: Client) -> None:
    monitor = world.users[Role.MONITOR]
    Membership.objects.create(user=monitor, site=Site.objects.get(code="STH"), role=Role.MONITOR)
    client.force_login(monitor)

    page = client.get("/patients/").content.decode()

    assert world.theirs.study_id in page
    assert world.mine.study_id in page


def test_admin_lists_only_the_stewards_sites(world: World, client: Client) -> None:
    steward = world.users[Role.DATA_MANAGER]
    steward.is_staff = True
    steward.save()
    client.force_login(steward)

    page = client.get("/admin/patients/patient/").content.decode()
    history = client.get(f"/admin/patients/patient/{world.mine.pk}/history/").content.decode()
    other = client.get(f"/admin/patients/patient/{world.theirs.pk}/change/")
    trail = client.get("/admin/audit/auditentry/?q=").content.decode()

    assert world.mine.study_id in page
    assert world.theirs.study_id not in page
    assert "consent" not in history or "create" in history
    assert "create" in history
    assert other.status_code == 302  # the admin redirects an object it cannot find
    assert "/admin/audit/auditentry/" in trail


@pytest.mark.parametrize("role", Role.values)
def test_lot_lists_show_only_the_users_sites(
    world: World, client: Client, role: str, make_lot: Callable[..., Any]
) -> None:
    south_coordinator = User.objects.get(username="coordinator@sth")
    make_lot(Site.objects.get(code="NTH"), suffix="north", actor=world.users[Role.COORDINATOR])
    make_lot(Site.objects.get(code="STH"), suffix="south", actor=south_coordinator)
    client.force_login(world.users[role])

    response = client.get("/lots/")
    page = response.content.decode()

    assert "-south" not in page
    if role in (Role.PATIENT, Role.SPONSOR):
        assert "-north" not in page
    elif role == Role.ASSESSOR:  # blind to the product: the page is closed to them
        assert response.status_code == 403
        assert "-north" not in page
    else:
        assert "-north" in page
    assert CellProductLot.objects.count() == 2


@pytest.mark.parametrize("role", Role.values)
def test_only_product_roles_register_lots(world: World, client: Client, role: str) -> None:
    client.force_login(world.users[role])
    allowed = role in (Role.COORDINATOR, Role.DATA_MANAGER)
    refused = 302 if role == Role.PATIENT else 403  # a patient: to the portal
    assert client.get("/lots/new/").status_code == (200 if allowed else refused)
