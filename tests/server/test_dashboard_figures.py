"""The dashboard's figures at scale (issue 16 item 5, ADR 0053): computed for all the user's sites
in one grouped query per kind, they equal counting each figure apart, site by site, as the page
first did (kept below as the obviously-correct reference); the page's queries do not grow with
the registry; and a blinded request counts only what it may see."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cordtrack.server import blinding
from cordtrack.server.accounts.models import Membership, Role, Site, User
from cordtrack.server.exams.models import IsncsciExam
from cordtrack.server.followup.models import Visit, VisitStatus
from cordtrack.server.intake.models import Inquiry, InquiryStatus
from cordtrack.server.journey.figures import site_figures
from cordtrack.server.monitoring.models import DataQuery, QueryStatus, SourceVerification, Target
from cordtrack.server.safety.models import AdverseEvent
from cordtrack.server.synthetic import generate
from cordtrack.server.therapy.models import Administration

pytestmark = pytest.mark.django_db


def counted_apart(site: Site, today: dt.date) -> dict[str, Any]:
    """The figures as the dashboard first computed them: one count per figure per site."""
    scheduled = Visit.objects.filter(patient__site=site, status=VisitStatus.SCHEDULED)
    kinds = {
        "exam": ("exams (signed)", IsncsciExam.objects.signed()),
        "adverse_event": ("adverse events", AdverseEvent.objects.all()),
        "administration": ("administrations", Administration.objects.all()),
    }
    sdv = []
    for target, (label, queryset) in kinds.items():
        ids = queryset.filter(patient__site=site).values("pk")
        verified = SourceVerification.objects.filter(
            target=target, field="", target_id__in=ids
        ).count()
        sdv.append((label, verified, ids.count()))
    return {
        "pipeline": [
            (value, label, Inquiry.objects.filter(patient__site=site, status=value).count())
            for value, label in InquiryStatus.choices
        ],
        "due_count": scheduled.filter(window_open__lte=today, window_close__gte=today).count(),
        "overdue_count": scheduled.filter(window_close__lt=today).count(),
        "soon_count": scheduled.filter(
            window_open__gt=today, window_open__lte=today + dt.timedelta(days=14)
        ).count(),
        "serious_count": AdverseEvent.objects.filter(
            patient__site=site, serious=True, closed_at__isnull=True
        ).count(),
        "queries_count": DataQuery.objects.filter(patient__site=site)
        .exclude(status=QueryStatus.CLOSED)
        .count(),
        "sdv": sdv,
    }


def _comparable(figures: dict[str, Any]) -> dict[str, Any]:
    return figures | {"sdv": [(p.label, p.verified, p.total) for p in figures["sdv"]]}


@pytest.fixture
def registry(settings: Any) -> list[Site]:
    """Three synthetic sites (every stage of the journey, visits, serious events), with open and
    closed data queries and whole-record and field verification marks scattered over them."""
    settings.DEMO_MODE = True
    generate(120, ("NTH", "STH", "EST"), seed=16)
    monitor = User.objects.create(username="mona")
    rng = random.Random(16)
    now = timezone.now()
    kinds = {
        Target.EXAM: IsncsciExam.objects.signed(),
        Target.ADVERSE_EVENT: AdverseEvent.objects.all(),
        Target.ADMINISTRATION: Administration.objects.all(),
    }
    for target, rows in kinds.items():
        for pk, patient in rows.order_by("pk").values_list("pk", "patient_id"):
            if rng.random() < 0.3:  # verified as a whole (counted), or one field only (not)
                SourceVerification.objects.create(
                    patient_id=patient, target=target, target_id=pk,
                    field="" if rng.random() < 0.7 else "onset_date",
                    verified_by=monitor, verified_at=now,
                )  # fmt: skip
            if rng.random() < 0.1:
                DataQuery.objects.create(
                    patient_id=patient, target=target, target_id=pk, field="", text="check",
                    status=rng.choice(list(QueryStatus)), raised_by=monitor, raised_at=now,
                )  # fmt: skip
    sites = list(Site.objects.order_by("code"))
    assert len(sites) == 3
    return sites


def _days_around_windows() -> list[dt.date]:
    """Today, and each day on either side of some scheduled windows' edges and of the 14-day
    horizon, where a visit moves from one figure to another."""
    today = timezone.localdate()
    days = {today}
    for opens, closes in (
        Visit.objects.filter(status=VisitStatus.SCHEDULED)
        .order_by("pk")
        .values_list("window_open", "window_close")[:6]
    ):
        for edge in (opens, closes, opens - dt.timedelta(days=14)):
            days.update(edge + dt.timedelta(days=d) for d in (-1, 0, 1))
    return sorted(days)


def test_the_dashboard_figures_equal_counting_each_apart_on_every_day_around_the_windows(
    registry: list[Site],
) -> None:
    days = _days_around_windows()
    assert len(days) > 20
    seen_nonzero = set()
    for day in days:
        figures = site_figures([s.pk for s in registry], day)
        for site in registry:
            expected = counted_apart(site, day)
            assert _comparable(figures[site.pk]) == expected, (site.code, day)
            seen_nonzero.update(k for k, v in expected.items() if isinstance(v, int) and v)
    # the registry exercises every figure (an equality of zeros would prove nothing)
    assert seen_nonzero == {
        "due_count", "overdue_count", "soon_count", "serious_count", "queries_count"
    }  # fmt: skip
    sdv = [p for site in registry for p in counted_apart(site, days[0])["sdv"]]
    assert all(total for _, _, total in sdv)
    assert all(verified for _, verified, _ in sdv)


def test_a_site_with_no_records_has_zero_figures_and_every_pipeline_stage(
    registry: list[Site],
) -> None:
    empty = Site.objects.create(code="EMP", name="Empty")
    today = timezone.localdate()

    figures = site_figures([empty.pk, registry[0].pk], today)

    assert _comparable(figures[empty.pk]) == counted_apart(empty, today)
    assert [n for _, _, n in figures[empty.pk]["pipeline"]] == [0] * len(InquiryStatus.choices)


def test_a_blinded_request_counts_what_it_may_see_as_counting_apart_does(
    registry: list[Site],
) -> None:
    today = timezone.localdate()
    with blinding.blinded():
        figures = site_figures([s.pk for s in registry], today)
        expected = {s.pk: counted_apart(s, today) for s in registry}
    for site in registry:
        assert _comparable(figures[site.pk]) == expected[site.pk]
        # administrations are hidden from a blinded assessor altogether
        assert figures[site.pk]["sdv"][2].total == 0
    unblinded = site_figures([s.pk for s in registry], today)
    assert any(unblinded[s.pk]["sdv"][2].total for s in registry)
    assert any(
        unblinded[s.pk]["sdv"][1].total > figures[s.pk]["sdv"][1].total for s in registry
    )  # treatment-related events hidden


def test_the_figures_of_more_sites_take_no_more_queries(registry: list[Site]) -> None:
    today = timezone.localdate()
    with CaptureQueriesContext(connection) as one:
        site_figures([registry[0].pk], today)
    with CaptureQueriesContext(connection) as three:
        site_figures([s.pk for s in registry], today)
    assert len(one.captured_queries) == len(three.captured_queries) == 7


def test_the_dashboard_page_takes_no_more_queries_for_a_larger_registry(
    settings: Any, client: Client, make_user: Callable[..., User],
) -> None:  # fmt: skip
    settings.DEMO_MODE = True
    settings.DASHBOARD_FIGURES_SECONDS = 0  # counted on every request (kept counts: their test)
    generate(30, ("NTH", "STH"), seed=1)
    user = make_user("mona", Role.MONITOR, Site.objects.get(code="NTH"))
    Membership.objects.create(user=user, site=Site.objects.get(code="STH"), role=Role.MONITOR)
    client.force_login(user)

    def queries() -> int:
        with CaptureQueriesContext(connection) as done:
            page = client.get("/dashboard/")
        assert page.status_code == 200
        return len(done.captured_queries)

    small = queries()
    generate(100, ("NTH", "STH"), seed=2)
    assert queries() == small
