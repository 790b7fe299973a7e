"""``idsets.among``: the rows whose column is one of a set of ids known in Python, sent as one
parameter (an array on PostgreSQL, a JSON array on SQLite) whatever the number of ids."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cordtrack.server.accounts.models import Site
from cordtrack.server.idsets import among
from cordtrack.server.patients.models import Patient

pytestmark = pytest.mark.django_db


@pytest.fixture
def patients(make_patient: Callable[..., Patient], north: Site, south: Site) -> list[Patient]:
    return [make_patient(north) for _ in range(4)] + [make_patient(south) for _ in range(3)]


def test_among_keeps_exactly_the_rows_an_in_list_keeps(patients: list[Patient]) -> None:
    pks = [p.pk for p in patients]
    draw = random.Random(58)
    asked: list[list[int]] = [[], pks, [max(pks) + 1], [pks[0], pks[0]], [-1, 0, pks[2]]]
    asked += [draw.sample(pks, draw.randint(1, len(pks))) for _ in range(20)]
    for ids in asked:
        found = list(Patient.objects.filter(among("pk", ids)).values_list("pk", flat=True))
        assert found == list(Patient.objects.filter(pk__in=ids).values_list("pk", flat=True)), ids


def test_among_follows_a_path_and_combines_with_other_conditions(patients: list[Patient]) -> None:
    north = [p.pk for p in patients if p.site.code == "NTH"]
    sites = Site.objects.filter(among("patients__id", north[:2])).distinct()
    assert list(sites.values_list("code", flat=True)) == ["NTH"]
    some = [p.pk for p in patients[2:6]]
    kept = Patient.objects.filter(among("id", some), site__code="STH")
    assert set(kept.values_list("pk", flat=True)) == {p.pk for p in patients[4:6]}


def test_many_ids_are_one_parameter_past_the_databases_limit_on_parameters(
    patients: list[Patient],
) -> None:
    """40,000 ids: more than SQLite's 32,766 parameters a statement; one query either way."""
    ids = [p.pk for p in patients] + list(range(10**9, 10**9 + 40_000))
    with CaptureQueriesContext(connection) as done:
        assert Patient.objects.filter(among("pk", ids)).count() == len(patients)
    assert len(done.captured_queries) == 1
