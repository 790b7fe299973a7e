"""The dashboard of each of the user's sites: pipeline, visits due, serious events, exams.

Its figures (counts) are computed for all the user's sites at once, one grouped query per kind
of record (:func:`site_figures`), and its short lists per site, each an indexed "first rows in
this order" (ADR 0053): the page's cost no longer grows with the registry's size, only with the
number of the user's sites and the rows it shows. ``tests/server/test_dashboard_figures.py``
proves the figures equal to counting each one apart, as this page first did.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from ..access import Cap, can, own_patient_id, site_ids
from ..accounts.models import Site
from ..exams.models import IsncsciExam
from ..followup.models import Visit, VisitStatus
from ..intake.models import Inquiry, InquiryStatus
from ..monitoring.models import DataQuery, QueryStatus
from ..monitoring.targets import TARGETS
from ..safety.clock import event_clock
from ..safety.models import AdverseEvent
from ..services import verification

SOON_DAYS = 14  # "window opening in 14 days"


def visit_windows(today: dt.date) -> dict[str, Q]:
    """Scheduled visits by where today falls in their window (inclusive at both ends)."""
    return {
        "due_count": Q(window_open__lte=today, window_close__gte=today),
        "overdue_count": Q(window_close__lt=today),
        "soon_count": Q(
            window_open__gt=today, window_open__lte=today + dt.timedelta(days=SOON_DAYS)
        ),
    }


def _by_site(rows: Iterable[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    return {row.pop("patient__site_id"): row for row in rows}


def site_figures(sites: Iterable[int], today: dt.date) -> dict[int, dict[str, Any]]:
    """The counts of each site's dashboard: intake pipeline, visits in window, overdue and
    opening soon, open serious adverse events, open data queries, verification progress.

    Each kind is one query grouped by site (every count of a kind in one pass over its rows,
    ``COUNT(*) FILTER (WHERE ...)``) instead of a query per count per site. The default managers
    are used, so a blinded request counts what it may see (ADR 0040)."""
    wanted = sorted(set(sites))
    scope = Q(patient__site_id__in=wanted)
    pipeline: dict[int, dict[str, int]] = {site: {} for site in wanted}
    for row in (
        Inquiry.objects.filter(scope).order_by()
        .values("patient__site_id", "status").annotate(n=Count("pk"))
    ):  # fmt: skip
        pipeline[row["patient__site_id"]][row["status"]] = row["n"]
    windows = visit_windows(today)
    visits = _by_site(
        Visit.objects.filter(scope, status=VisitStatus.SCHEDULED).order_by()
        .values("patient__site_id")
        .annotate(**{name: Count("pk", filter=cond) for name, cond in windows.items()})
    )  # fmt: skip
    serious = _by_site(
        AdverseEvent.objects.filter(scope, serious=True, closed_at__isnull=True).order_by()
        .values("patient__site_id").annotate(serious_count=Count("pk"))
    )  # fmt: skip
    queries = _by_site(
        DataQuery.objects.filter(scope).exclude(status=QueryStatus.CLOSED).order_by()
        .values("patient__site_id").annotate(queries_count=Count("pk"))
    )  # fmt: skip
    sdv = verification.progress_by_site(wanted)
    figures = {}
    for site in wanted:
        counts = pipeline[site]
        figures[site] = {
            "pipeline": [(v, label, counts.get(v, 0)) for v, label in InquiryStatus.choices],
            **{name: visits.get(site, {}).get(name, 0) for name in windows},
            "serious_count": serious.get(site, {}).get("serious_count", 0),
            "queries_count": queries.get(site, {}).get("queries_count", 0),
            "sdv": list(sdv[site].values()),
        }
    return figures


def _query_row(query: DataQuery, now: dt.datetime) -> dict[str, Any]:
    """What the dashboard shows of an open query (the record itself is not read: the page shows
    its kind and field, not its value; ``monitoring.views.describe`` reads it for the pages
    that do)."""
    kind = TARGETS[query.target]
    return {"query": query, "target_label": kind.label,
            "field_label": kind.field_label(query.field),
            "age_days": (now - query.raised_at).days}  # fmt: skip


def site_lists(site: Site, today: dt.date) -> dict[str, Any]:
    """The short lists of one site's dashboard (the caller has checked the user may read it):
    each the first rows of an indexed order (``followup`` 0005, ``exams`` 0003)."""
    scheduled = Visit.objects.filter(patient__site=site, status=VisitStatus.SCHEDULED)
    windows = visit_windows(today)
    serious = AdverseEvent.objects.filter(patient__site=site, serious=True, closed_at__isnull=True)
    open_queries = DataQuery.objects.filter(patient__site=site).exclude(status=QueryStatus.CLOSED)
    now = timezone.now()
    return {
        "site": site,
        "due": scheduled.filter(windows["due_count"]).select_related("patient")
        .order_by("window_close")[:20],
        "overdue": scheduled.filter(windows["overdue_count"]).select_related("patient")
        .order_by("window_close")[:20],
        "serious": [(ae, event_clock(ae, today)) for ae in
                    serious.select_related("patient").order_by("-onset_date")[:20]],
        "recent_exams": IsncsciExam.objects.filter(patient__site=site).select_related("patient")
        .order_by("-exam_date", "-pk")[:10],
        "queries": [_query_row(q, now) for q in open_queries.select_related("patient")
                    .order_by("raised_at", "pk")[:10]],
    }  # fmt: skip


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    if own_patient_id(request.user) is not None and not site_ids(request.user):
        return redirect("portal")
    today = timezone.localdate()
    sites = list(Site.objects.filter(pk__in=site_ids(request.user)).order_by("code"))
    figures = site_figures([site.pk for site in sites], today)
    summaries = []
    for site in sites:
        summary = site_lists(site, today) | figures[site.pk]
        summary["can_clinical"] = can(request.user, site, Cap.CLINICAL)
        summaries.append(summary)
    return render(request, "journey/dashboard.html", {"summaries": summaries, "today": today})
