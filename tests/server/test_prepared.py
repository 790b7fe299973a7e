"""Prepared queries (ADR 0057): compiled once per connection, they answer what the queryset they
were built from answers, for every argument, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from cordtrack.server.accounts.models import Membership, Role, Site, User
from cordtrack.server.audit.models import AuditHead
from cordtrack.server.patients.models import Patient
from cordtrack.server.prepared import Prepared


def _patients_by_site(code: str) -> Any:
    return Patient.objects.filter(site__code=code).select_related("site")


def test_a_prepared_query_answers_as_its_queryset_for_each_argument(
    make_patient: Callable[..., Patient], north: Site, south: Site
) -> None:
    made = [make_patient(north), make_patient(north), make_patient(south)]
    prepared: Prepared[Patient] = Prepared(_patients_by_site, str)
    for code in ("NTH", "STH", "XXX"):
        expected = list(_patients_by_site(code))
        found = prepared.rows(code)
        assert [(p.pk, p.study_id, p.site_id) for p in found] == [
            (p.pk, p.study_id, p.site_id) for p in expected
        ]
    assert {p.pk for p in prepared.rows("NTH")} == {made[0].pk, made[1].pk}


def test_its_related_rows_come_with_it_and_are_not_read_again(
    make_patient: Callable[..., Patient], north: Site
) -> None:
    patient = make_patient(north)
    prepared: Prepared[Patient] = Prepared(
        lambda pk: Patient.objects.filter(pk=pk).select_related("site").order_by("pk")[:1], int
    )
    prepared.first(patient.pk)  # compiled on the first call
    with CaptureQueriesContext(connection) as captured:
        found = prepared.first(patient.pk)
        assert found.site.code == "NTH"
        assert found.year_of_birth == 1980
        assert found._state.adding is False
        assert found._state.db == "default"
    assert len(captured.captured_queries) == 1
    assert prepared.first(patient.pk + 1000) is None


def test_a_missing_reverse_one_to_one_reads_as_absent_without_a_query(alice: User) -> None:
    prepared: Prepared[User] = Prepared(
        lambda pk: User.objects.filter(pk=pk).select_related("patient_record").order_by("pk")[:1],
        int,
    )
    user = prepared.first(alice.pk)
    with CaptureQueriesContext(connection) as captured:
        assert getattr(user, "patient_record", None) is None
    assert captured.captured_queries == []


def test_values_list_rows_are_tuples_or_flat_values(alice: User, north: Site, south: Site) -> None:
    Membership.objects.create(user=alice, site=south, role=Role.DATA_MANAGER)
    pairs = Prepared(
        lambda pk: Membership.objects.filter(user_id=pk).values_list("site_id", "role"), int
    )
    assert sorted(pairs.rows(alice.pk)) == [
        (north.pk, Role.CLINICIAN.value),
        (south.pk, Role.DATA_MANAGER.value),
    ]
    assert pairs.rows(alice.pk + 1000) == []
    flat = Prepared(
        lambda pk: Membership.objects.filter(user_id=pk).values_list("site_id", flat=True), int
    )
    assert sorted(flat.rows(alice.pk)) == sorted([north.pk, south.pk])


def test_annotations_are_set_on_the_instances(alice: User, bob: User) -> None:
    has_member = Exists(Membership.objects.filter(user_id=OuterRef("pk"), role=Role.CLINICIAN))
    prepared: Prepared[User] = Prepared(
        lambda name: User.objects.filter(username=name).annotate(clinician=has_member), str
    )
    assert [u.clinician for u in prepared.rows("alice")] == [True]
    assert [u.clinician for u in prepared.rows("bob")] == [False]


def test_it_is_compiled_once_per_connection(alice: User) -> None:
    built: list[int] = []

    def build(pk: int) -> Any:
        built.append(pk)
        return User.objects.filter(pk=pk)

    prepared: Prepared[User] = Prepared(build, int)
    assert [u.username for u in prepared.rows(alice.pk)] == ["alice"]
    assert prepared.rows(alice.pk + 1000) == []
    assert len(built) == 1


def test_an_argument_that_is_not_a_parameter_of_the_sql_is_refused(alice: User) -> None:
    sliced: Prepared[User] = Prepared(lambda n: User.objects.order_by("pk")[:n], int)
    with pytest.raises(TypeError, match="SQL parameter"):
        sliced.rows(1)
    with pytest.raises(TypeError, match="expected 1 arguments"):
        Prepared(lambda pk: User.objects.filter(pk=pk), int).rows()


def test_a_row_lock_outside_a_transaction_is_refused_every_time(transactional_db: None) -> None:
    """(The test runs outside a test transaction, as a request does with autocommit.)"""
    AuditHead.objects.get_or_create(pk=1)
    locked: Prepared[AuditHead] = Prepared(
        lambda: AuditHead.objects.select_for_update().filter(pk=1)
    )
    with transaction.atomic():
        assert [h.pk for h in locked.rows()] == [1]
    if connection.features.has_select_for_update:  # PostgreSQL; SQLite has no row locks
        for _ in range(2):
            with pytest.raises(TransactionManagementError):
                locked.rows()
