"""Cell product lots and administrations."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from ..access import Cap, get_scoped_or_404, scoped, site_ids
from ..accounts.models import Site
from ..forms import add_service_errors
from ..monitoring.marks import monitoring_context
from ..monitoring.models import Target
from ..patients.models import Patient
from ..services import therapy as therapy_services
from . import vitals
from .forms import AdministrationForm, LotForm
from .models import Administration, CellProductLot


@login_required
def lot_list(request: HttpRequest) -> HttpResponse:
    lots = scoped(request.user, CellProductLot.objects.select_related("site", "source_patient"))
    context = {"lots": lots, "can_register": bool(site_ids(request.user, Cap.PRODUCTS))}
    return render(request, "therapy/lots.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def lot_new(request: HttpRequest) -> HttpResponse:
    allowed = site_ids(request.user, Cap.PRODUCTS)
    if not allowed:
        raise PermissionDenied("registering lots is not part of your role")
    form = LotForm(request.POST or None)
    form.fields["site"].queryset = Site.objects.filter(pk__in=allowed)  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        site = data.pop("site")
        study_id = data.pop("source_patient").strip().upper()
        source_patient = None
        if study_id:
            source_patient = (
                scoped(request.user, Patient.objects.filter(site=site))
                .filter(study_id=study_id)
                .first()
            )
            if source_patient is None:
                form.add_error("source_patient", "no patient with this study id at this site")
        if not form.errors:
            try:
                lot = therapy_services.register_lot(
                    request.user, site, source_patient=source_patient, **data
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:  # to its page, where it is released with a signature
                return redirect("lot-detail", pk=lot.pk)
    return render(
        request,
        "form.html",
        {"form": form, "title": "Register a cell product lot", "submit": "Register"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def administration_new(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_scoped_or_404(request.user, Patient.objects.all(), Cap.CLINICAL, pk=pk)
    form = AdministrationForm(request.POST or None)
    form.fields["lot"].queryset = CellProductLot.objects.filter(site=patient.site_id)  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            therapy_services.administer(
                request.user, patient, data["lot"], administered_at=data["administered_at"],
                route=data["route"], dose_total_cells=data["dose_total_cells"],
                weight_kg=data["weight_kg"], vitals=form.vitals(),
            )  # fmt: skip
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("patients:detail", pk=patient.pk)
    context = {
        "form": form, "patient": patient, "title": "Record an administration", "submit": "Record",
        "intro": "The lot must be released, unexpired, of this site, and (if autologous) this "
        "patient's own.",
    }  # fmt: skip
    return render(request, "form.html", context)


@login_required
def administration_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One administration: the lot, the dose, the vital signs before, during and after, and the
    adverse events linked to it."""
    administration = get_scoped_or_404(
        request.user,
        Administration.objects.select_related("patient", "lot", "operator"),
        pk=pk,
    )
    context = {
        "a": administration,
        "patient": administration.patient,
        "phases": vitals.PHASES,
        "vitals": vitals.table(administration.vitals or {}),
        "events": administration.adverse_events.all(),
        **monitoring_context(request.user, Target.ADMINISTRATION, administration),
    }
    return render(request, "therapy/administration.html", context)
