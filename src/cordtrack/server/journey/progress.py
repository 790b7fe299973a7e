"""A patient's progress charts for the staff of the patient's site."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ..access import get_scoped_or_404
from ..patients.models import Patient
from .charts import progress_charts


@login_required
def progress(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_scoped_or_404(request.user, Patient.objects.select_related("injury"), pk=pk)
    charts = [(c, c.svg()) for c in progress_charts(patient)]
    return render(request, "journey/progress.html", {"patient": patient, "charts": charts})
