"""The dashboard of each of the user's sites: pipeline, visits due, serious events, exams."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from ..access import Cap, can, own_patient_id, site_ids
from ..accounts.models import Site
from ..exams.models import IsncsciExam
from ..followup.models import Visit, VisitStatus
from ..intake.models import Inquiry, InquiryStatus
from ..monitoring.models import DataQuery, QueryStatus
from ..monitoring.views import describe
from ..safety.clock import event_clock
from ..safety.models import AdverseEvent
from ..services import verification


def site_summary(site: Site, today: dt.date) -> dict[str, Any]:
    """Counts and short lists for one site (the caller has checked the user may read it)."""
    counts = dict(
        Inquiry.objects.filter(patient__site=site)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    pipeline = [(value, label, counts.get(value, 0)) for value, label in InquiryStatus.choices]
    scheduled = Visit.objects.filter(patient__site=site, status=VisitStatus.SCHEDULED)
    due = scheduled.filter(window_open__lte=today, window_close__gte=today)
    overdue = scheduled.filter(window_close__lt=today)
    soon = scheduled.filter(window_open__gt=today, window_open__lte=today + dt.timedelta(days=14))
    # Open until closed (after follow-up to an outcome and a reviewer's signature).
    serious = AdverseEvent.objects.filter(
        patient__site=site, serious=True, closed_at__isnull=True
    ).select_related("patient")
    exams = IsncsciExam.objects.filter(patient__site=site).select_related("patient")
    open_queries = DataQuery.objects.filter(patient__site=site).exclude(status=QueryStatus.CLOSED)
    return {
        "site": site,
        "pipeline": pipeline,
        "due": due.select_related("patient").order_by("window_close")[:20],
        "due_count": due.count(),
        "overdue": overdue.select_related("patient").order_by("window_close")[:20],
        "overdue_count": overdue.count(),
        "soon_count": soon.count(),
        "serious": [(ae, event_clock(ae, today)) for ae in serious.order_by("-onset_date")[:20]],
        "serious_count": serious.count(),
        "recent_exams": exams.order_by("-exam_date", "-pk")[:10],
        "queries_count": open_queries.count(),
        "queries": [describe(q) for q in open_queries.select_related("patient", "raised_by")
                    .order_by("raised_at", "pk")[:10]],
        "sdv": list(verification.progress(site).values()),
    }  # fmt: skip


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    if own_patient_id(request.user) is not None and not site_ids(request.user):
        return redirect("portal")
    today = timezone.localdate()
    sites = Site.objects.filter(pk__in=site_ids(request.user)).order_by("code")
    summaries = [site_summary(site, today) for site in sites]
    for summary in summaries:
        summary["can_clinical"] = can(request.user, summary["site"], Cap.CLINICAL)
    return render(request, "journey/dashboard.html", {"summaries": summaries, "today": today})
