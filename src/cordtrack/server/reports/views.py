"""Report pages and PDFs. Cohort, safety and claim reports: staff of the chosen sites (READ);
a patient: their own outcomes page and progress PDF only. Another site's data: 404."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from cordtrack.outcomes import ClaimParseError, check_claim_for_cohort

from ..access import Cap, get_scoped_or_404, own_patient_id, site_ids
from ..accounts.models import Site
from ..exams.models import IsncsciExam
from ..intake.models import Protocol
from ..patients.models import Patient
from ..services import signatures
from ..signatures.models import Meaning
from . import figures, members
from .adapters import with_related
from .arms import arm_report, may_see_arms
from .context import outcomes_context, patient_context, safety_context
from .forms import ClaimForm, CohortForm
from .patient import patient_report
from .pdf import pdf_response, render_pdf


def readable_sites(user: Any) -> list[str]:
    """Codes of the sites whose cohort and safety reports ``user`` may see."""
    ids = site_ids(user, Cap.READ)
    return list(Site.objects.filter(pk__in=ids).order_by("code").values_list("code", flat=True))


def _sites_or_refuse(request: HttpRequest) -> list[str]:
    codes = readable_sites(request.user)
    if not codes:
        raise PermissionDenied("cohort and safety reports are for the staff of a site")
    asked = request.GET.getlist("site")
    if any(code not in codes for code in asked):
        raise Http404("No such site")
    return codes


@login_required
def index(request: HttpRequest) -> HttpResponse:
    context = {"sites": readable_sites(request.user), "own": own_patient_id(request.user)}
    return render(request, "reports/index.html", context)


def _cohort(request: HttpRequest, form_class: type[CohortForm] = CohortForm) -> dict[str, Any]:
    codes = _sites_or_refuse(request)
    form = form_class(request.GET or None, codes)
    if request.GET and not form.is_valid():
        return {"form": form}
    if not request.GET:
        form = form_class({"definition": figures.DEFAULT_DEFINITION}, codes)
        form.is_valid()
    cohort = figures.cohort_courses(form.filters())
    definition = figures.definition_for(form.definition_key(), form.cleaned_data.get("at_least"))
    return {"form": form, "cohort": cohort, "definition": definition}


def _randomised_protocol(context: dict[str, Any]) -> str:
    return randomised_protocol(context.get("form"))


def randomised_protocol(form: Any) -> str:
    """The chosen protocol's code if it is a randomised one (its report compares arms)."""
    code = str(getattr(form, "cleaned_data", {}).get("protocol") or "")
    if code and Protocol.objects.filter(code=code, design="randomised").exists():
        return code
    return ""


def _arm_context(request: HttpRequest, context: dict[str, Any], code: str) -> dict[str, Any]:
    """The arm comparison (``r``), or ``arms_hidden`` for a user kept blind to the arms."""
    if not may_see_arms(request.user):
        return {"arms_hidden": True, "protocol_code": code}
    filters = context["form"].filters()
    names = ("cell_type", "route", "baseline_ais", "phase", "answers")
    ignored = [name.replace("_", " ") for name in names if getattr(filters, name)]
    report = arm_report(filters.sites, code, context["definition"])
    return {"r": report, "ignored_filters": ignored}


def _query(request: HttpRequest) -> str:
    """The report's filters as a query string, without the page of members."""
    kept = request.GET.copy()
    for name in ("page", "members"):
        kept.pop(name, None)
    return kept.urlencode()


@login_required
def cohort(request: HttpRequest) -> HttpResponse:
    """The cohort report; ``?members=csv`` downloads its members, and an htmx request for
    ``?page=N`` gets that page of the members' table only (``members.py``)."""
    context = _cohort(request)
    code = _randomised_protocol(context) if "cohort" in context else ""
    if code:
        context.update(_arm_context(request, context, code))
    elif "cohort" in context:
        chosen, definition = context["cohort"], context["definition"]
        if request.GET.get("members") == "csv":
            return members.csv_response(chosen, definition)
        context["query"] = _query(request)
        if request.headers.get("HX-Request"):
            found = members.statuses(chosen, definition)
            context["members"] = members.page(chosen, found, request.GET.get("page"))
            return render(request, "reports/_members.html", context)
        report = figures.outcomes_report(chosen, definition)
        context.update(outcomes_context(report))
        context["members"] = members.page(chosen, report.statuses, request.GET.get("page"))
    return render(request, "reports/cohort.html", context)


