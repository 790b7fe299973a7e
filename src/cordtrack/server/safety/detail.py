"""One adverse event's page: what was reported, its follow-up, and its monitoring."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ..access import Cap, can, get_scoped_or_404
from ..monitoring.marks import monitoring_context
from ..monitoring.models import Target
from .models import SERIOUSNESS_FIELDS, AdverseEvent
from .views import CRITERIA_LABELS


@login_required
def adverse_event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_scoped_or_404(
        request.user,
        AdverseEvent.objects.select_related("patient", "administration", "lot", "reported_by"),
        pk=pk,
    )
    criteria = [CRITERIA_LABELS[name] for name in SERIOUSNESS_FIELDS if getattr(event, name)]
    context = {
        "event": event,
        "patient": event.patient,
        "criteria": criteria,
        "may_edit": can(request.user, event.patient.site_id, Cap.CLINICAL),
        **monitoring_context(request.user, Target.ADVERSE_EVENT, event),
    }
    return render(request, "safety/detail.html", context)
