"""The sponsor's de-identified export and API: only patients whose consent allows it, each audited
as a download before the file is built; bad input refused with the field named; the API's
answers name no patient; other roles refused."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from cordtrack.server.accounts.models import Membership, Role, Site, User
from cordtrack.server.audit.models import AuditEntry
from cordtrack.server.patients.models import ConsentStatus, Patient
from cordtrack.server.services import api_tokens
from cordtrack.server.services import patients as patient_services

from .conftest import TODAY
from .reports_cohort import build


@pytest.fixture
def sponsor(make_user: Callable[..., User], north: Site, south: Site) -> User:
    user = make_user("sponsor@all", Role.SPONSOR, north)
    Membership.objects.create(user=user, site=south, role=Role.SPONSOR)
    return user


@pytest.fixture
def cohort(
    make_patient: Callable[..., Patient], make_lot: Callable[..., Any], alice: User, bob: User,
    north: Site,
) -> dict[str, Patient]:  # fmt: skip
    patients = build(make_patient, make_lot, alice, north)
    patient_services.record_consent(
        bob, patients["N1"], status=ConsentStatus.WITHDRAWN, consent_date=TODAY, version="2.1"
    )
    patients["pending"] = make_patient(north, consented=False)
    return patients


def _zip_files(body: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        return {name.split("/")[-1]: archive.read(name) for name in archive.namelist()}


def test_the_export_holds_consented_patients_only_each_audited_as_a_download(
    client: Client, sponsor: User, cohort: dict[str, Patient]
) -> None:
    client.force_login(sponsor)
    consented = set(
        Patient.objects.filter(consent_status=ConsentStatus.CONSENTED).values_list("pk", flat=True)
    )
    before = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0

    response = client.get("/sponsor/export.zip?formats=csv&formats=sav")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment;")
    files = _zip_files(response.content)
    assert {"patients.csv", "patients.sav", "codebook.csv", "codebook.pdf", "README.md"} <= set(
        files
    )
    rows = list(csv.DictReader(io.StringIO(files["patients.csv"].decode())))
    assert len(rows) == len(consented)
    assert all(row["research_id"].startswith("P-") for row in rows)
    text = b"\n".join(files.values()).decode("utf-8", errors="replace")
    assert not any(p.study_id in text for p in cohort.values())
    entries = AuditEntry.objects.filter(seq__gt=before)
    assert {e.patient_id for e in entries} == consented  # not N1 (withdrawn), not pending
    assert {(e.action, e.actor_id) for e in entries} == {("download", sponsor.pk)}
    assert entries.first().reason.startswith("exported: de-identified research dataset")


def test_a_bad_format_is_a_field_error_and_nothing_is_audited(
    client: Client, sponsor: User, cohort: dict[str, Patient]
) -> None:
    client.force_login(sponsor)
    before = AuditEntry.objects.count()

    response = client.get("/sponsor/export.zip?formats=xlsx")

    assert response.status_code == 400
    assert "choose from csv, sav, dta" in response.content.decode()
    assert AuditEntry.objects.count() == before
    page = client.get("/sponsor/export/").content.decode()
    included = Patient.objects.filter(consent_status=ConsentStatus.CONSENTED).count()
    assert f"<td>NTH</td><td>{included}</td><td>2</td>" in page  # N1 withdrawn, one pending


def test_the_sponsor_pages_name_no_patient_where_the_staff_pages_do(
    client: Client, sponsor: User, cohort: dict[str, Patient], make_user: Callable[..., User],
    north: Site,
) -> None:  # fmt: skip
    staff = make_user("monitor-n", Role.MONITOR, north)
    client.force_login(staff)
    shown_to_staff = client.get("/reports/cohort/?site=NTH").content.decode()
    client.force_login(sponsor)
    shown_to_sponsor = client.get("/sponsor/cohort/?site=NTH").content.decode()

    assert cohort["R1"].study_id in shown_to_staff  # the control: the staff page lists them
    assert not any(p.study_id in shown_to_sponsor for p in cohort.values())
    assert "uncontrolled single-arm" in shown_to_sponsor
    assert "Lost to follow-up (counted in N)</td><td>1<" in shown_to_sponsor


def _bearer(user: User) -> dict[str, str]:
    _, secret = api_tokens.create_token(user)
    return {"Authorization": f"Bearer {secret}"}


def test_the_api_gives_the_sponsor_figures_without_patients(
    sponsor: User, cohort: dict[str, Patient]
) -> None:
    api = Client(headers=_bearer(sponsor))

    sites = api.get("/api/v1/sponsor/sites").json()
    outcomes = api.get("/api/v1/sponsor/outcomes", {"site": "NTH"})
    safety = api.get("/api/v1/sponsor/safety").json()

    assert [s["site"] for s in sites] == ["NTH", "STH"]
    assert sites[0]["patients"] == Patient.objects.filter(site__code="NTH").count()
    assert outcomes.status_code == 200
    data = outcomes.json()
    assert data["rate"]["due"] == 4
    assert data["rate"]["lost_to_follow_up"] == 1
    assert isinstance(data["time_to_first_ais_improvement"]["without_follow_up"], int)
    assert not any(p.study_id in outcomes.content.decode() for p in cohort.values())
    assert "patient" not in str(safety.get("serious_events", []))
    assert safety["sites"] == ["NTH", "STH"]


def test_the_api_refuses_other_roles_other_sites_and_bad_filters(
    sponsor: User, cohort: dict[str, Patient], alice: User
) -> None:
    api = Client(headers=_bearer(sponsor))
    clinician = Client(headers=_bearer(alice))

    assert clinician.get("/api/v1/sponsor/sites").status_code == 403
    assert clinician.get("/api/v1/sponsor/outcomes").status_code == 403
    assert api.get("/api/v1/sponsor/outcomes", {"site": "XYZ"}).status_code == 404
    bad = api.get("/api/v1/sponsor/outcomes", {"definition": "cure"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "definition"
    assert api.get("/api/v1/patients").status_code == 403
