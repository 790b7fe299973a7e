"""The dashboard of each of the user's sites: pipeline, visits due, serious events, exams.

Its figures (counts) are computed for all the user's sites at once, one grouped query per kind
of record, and kept a few seconds in the shared cache with the time they were counted
(:mod:`.figures`, ADR 0053 and 0056); its short lists are read on every request, per site, each
an indexed "first rows in this order" (ADR 0053). ``tests/server/test_dashboard_figures.py``
proves the figures equal to counting each one apart, as this page first did.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from ..access import Cap, can, own_patient_id, site_ids
from ..accounts.models import Site
from ..exams.models import IsncsciExam
from ..followup.models import Visit, VisitStatus
from ..monitoring.models import DataQuery, QueryStatus
from ..monitoring.targets import TARGETS
from ..safety.clock import event_clock
from ..safety.models import AdverseEvent
from .figures import figures_as_of, visit_windows


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
    figures, counted_at = figures_as_of([site.pk for site in sites], today)
    summaries = []
    for site in sites:
        summary = site_lists(site, today) | figures[site.pk]
        summary["counted_at"] = counted_at[site.pk]
        summary["can_clinical"] = can(request.user, site, Cap.CLINICAL)
        summaries.append(summary)
    return render(request, "journey/dashboard.html", {
        "summaries": summaries, "today": today,
        "kept_seconds": settings.DASHBOARD_FIGURES_SECONDS,
    })  # fmt: skip
