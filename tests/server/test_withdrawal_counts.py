"""``scopes.count_by_scope``: withdrawn patients by their widest scope, in one query.

The counts are held to the earlier implementation (every withdrawal read into Python and merged
there; kept below as ``counted_in_python``) on a registry with several scopes, sites, a legacy
status withdrawal and withdrawals recorded out of order, for everyone, querysets and id lists.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterable
from typing import Any

import pytest
from django.db import models
from django.utils import timezone

from cordtrack.server.accounts.models import Site, User
from cordtrack.server.consent import scopes
from cordtrack.server.consent.models import Scope, Withdrawal
from cordtrack.server.patients.models import ConsentStatus, Patient


def counted_in_python(
    patients: models.QuerySet[Patient] | Iterable[int] | None = None,
) -> dict[str, int]:
    """The implementation before issue 18's review, verbatim in substance: two queries (three
    for a queryset), every withdrawal row read and merged per patient in Python."""
    ids: set[int] | None = None
    if patients is not None:
        ids = (
            set(patients.values_list("pk", flat=True))
            if isinstance(patients, models.QuerySet)
            else {int(i) for i in patients}
        )
    by_patient: dict[int, str] = {}
    for pid, scope in Withdrawal.objects.values_list("patient_id", "scope"):
        if ids is None or pid in ids:
            by_patient[pid] = scopes.widest((by_patient.get(pid, scope), scope)) or scope
    legacy = Patient.objects.filter(consent_status=ConsentStatus.WITHDRAWN).exclude(
        pk__in=Withdrawal.objects.values("patient_id")
    )
    for pid in legacy.values_list("pk", flat=True):
        if ids is None or pid in ids:
            by_patient[pid] = Scope.DATA_USE
    counts = {str(s): 0 for s in scopes.ORDER}
    for scope in by_patient.values():
        counts[scope] += 1
    return counts


@pytest.fixture
def registry(
    make_patient: Callable[..., Patient], north: Site, south: Site, bob: User
) -> dict[str, Patient]:
    """Eleven patients at two sites; the scopes each was withdrawn from, in the order recorded
    (rows written directly: the service refuses a narrower later one, the count must not care)."""
    plan: dict[str, tuple[Site, tuple[str, ...], bool]] = {
        "treatment": (north, (Scope.TREATMENT,), False),
        "widened": (north, (Scope.TREATMENT, Scope.VISITS), False),
        "widened_twice": (north, (Scope.VISITS, Scope.DATA_USE), False),
        "data_use": (north, (Scope.DATA_USE,), False),
        "legacy": (north, (), True),  # the older status form, no withdrawal row: data use
        "legacy_and_row": (north, (Scope.TREATMENT,), True),  # a row says which scope
        "stays": (north, (), False),
        "stays_too": (north, (), False),
        "south_visits": (south, (Scope.VISITS,), False),
        "south_legacy": (south, (), True),
        "out_of_order": (south, (Scope.DATA_USE, Scope.TREATMENT), False),
    }
    made: dict[str, Patient] = {}
    when = timezone.now() - dt.timedelta(days=30)
    for name, (site, withdrawn, legacy) in plan.items():
        patient = made[name] = make_patient(site)
        for day, scope in enumerate(withdrawn):
            Withdrawal.objects.create(
                patient=patient, scope=scope, reason="participant's decision",
                withdrawn_at=when + dt.timedelta(days=day), recorded_by=bob,
            )  # fmt: skip
        if legacy:
            Patient.objects.filter(pk=patient.pk).update(consent_status=ConsentStatus.WITHDRAWN)
    return made


def test_everyone_is_counted_once_by_their_widest_scope(registry: dict[str, Patient]) -> None:
    assert scopes.count_by_scope() == {"treatment": 2, "visits": 2, "data_use": 5}
    assert scopes.count_by_scope() == counted_in_python()


def test_querysets_count_as_the_python_merge_did(registry: dict[str, Patient]) -> None:
    everyone = Patient.objects.all()
    for queryset in (
        everyone,
        everyone.filter(site__code="NTH"),
        everyone.filter(site__code="STH"),
        everyone.filter(consent_status=ConsentStatus.WITHDRAWN),
        everyone.none(),
    ):
        assert scopes.count_by_scope(queryset) == counted_in_python(queryset), queryset.query


def test_id_lists_count_as_the_python_merge_did(registry: dict[str, Patient]) -> None:
    pks = [p.pk for p in registry.values()]
    draw = random.Random(18)
    chosen: list[list[Any]] = [[], pks, [max(pks) + 1000], [str(pks[0]), pks[0]]]
    chosen += [draw.sample(pks, draw.randint(1, len(pks))) for _ in range(40)]
    for ids in chosen:
        assert scopes.count_by_scope(ids) == counted_in_python(ids), ids


@pytest.mark.parametrize("form", ["everyone", "a queryset", "a list of ids"])
def test_each_form_of_the_question_is_one_query(
    registry: dict[str, Patient], django_assert_num_queries: Any, form: str
) -> None:
    asked = {
        "everyone": None,
        "a queryset": Patient.objects.filter(site__code="NTH"),
        "a list of ids": [p.pk for p in registry.values()],
    }[form]
    with django_assert_num_queries(1):
        scopes.count_by_scope(asked)
