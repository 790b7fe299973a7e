"""What a request looks up about its own user: the memberships once, and a patient user's own
record and its randomisation at most once, only when the request needs them (the route fence,
``access.own_patient_id`` and ``blinding``'s per-request blinding).

Each test counts the queries of one request by what they read (``CaptureQueriesContext``).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cordtrack.server.accounts.models import Membership, Role, Site, User
from cordtrack.server.patients.models import Patient

from .test_api_helpers import ApiClient

#: How each lookup reads in SQL (the same on SQLite and PostgreSQL).
OWN_RECORD = '"patients_patient"."user_id" ='
RANDOMISED = 'FROM "intake_randomisation" WHERE "intake_randomisation"."patient_id" ='
PATIENT_MEMBERSHIP = '"accounts_membership"."role" = \'patient\''
MEMBERSHIPS = 'WHERE "accounts_membership"."user_id" ='
WITH_RECORD = 'FROM "accounts_user" LEFT OUTER JOIN "patients_patient"'


def lookups(ctx: CaptureQueriesContext) -> dict[str, int]:
    sqls = [q["sql"] for q in ctx.captured_queries]
    return {
        name: sum(marker in sql for sql in sqls)
        for name, marker in (
            ("own record", OWN_RECORD), ("randomised", RANDOMISED),
            ("patient membership", PATIENT_MEMBERSHIP), ("memberships", MEMBERSHIPS),
        )
    }  # fmt: skip


@pytest.fixture
def own(make_patient: Callable[..., Patient], north: Site) -> Patient:
    return make_patient(north)


@pytest.fixture
def patient_user(own: Patient, north: Site) -> User:
    user = User.objects.create(username="pat")
    Membership.objects.create(user=user, site=north, role=Role.PATIENT)
    own.user = user
    own.save()
    return user


def lookups_per_read(user: User, own: Patient) -> dict[str, dict[str, int]]:
    """The lookups of each of three API reads (list, record, exams) made by ``user``."""
    client = ApiClient(user)
    counted: dict[str, dict[str, int]] = {}
    for path in ("/patients", f"/patients/{own.pk}", f"/exams?patient_id={own.pk}"):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(path).status_code == 200, path
        counted[path] = lookups(ctx)
    return counted


def test_a_staff_api_request_never_looks_up_a_patient_record(alice: User, own: Patient) -> None:
    for path, counted in lookups_per_read(alice, own).items():
        assert counted == {
            "own record": 0, "randomised": 0, "patient membership": 0, "memberships": 1,
        }, path  # fmt: skip


def test_a_patient_api_request_reads_their_record_once_and_no_randomisation_unless_asked(
    patient_user: User, own: Patient
) -> None:
    """Exams and the patient's record show no treatment row: nothing asks whether the patient is
    randomised, and the patient membership is the memberships' (read once)."""
    for path, counted in lookups_per_read(patient_user, own).items():
        assert counted == {
            "own record": 1, "randomised": 0, "patient membership": 0, "memberships": 1,
        }, path  # fmt: skip


def test_a_patient_request_that_shows_treatment_rows_asks_once_whether_they_are_randomised(
    patient_user: User, own: Patient
) -> None:
    """The FHIR bundle reads administrations and lots (hidden from a randomised patient); the
    portal page's header asks too: one randomisation lookup each, however many ask."""
    with CaptureQueriesContext(connection) as ctx:
        assert ApiClient(patient_user).get(f"/patients/{own.pk}/fhir").status_code == 200
    assert lookups(ctx)["randomised"] == 1
    assert lookups(ctx)["own record"] == 1
    client = Client()
    client.force_login(patient_user)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/portal/").status_code == 200
    assert lookups(ctx)["randomised"] == 1
    # A session's user is read with their record (accounts/backends.py): no statement of its own.
    assert lookups(ctx)["own record"] == 0
    assert sum(WITH_RECORD in q["sql"] for q in ctx.captured_queries) == 1


def test_a_signed_in_page_reads_the_user_and_their_patient_record_in_one_statement(
    alice: User, patient_user: User, own: Patient
) -> None:
    """Staff have no record: asking for it on every page (language, the portal's fence) was a
    statement that always found nothing (ADR 0060)."""
    for user, path, record in ((alice, "/patients/", None), (alice, "/dashboard/", None),
                               (patient_user, "/portal/", own.pk)):  # fmt: skip
        client = Client()
        client.force_login(user)
        with CaptureQueriesContext(connection) as ctx:
            page = client.get(path)
        assert page.status_code == 200, path
        assert lookups(ctx)["own record"] == 0, path
        assert sum(WITH_RECORD in q["sql"] for q in ctx.captured_queries) == 1, path
        assert getattr(page.wsgi_request.user, "patient_record", None) == (
            None if record is None else Patient.objects.get(pk=record)
        )


def test_a_staff_page_reads_the_memberships_once_for_its_checks_and_its_header(
    alice: User, own: Patient, south: Site
) -> None:
    """The page header's roles by site code come from the rows the access checks read."""
    Membership.objects.create(user=alice, site=south, role=Role.MONITOR)
    client = Client()
    client.force_login(alice)
    for path in ("/patients/", f"/patients/{own.pk}/", "/dashboard/"):
        with CaptureQueriesContext(connection) as ctx:
            page = client.get(path)
        assert page.status_code == 200, path
        assert lookups(ctx)["memberships"] == 1, path
        header = page.content.decode()
        assert "clinician@NTH" in header, path
        assert "monitor@STH" in header, path
