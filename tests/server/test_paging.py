"""``paging.rows_at`` and ``IdsFirst``: a page chosen by id first gives the rows, in the order and
with the related records, that slicing the queryset gives, in one statement; the patient list
page and API read their pages that way."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Q, QuerySet
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cordtrack.server.accounts.models import Role, Site, User
from cordtrack.server.exams.models import IsncsciExam
from cordtrack.server.paging import IdsFirst, rows_at
from cordtrack.server.patients.models import Patient
from cordtrack.server.synthetic import generate

from .test_api_helpers import ApiClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry(settings: Any) -> None:
    settings.DEMO_MODE = True
    generate(80, ("NTH", "STH"), seed=11)


def querysets() -> dict[str, QuerySet[Any]]:
    patients = Patient.objects.select_related("site", "injury")
    return {
        "a site's patients": patients.filter(site__code="NTH"),
        "searched": patients.filter(Q(study_id__icontains="1") | Q(consent_status="withdrawn")),
        "by year of birth (ties), newest first": patients.order_by("-year_of_birth", "pk"),
        "by a related field": patients.order_by("injury__level", "study_id"),
        "exams by date": IsncsciExam.objects.select_related("patient").order_by(
            "-exam_date", "-pk"
        ),
        "nothing": patients.filter(site__code="none"),
    }


def test_every_page_is_the_slice_of_the_queryset_with_its_related_records(
    registry: None,
) -> None:
    for name, queryset in querysets().items():
        total = queryset.count()
        for start, stop in ((0, 25), (25, 50), (7, 8), (total - 3, total + 10), (total, total + 5)):
            start = max(start, 0)
            expected = list(queryset[start:stop])
            with CaptureQueriesContext(connection) as done:
                found = rows_at(queryset, start, stop)
                related = [(getattr(r, "site", None), getattr(r, "patient", None)) for r in found]
            assert [r.pk for r in found] == [r.pk for r in expected], (name, start)
            assert related == [(getattr(r, "site", None), getattr(r, "patient", None))
                               for r in expected]  # fmt: skip
            assert len(done.captured_queries) <= 1, (name, start)


def test_the_paginator_over_ids_first_shows_every_row_once_in_order(registry: None) -> None:
    queryset = Patient.objects.filter(site__code="STH")
    pages: Paginator[Patient] = Paginator(IdsFirst(queryset), 7)
    assert pages.count == queryset.count()
    shown = [p.pk for n in pages.page_range for p in pages.page(n).object_list]
    assert shown == list(queryset.values_list("pk", flat=True))


def test_a_queryset_the_ids_cannot_stand_for_is_sliced_as_it_is(registry: None) -> None:
    from django.db.models import Count

    counted = Patient.objects.annotate(n=Count("exams")).order_by("-n", "pk")
    assert [(p.pk, p.n) for p in rows_at(counted, 3, 9)] == [(p.pk, p.n) for p in counted[3:9]]


def test_the_list_page_and_api_read_a_deep_page_by_its_ids(
    registry: None, make_user: Callable[..., User]
) -> None:
    user = make_user("nina", Role.CLINICIAN, Site.objects.get(code="NTH"))
    ids = list(Patient.objects.filter(site__code="NTH").values_list("study_id", flat=True))
    client = Client()
    client.force_login(user)
    with CaptureQueriesContext(connection) as page:
        html = client.get("/patients/", {"page": 2}).content.decode()
    with CaptureQueriesContext(connection) as api:
        body = ApiClient(user).get("/patients", limit=10, offset=20).json()
    assert [s for s in ids[25:50] if f">{s}</a>" in html] == ids[25:50]
    assert [item["study_id"] for item in body["items"]] == ids[20:30]
    for done in (page, api):
        (read,) = [q["sql"] for q in done.captured_queries if "OFFSET" in q["sql"]]
        assert read.startswith('SELECT "patients_patient"."id"')
        assert 'WHERE "patients_patient"."id" IN (SELECT U0."id"' in read