@login_required
def cohort_pdf(request: HttpRequest) -> HttpResponse:
    context = _cohort(request)
    if "cohort" not in context:
        return render(request, "reports/cohort.html", context, status=400)
    code = _randomised_protocol(context)
    if code:
        arms = _arm_context(request, context, code)
        if "r" not in arms:
            raise PermissionDenied("the comparison by arm is shown to unblinded roles only")
        return pdf_response(render_pdf("reports/pdf/arms.html", arms), f"arms-{code}.pdf")
    report = figures.outcomes_report(context["cohort"], context["definition"])
    return pdf_response(
        render_pdf("reports/pdf/cohort.html", outcomes_context(report)), "cohort-report.pdf"
    )


def _safety(request: HttpRequest) -> figures.SafetyReport:
    codes = _sites_or_refuse(request)
    return figures.safety_report(request.GET.getlist("site") or codes)


@login_required
def safety(request: HttpRequest) -> HttpResponse:
    report = _safety(request)
    context = {**safety_context(report), "sites": readable_sites(request.user)}
    return render(request, "reports/safety.html", context)


@login_required
def safety_pdf(request: HttpRequest) -> HttpResponse:
    report = _safety(request)
    return pdf_response(
        render_pdf("reports/pdf/safety.html", safety_context(report)), "safety-report.pdf"
    )


@login_required
def evidence(request: HttpRequest) -> HttpResponse:
    """The evidence data: which combinations have a reference, every figure, the gaps (staff)."""
    from cordtrack.clinical import evidence as data
    from cordtrack.outcomes.coverage import COVERAGE_OUTCOMES, coverage

    if not readable_sites(request.user):
        raise PermissionDenied("the evidence page is for the staff of a site")
    cells = coverage()
    sections = [
        (label, [c for c in cells if c.outcome == label]) for label, _, _ in COVERAGE_OUTCOMES
    ]
    context = {"sections": sections, "figures": data.natural_history(), "gaps": data.gaps(),
               "version": data.EVIDENCE_VERSION}  # fmt: skip
    return render(request, "reports/evidence.html", context)


@login_required
def claim(request: HttpRequest) -> HttpResponse:
    context = _cohort(request, ClaimForm)
    text = request.GET.get("claim", "").strip()
    if "cohort" in context and text:
        try:
            context["verdict"] = check_claim_for_cohort(
                text, context["cohort"].courses, context["definition"]
            )
        except ClaimParseError as exc:
            context["claim_error"] = str(exc)
    return render(request, "reports/claim.html", context)


def _patient(request: HttpRequest, pk: int) -> Patient:
    """The patient if the user may see them (else 404); the view or the PDF's download is in
    the audit trail, as every read of patient data is (``audit.reads``)."""
    return get_scoped_or_404(request.user, with_related(Patient.objects.all()), pk=pk)


@login_required
def patient_outcomes(request: HttpRequest, pk: int) -> HttpResponse:
    report = patient_report(_patient(request, pk))
    return render(request, "reports/patient.html", patient_context(report))


def _signed(patient: Patient) -> list[tuple[IsncsciExam, Any]]:
    """The signed exams the report rests on, each with its author's latest signature (printed
    name, meaning, date-time, and whether it still holds: 21 CFR 11.50 on print too)."""
    exams = list(IsncsciExam.objects.signed().filter(patient=patient).order_by("exam_date", "pk"))
    found = signatures.latest_by_record(exams, Meaning.AUTHORED)
    return [(exam, found.get(exam.pk)) for exam in exams]


@login_required
def progress_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    patient = _patient(request, pk)
    context = {**patient_context(patient_report(patient)), "exam_signatures": _signed(patient)}
    pdf = render_pdf("reports/pdf/progress.html", context)
    return pdf_response(pdf, f"progress-{patient.study_id}.pdf")
