"""The read audit's entry names the site of the patients a request read from the rows the
request loaded (or the report noted), without reading those patients again; a patient known
only through another record (an exam) is still looked up, and patients of two sites give an
entry with no site (ADR 0058)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cordtrack.server.accounts.models import Membership, Role, Site, User
from cordtrack.server.audit import reads
from cordtrack.server.audit.models import AuditEntry
from cordtrack.server.patients.models import Patient
from cordtrack.server.services import exams

from .conftest import TODAY, normal_exam
from .reports_cohort import build
from .test_api_helpers import ApiClient

pytestmark = pytest.mark.django_db

#: How the read audit asks the sites of the patients it names.
SITES_READ = 'SELECT "patients_patient"."site_id" FROM "patients_patient" WHERE'


def last_entry() -> AuditEntry:
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry is not None
    return entry


def sites_read(done: CaptureQueriesContext) -> int:
    return sum(q["sql"].startswith(SITES_READ) for q in done.captured_queries)


def test_a_list_of_one_sites_patients_names_the_site_without_reading_them_again(
    alice: User, make_patient: Callable[..., Patient], north: Site, client: Client
) -> None:
    shown = [make_patient(north) for _ in range(3)]
    client.force_login(alice)
    for path, asked in (("/patients/", client.get), ("/patients", ApiClient(alice).get)):
        with CaptureQueriesContext(connection) as done:
            assert asked(path).status_code == 200
        entry = last_entry()
        assert entry.changes["patients"] == sorted(p.pk for p in shown), path
        assert entry.site_id == north.pk, path
        assert sites_read(done) == 0, path


def test_an_exam_list_names_its_patients_site(
    alice: User, make_patient: Callable[..., Patient], north: Site
) -> None:
    patient = make_patient(north)
    exams.record_exam(alice, patient, normal_exam(), exam_date=TODAY)
    assert ApiClient(alice).get("/exams").status_code == 200
    entry = last_entry()
    assert (entry.changes["patients"], entry.site_id) == ([patient.pk], north.pk)


def test_patients_whose_rows_were_not_loaded_are_looked_up_unless_two_sites_are_known(
    make_patient: Callable[..., Patient], north: Site, south: Site
) -> None:
    a, b, c = make_patient(north), make_patient(north), make_patient(south)
    cases = [
        ({}, [a.pk, b.pk], {north.pk}, 1),  # nothing loaded: looked up
        ({a.pk: north.pk}, [a.pk, c.pk], {north.pk, south.pk}, 1),
        ({a.pk: north.pk, b.pk: north.pk}, [a.pk, b.pk], {north.pk}, 0),
        ({a.pk: north.pk, c.pk: south.pk}, [a.pk, b.pk, c.pk], {north.pk, south.pk}, 0),
    ]
    for known, named, sites, queries in cases:
        with CaptureQueriesContext(connection) as done:
            assert reads._sites_of(named, reads.Reads(sites=dict(known))) == sites
        assert len(done.captured_queries) == queries, known


def test_patients_of_two_sites_give_an_entry_without_a_site(
    alice: User, make_patient: Callable[..., Patient], north: Site, south: Site
) -> None:
    Membership.objects.create(user=alice, site=south, role=Role.CLINICIAN)
    both = [make_patient(north), make_patient(south)]
    with CaptureQueriesContext(connection) as done:
        assert ApiClient(alice).get("/patients").status_code == 200
    entry = last_entry()
    assert entry.changes["patients"] == sorted(p.pk for p in both)
    assert entry.site_id is None
    assert sites_read(done) == 0


def test_the_cohort_report_names_its_members_and_their_site_from_the_rows_it_read(
    make_patient: Callable[..., Patient], make_lot: Callable[..., Any], alice: User,
    north: Site, client: Client,
) -> None:  # fmt: skip
    build(make_patient, make_lot, alice, north)
    treated = set(
        Patient.objects.filter(administrations__isnull=False).values_list("pk", flat=True)
    )
    client.force_login(alice)
    with CaptureQueriesContext(connection) as done:
        assert client.get("/reports/cohort/?site=NTH").status_code == 200
    entry = last_entry()
    assert len(treated) == 5
    assert set(entry.changes["patients"]) == treated
    assert entry.site_id == north.pk
    assert sites_read(done) == 0
