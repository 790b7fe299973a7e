"""Who sees which report: every report URL x every role x own site / other site, and the demo's
reports for every demo user."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from cordtrack.server.accounts.models import Role, Site, User
from cordtrack.server.audit.models import AuditEntry
from cordtrack.server.patients.models import Patient
from cordtrack.server.services import patients as patient_services

from .reports_cohort import build

SITE_URLS = ("/reports/cohort/", "/reports/safety/", "/reports/claim/?claim=70%25",
             "/reports/cohort.pdf", "/reports/safety.pdf")  # fmt: skip
PATIENT_URLS = ("/reports/patients/{pk}/", "/reports/patients/{pk}/progress.pdf")
STAFF = [r for r in Role.values if r != Role.PATIENT]


@pytest.fixture
def two_sites(
    make_patient: Callable[..., Patient],
    make_lot: Callable[..., Any],
    make_user: Callable[..., User],
    alice: User,
    charlie: User,
    north: Site,
    south: Site,
) -> dict[str, Any]:
    users = {role: make_user(f"{role}-n", role, north) for role in Role.values if role != "x"}
    mine = build(make_patient, make_lot, alice, north)
    south_coordinator = make_user("coord-s", Role.COORDINATOR, south)
    theirs = build(
        lambda site: make_patient(site, actor=south_coordinator), make_lot_south(make_lot,
        south_coordinator), charlie, south,
    )  # fmt: skip
    patient_services.link_patient_user(users[Role.SITE_ADMIN], mine["R1"], users[Role.PATIENT])
    return {"users": users, "mine": mine, "theirs": theirs}


def make_lot_south(make_lot: Callable[..., Any], coordinator: User) -> Callable[..., Any]:
    def make(site: Site, **kw: Any) -> Any:
        return make_lot(site, actor=coordinator, **kw)

    return make


@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize("url", SITE_URLS)
def test_site_reports_for_every_role_and_site(
    two_sites: dict[str, Any], client: Client, role: str, url: str
) -> None:
    client.force_login(two_sites["users"][role])
    theirs = [p.study_id for p in two_sites["theirs"].values()]
    joiner = "&" if "?" in url else "?"

    own = client.get(f"{url}{joiner}site=NTH")
    other = client.get(f"{url}{joiner}site=STH")
    default = client.get(url)

    if role == Role.PATIENT:  # a staff page: the patient is sent to their portal
        assert {r["Location"] for r in (own, other, default)} == {"/portal/"}
        return
    # Closed: reports compare arms (ADR 0040); the sponsor has its own /sponsor/ (ADR 0050).
    if role in (Role.ASSESSOR, Role.SPONSOR):
        assert {r.status_code for r in (own, other, default)} == {403}
        return
    assert own.status_code == 200
    assert default.status_code == 200
    assert other.status_code == 404
    for response in (own, default):
        if response["Content-Type"].startswith("text/html"):
            page = response.content.decode()
            assert not any(study_id in page for study_id in theirs)
            assert "success rate" not in page.lower()


@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize("template", PATIENT_URLS)
def test_patient_reports_for_every_role_and_site(
    two_sites: dict[str, Any], client: Client, role: str, template: str
) -> None:
    client.force_login(two_sites["users"][role])
    own, other_of_mine = two_sites["mine"]["R1"], two_sites["mine"]["R2"]
    theirs = two_sites["theirs"]["R1"]
    before = AuditEntry.objects.count()
    if role == Role.ASSESSOR:  # closed by route, before any record is looked up (ADR 0040)
        for patient in (theirs, other_of_mine, own):
            assert client.get(template.format(pk=patient.pk)).status_code == 403
        assert AuditEntry.objects.count() == before
        return

    if role == Role.SPONSOR:  # no patient's report, of any site
        for patient in (theirs, own, other_of_mine):
            assert client.get(template.format(pk=patient.pk)).status_code == 403
        assert AuditEntry.objects.count() == before
        return
    assert client.get(template.format(pk=theirs.pk)).status_code == 404
    assert AuditEntry.objects.count() == before  # a refusal writes nothing
    mine = client.get(template.format(pk=other_of_mine.pk)).status_code
    assert mine == (404 if role == Role.PATIENT else 200)
    assert client.get(template.format(pk=own.pk)).status_code == 200
    logged = "download" if template.endswith(".pdf") else "view"
    assert AuditEntry.objects.filter(action=logged).exists()  # the views were logged


def test_anonymous_users_are_sent_to_the_login(client: Client) -> None:
    for url in (*SITE_URLS, "/reports/", "/reports/patients/1/"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_the_demo_reports_render_for_every_allowed_role_and_are_refused_to_others(
    client: Client, settings: Any
) -> None:
    from cordtrack.server import demo

    settings.DEMO_MODE = True
    demo.load()
    north_patient = Patient.objects.filter(site__code="NTH").order_by("pk").first()
    south_patient = Patient.objects.filter(site__code="STH").order_by("pk").first()
    assert north_patient is not None
    assert south_patient is not None
    for user in User.objects.filter(memberships__isnull=False).distinct():
        client.force_login(user)
        if user.username == "sponsor@all":  # aggregates on /sponsor/ only (test_sponsor_walk)
            assert client.get("/reports/cohort/").status_code == 403
            assert client.get(f"/reports/patients/{north_patient.pk}/").status_code == 403
            assert client.get("/sponsor/cohort/").status_code == 200
            continue
        code = user.username.split("@")[1].upper()
        other = "STH" if code == "NTH" else "NTH"
        is_patient = user.username.startswith("patient@")
        if user.username.startswith("assessor@"):  # every report closed to them (ADR 0040)
            assert client.get(f"/reports/cohort/?site={code}").status_code == 403
            assert client.get(f"/reports/patients/{north_patient.pk}/").status_code == 403
            continue
        for url in ("/reports/cohort/", "/reports/safety/", "/reports/claim/?claim=60-70%25"):
            expected = 302 if is_patient else 200  # a patient: to the portal
            assert client.get(f"{url}{'&' if '?' in url else '?'}site={code}").status_code == (
                expected
            ), (user.username, url)
            assert client.get(f"{url}{'&' if '?' in url else '?'}site={other}").status_code == (
                302 if is_patient else 404
            )
        assert client.get("/reports/").status_code == (302 if is_patient else 200)
        if is_patient:
            own = user.patient_record
            assert client.get(f"/reports/patients/{own.pk}/").status_code == 200
            assert client.get(f"/reports/patients/{own.pk}/progress.pdf").status_code == 200
            stranger = north_patient if own.pk != north_patient.pk else south_patient
            assert client.get(f"/reports/patients/{stranger.pk}/").status_code == 404
        else:
            mine = north_patient if code == "NTH" else south_patient
            theirs = south_patient if code == "NTH" else north_patient
            assert client.get(f"/reports/patients/{mine.pk}/").status_code == 200
            assert client.get(f"/reports/patients/{theirs.pk}/").status_code == 404


def test_the_cohort_page_lists_each_member_with_its_status_and_the_definition(
    two_sites: dict[str, Any], client: Client
) -> None:
    client.force_login(two_sites["users"][Role.MONITOR])

    page = client.get("/reports/cohort/?site=NTH&definition=ais1_12m").content.decode()

    mine = two_sites["mine"]
    assert (
        f'/reports/patients/{mine["R1"].pk}/">{mine["R1"].study_id}</a></td><td>responder' in page
    )
    assert f"{mine['L1'].study_id}</a></td><td>lost to follow-up" in page
    assert "uncontrolled single-arm" in page
    assert "≥1 AIS grade improvement at 12 months" in page
    assert "<svg" in page  # the Kaplan-Meier curve and the interval charts
