"""Coordinator pages: the intake pipeline board, the visit calendar and the logistics list.

Read-only pages that query directly through :func:`access.scoped`; status changes post to the
intake views, and "arranged" ticks to the follow-up views, which go through the services.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from ..access import Cap, scoped, site_ids
from ..followup.models import Logistics, MobilityAid, Visit, VisitStatus
from ..intake.models import TRANSITIONS, Document, Inquiry, InquiryStatus


def _require_staff(request: HttpRequest) -> None:
    """Site staff only: a patient user has the portal instead."""
    if not site_ids(request.user):
        raise PermissionDenied("for the staff of a site")


#: Closed columns are shown collapsed: they no longer need work.
CLOSED = {InquiryStatus.COMPLETED, InquiryStatus.WITHDRAWN, InquiryStatus.LOST}


def _forward_first(status: str) -> list[str]:
    """The statuses an inquiry may move to, the steps forward first (the usual choice)."""
    order = list(InquiryStatus.values)
    here = order.index(status)
    return sorted(TRANSITIONS[status], key=lambda t: (order.index(t) < here, order.index(t)))


@login_required
def intake_board(request: HttpRequest) -> HttpResponse:
    """Inquiries as cards in one column per status, with their documents awaiting review."""
    _require_staff(request)
    inquiries = scoped(request.user, Inquiry.objects.select_related("patient", "patient__site"))
    inquiries = inquiries.annotate(
        documents=Count("patient__documents", distinct=True),
        to_review=Count(
            "patient__documents", filter=Q(patient__documents__deidentified_ok=None), distinct=True
        ),
    ).order_by("received_on", "pk")
    labels = dict(InquiryStatus.choices)
    columns: list[dict[str, Any]] = [
        {"status": value, "label": label, "cards": [], "closed": value in CLOSED,
         "next": [(t, labels[t]) for t in _forward_first(value)]}
        for value, label in InquiryStatus.choices
    ]  # fmt: skip
    by_status = {c["status"]: c for c in columns}
    for inquiry in inquiries:
        by_status[inquiry.status]["cards"].append(inquiry)
    context = {
        "columns": columns,
        "may_move": site_ids(request.user, Cap.INTAKE),
        "review": scoped(request.user, Document.objects.select_related("patient"))
        .filter(deidentified_ok=None)
        .order_by("uploaded_at")[:30],
    }
    return render(request, "journey/intake_board.html", context)


def _weeks(visits: list[Visit], start: dt.date, weeks: int) -> list[dict[str, Any]]:
    out = []
    for w in range(weeks):
        first = start + dt.timedelta(days=7 * w)
        last = first + dt.timedelta(days=6)
        out.append(
            {"first": first, "last": last,
             "visits": [v for v in visits if first <= v.target_date <= last]}
        )  # fmt: skip
    return out


@login_required
def visit_calendar(request: HttpRequest) -> HttpResponse:
    """Scheduled visits week by week (8 weeks from this Monday), with windows; overdue first."""
    _require_staff(request)
    today = timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())
    scheduled = scoped(request.user, Visit.objects.select_related("patient")).filter(
        status=VisitStatus.SCHEDULED
    )
    horizon = monday + dt.timedelta(weeks=8)
    upcoming = list(scheduled.filter(target_date__gte=monday, target_date__lt=horizon))
    context = {
        "today": today,
        "weeks": _weeks(upcoming, monday, 8),
        "overdue": scheduled.filter(window_close__lt=today).order_by("window_close")[:50],
    }
    return render(request, "journey/calendar.html", context)


def _items(logistics: Logistics | None) -> list[dict[str, Any]]:
    """Travel, lodging and mobility aids of one visit: what is needed and whether arranged."""
    if logistics is None:
        return []
    aids = dict(MobilityAid.choices)
    nights = logistics.lodging_nights
    details = {
        "travel": f"{logistics.get_travel_mode_display()}, {logistics.distance_km} km",
        "lodging": f"{nights} night{'s' if nights != 1 else ''}" if nights else "none",
        # str(): the labels are lazy translations, and join needs text.
        "mobility_aids": ", ".join(str(aids.get(a, a)) for a in logistics.mobility_aids) or "none",
    }
    return [
        {"item": item, "label": item.replace("_", " "), "detail": details[item],
         "needed": needed, "arranged": arranged}
        for item, needed, arranged in logistics.items()
    ]  # fmt: skip


@login_required
def logistics_list(request: HttpRequest) -> HttpResponse:
    """Per visit in the next 30 days: travel, lodging and mobility aids, and whether arranged."""
    _require_staff(request)
    today = timezone.localdate()
    visits = (
        scoped(request.user, Visit.objects.select_related("patient", "logistics"))
        .filter(status=VisitStatus.SCHEDULED, window_close__gte=today)
        .filter(window_open__lte=today + dt.timedelta(days=30))
        .order_by("target_date")
    )
    rows = [(v, getattr(v, "logistics", None)) for v in visits[:100]]
    context = {
        "rows": [(v, lg, _items(lg)) for v, lg in rows],
        "today": today,
        "to_arrange": sum(1 for _, lg in rows if lg is None or lg.to_arrange),
        "may_arrange": site_ids(request.user, Cap.VISITS),
    }
    return render(request, "journey/logistics.html", context)
