"""The patient list at scale (issue 16 item 5, ADR 0053): the search and the pages give the
patients a straightforward reading gives, in study-id order, scoped to the user's sites."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from cordtrack.server.access import scoped
from cordtrack.server.accounts.models import Membership, Role, Site, User
from cordtrack.server.intake.models import Inquiry, InquiryStatus
from cordtrack.server.patients.models import Patient
from cordtrack.server.patients.views import _search
from cordtrack.server.synthetic import generate

pytestmark = pytest.mark.django_db


def searched_by_reading_each(user: User, q: str) -> list[str]:
    """The study ids the list shows for ``q``: every patient of the user's sites read one by one,
    kept when the study id contains ``q`` (any case) or one of their inquiries is at status
    ``q``, in study-id order."""
    q = q.strip()
    sites = set(Membership.objects.filter(user=user).values_list("site_id", flat=True))
    kept = []
    for patient in Patient.objects.all():
        if patient.site_id not in sites:
            continue
        statuses = {i.status for i in Inquiry.objects.filter(patient=patient)}
        if not q or q.lower() in patient.study_id.lower() or q in statuses:
            kept.append(patient.study_id)
    return sorted(kept)


@pytest.fixture
def registry(settings: Any, make_user: Callable[..., User]) -> User:
    """Two synthetic sites; a monitor of the first with a second inquiry for some patients (a
    join would list them twice)."""
    settings.DEMO_MODE = True
    generate(90, ("NTH", "STH"), seed=7)
    user = make_user("mona", Role.MONITOR, Site.objects.get(code="NTH"))
    for patient in Patient.objects.filter(site__code="NTH").order_by("pk")[:6]:
        Inquiry.objects.create(patient=patient, received_on=patient.created_at.date(),
                               source="self", status=InquiryStatus.NEW,
                               status_changed_at=patient.created_at)  # fmt: skip
    return user


@pytest.mark.parametrize(
    "q", ["", "NTH", "nth-00", "STH", "0001", "  NTH-0002 ", "new", "in_followup", "completed",
          "nothing like it", "%", "_"],
)  # fmt: skip
def test_the_search_keeps_the_patients_reading_each_keeps_in_study_id_order(
    registry: User, q: str
) -> None:
    found = list(_search(scoped(registry, Patient.objects.all()), q)
                 .values_list("study_id", flat=True))  # fmt: skip
    assert found == searched_by_reading_each(registry, q)


def test_the_pages_of_a_search_show_each_patient_once_with_the_count(
    registry: User, client: Client
) -> None:
    client.force_login(registry)
    expected = searched_by_reading_each(registry, "nth")
    assert len(expected) > 25  # more than one page
    shown: list[str] = []
    for number in range(1, (len(expected) + 24) // 25 + 1):
        page = client.get("/patients/", {"q": "nth", "page": number}).content.decode()
        assert f"{len(expected)} patients" in page
        shown += re.findall(r">(NTH-\d+)</a>", page)
    assert shown == expected
