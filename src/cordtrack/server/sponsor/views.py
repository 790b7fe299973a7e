"""/sponsor/: the sponsor's pages. Aggregates of the sponsored sites only (``Cap.AGGREGATE``);
another site asked for: 404; a user who sponsors nothing: 403. Every answer is audited by
``audit.reads`` (no line here), and no page names a patient (``sponsor.figures``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from ..consent.scopes import usable_for_research
from ..patients.models import Patient
from ..reports import figures
from ..reports.arms import arm_report
from ..reports.context import outcomes_context, safety_context
from ..reports.forms import CohortForm
from ..reports.pdf import pdf_response, render_pdf
from ..reports.views import randomised_protocol
from . import figures as sponsor_figures
from .access import sponsored_sites
from .export import dataset_zip, formats_of


def _sites_or_refuse(request: HttpRequest) -> list[str]:
    codes = sponsored_sites(request.user)
    if not codes:
        raise PermissionDenied("the sponsor's pages are for the sponsors of a site")
    if any(code not in codes for code in request.GET.getlist("site")):
        raise Http404("No such site")
    return codes


@login_required
def index(request: HttpRequest) -> HttpResponse:
    codes = _sites_or_refuse(request)
    context = {"sites": codes, "counts": sponsor_figures.site_counts(codes)}
    return render(request, "sponsor/index.html", context)


def _cohort(request: HttpRequest) -> dict[str, Any]:
    """The form, and either the arm comparison (``r``, a randomised protocol) or the
    de-identified cohort report; the form alone when its input is wrong."""
    codes = _sites_or_refuse(request)
    data = request.GET or {"definition": figures.DEFAULT_DEFINITION}
    form = CohortForm(data, codes)
    if not form.is_valid():
        return {"form": form}
    definition = figures.definition_for(form.definition_key(), form.cleaned_data.get("at_least"))
    filters = form.filters()
    code = randomised_protocol(form)
    if code:  # a sponsor is not blind to arm-level aggregates (ADR 0050)
        return {"form": form, "r": arm_report(filters.sites, code, definition)}
    report = sponsor_figures.outcomes(filters, definition)
    return {"form": form, **outcomes_context(report), "deidentified": True}


@login_required
def cohort(request: HttpRequest) -> HttpResponse:
    return render(request, "sponsor/cohort.html", _cohort(request))


@login_required
def cohort_pdf(request: HttpRequest) -> HttpResponse:
    context = _cohort(request)
    if "r" in context:
        pdf = render_pdf("reports/pdf/arms.html", context)
        return pdf_response(pdf, f"arms-{context['r']['protocol']}.pdf")
    if "report" not in context:
        return render(request, "sponsor/cohort.html", context, status=400)
    return pdf_response(render_pdf("reports/pdf/cohort.html", context), "cohort-report.pdf")


def _safety(request: HttpRequest) -> dict[str, Any]:
    codes = _sites_or_refuse(request)
    chosen = request.GET.getlist("site") or codes
    report = sponsor_figures.safety(chosen)
    return {**safety_context(report), "sites": codes, "deidentified": True,
            "arms": sponsor_figures.arm_safety(chosen)}  # fmt: skip


@login_required
def safety(request: HttpRequest) -> HttpResponse:
    return render(request, "sponsor/safety.html", _safety(request))


@login_required
def safety_pdf(request: HttpRequest) -> HttpResponse:
    pdf = render_pdf("sponsor/pdf/safety.html", _safety(request))
    return pdf_response(pdf, "safety-report.pdf")


def _export_rows(codes: list[str]) -> list[dict[str, Any]]:
    rows = []
    for code in codes:
        patients = Patient.objects.filter(site__code=code)
        included = usable_for_research(patients).count()
        rows.append({"site": code, "included": included, "left_out": patients.count() - included})
    return rows


@login_required
def export(request: HttpRequest) -> HttpResponse:
    codes = _sites_or_refuse(request)
    return render(request, "sponsor/export.html", {"sites": codes, "rows": _export_rows(codes)})


@login_required
def export_zip(request: HttpRequest) -> HttpResponse:
    """The ZIP of the dataset (audited per patient before it is built); a bad format: 400."""
    codes = _sites_or_refuse(request)
    chosen = request.GET.getlist("site") or codes
    try:
        formats = formats_of(",".join(request.GET.getlist("formats")) or "csv")
    except ValidationError as exc:
        context = {"sites": codes, "rows": _export_rows(codes), "errors": exc.messages}
        return render(request, "sponsor/export.html", context, status=400)
    data, _ = dataset_zip(request.user, chosen, formats)
    response = HttpResponse(data, content_type="application/zip")
    name = f"cordtrack-deidentified-{'-'.join(chosen)}-{dt.date.today():%Y%m%d}.zip"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
