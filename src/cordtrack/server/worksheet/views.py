"""The worksheet's live classification: the grid posts its values as they are typed."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from ..access import Cap, site_ids
from .live import exam_values, live_context


@login_required
@require_POST
def classify_live(request: HttpRequest) -> HttpResponse:
    """Results, explanation and body map of the posted values (nothing is stored or logged).

    Only for users who may enter exams somewhere; it reads no record, so it needs no scoping.
    """
    if not site_ids(request.user, Cap.ASSESS):
        raise PermissionDenied("entering exams is not part of your role")
    context = {"live": live_context(exam_values(request.POST))}
    return render(request, "worksheet/_live.html", context)
