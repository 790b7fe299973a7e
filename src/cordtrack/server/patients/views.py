"""Patient list (scoped, searchable), detail, registration and consent (reads audited by
``audit.reads``)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from .. import blinding
from ..access import Cap, can, get_scoped_or_404, scoped, site_ids
from ..accounts.models import Site
from ..forms import add_service_errors, date_field
from ..intake.models import DocumentKind, Inquiry, InquiryStatus, ReferralSource
from ..intake.randomise import randomisation_context
from ..journey.timeline import timeline as journey_timeline
from ..paging import IdsFirst
from ..services import patients as patient_services
from ..services.consent import state as consent_state
from .models import (
    AIS_CHOICES,
    LEVEL_CHOICES,
    Cause,
    ConsentStatus,
    Etiology,
    Injury,
    Patient,
    Sex,
)


def _search(queryset: QuerySet[Patient], q: str) -> QuerySet[Patient]:
    """Patients whose study id contains ``q``, or who have an inquiry at status ``q``.

    The inquiries are a sub-select, not a join: a join repeats a patient per inquiry and needs
    ``DISTINCT``, which sorted every match on every column before the page could be cut (ADR
    0053). The base manager reads the inquiries as the join did (no default-manager filter)."""
    q = q.strip()
    if not q:
        return queryset
    at_status = Inquiry._base_manager.filter(status=q).values("patient_id")
    return queryset.filter(Q(study_id__icontains=q) | Q(pk__in=at_status))


@login_required
def patient_list(request: HttpRequest) -> HttpResponse:
    """The user's sites' patients (a patient user: their own record), searchable by study id."""
    patients = scoped(request.user, Patient.objects.select_related("site", "injury"))
    q = request.GET.get("q", "")
    patients = _search(patients, q)
    # The page's ids first, then its rows: a deep or searched page reads no skipped row whole.
    page = Paginator(IdsFirst(patients), 25).get_page(request.GET.get("page"))
    # Each row's consent label without a lazy choice list hashed per row
    # (``get_consent_status_display``): ADR 0060.
    consent = dict(ConsentStatus.choices)
    rows = [(p, consent.get(p.consent_status, p.consent_status)) for p in page]
    context = {
        "page": page,
        "rows": rows,
        "q": q,
        "total": page.paginator.count,
        "can_register": bool(site_ids(request.user, Cap.INTAKE)),
    }
    template = "patients/_rows.html" if request.headers.get("HX-Request") else "patients/list.html"
    return render(request, template, context)


@login_required
def patient_detail(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_scoped_or_404(
        request.user, Patient.objects.select_related("site", "injury"), pk=pk
    )
    user = request.user
    staff = can(user, patient.site_id, Cap.READ)
    context = {
        "patient": patient,
        "inquiries": patient.inquiries.all(),
        # A patient user sees signed exams only, never a draft.
        "exams": patient.exams.all() if staff else patient.exams.signed(),
        "screenings": patient.screenings.select_related("protocol"),
        "administrations": patient.administrations.select_related("lot"),
        "adverse_events": patient.adverse_events.all(),
        "visits": patient.visits.all(),
        "instruments": patient.instruments.all(),
        "documents": patient.documents.all(),
        "comorbidities": patient.comorbidities.all(),
        "medications": patient.medications.all(),
        "can_intake": can(user, patient.site_id, Cap.INTAKE),
        "patient_language_name": dict(settings.LANGUAGES).get(patient.preferred_language, ""),
        "can_read_site": staff,
        "can_clinical": can(user, patient.site_id, Cap.CLINICAL),
        "can_assess": can(user, patient.site_id, Cap.ASSESS),
        "blinded": blinding.product_hidden(),  # an assessor; a randomised patient (ADR 0040)
        "can_audit": can(user, patient.site_id, Cap.AUDIT),
        "can_visits": can(user, patient.site_id, Cap.VISITS),
        "document_kinds": DocumentKind.choices,
        "statuses": InquiryStatus.choices,
        "timeline": journey_timeline(patient, timezone.localdate(), drafts=staff),
        # Never rendered for a blinded user (ADR 0040), nor for the patient (participant blinding).
        "randomisation": randomisation_context(user, patient)
        if staff and not blinding.is_blinded(user)
        else None,
        "state": consent_state(patient),
    }
    return render(request, "patients/detail.html", context)


class PatientForm(forms.Form):
    site = forms.ModelChoiceField(queryset=Site.objects.none())
    year_of_birth = forms.IntegerField(min_value=1900, max_value=2100)
    sex = forms.ChoiceField(choices=Sex.choices)
    received_on = date_field(label="Inquiry received on")
    source = forms.ChoiceField(label="Referral source", choices=ReferralSource.choices)


@login_required
@require_http_methods(["GET", "POST"])
def patient_new(request: HttpRequest) -> HttpResponse:
    allowed = site_ids(request.user, Cap.INTAKE)
    if not allowed:
        raise PermissionDenied("registering patients is not part of your role")
    form = PatientForm(request.POST or None, initial={"received_on": timezone.localdate()})
    form.fields["site"].queryset = Site.objects.filter(pk__in=allowed)  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        try:
            patient = patient_services.register_patient(
                request.user,
                form.cleaned_data["site"],
                year_of_birth=form.cleaned_data["year_of_birth"],
                sex=form.cleaned_data["sex"],
                received_on=form.cleaned_data["received_on"],
                source=form.cleaned_data["source"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("patients:detail", pk=patient.pk)
    return render(request, "patients/new.html", {"form": form})


class InjuryForm(forms.Form):
    injury_date = date_field()
    etiology = forms.ChoiceField(choices=Etiology.choices)
    cause = forms.ChoiceField(choices=Cause.choices)
    level = forms.ChoiceField(choices=LEVEL_CHOICES)
    baseline_ais = forms.ChoiceField(choices=AIS_CHOICES, label="Baseline AIS")
    reason = forms.CharField(max_length=300, required=False, help_text="For corrections")


@login_required
@require_http_methods(["GET", "POST"])
def injury_edit(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_scoped_or_404(request.user, Patient.objects.all(), Cap.CLINICAL, pk=pk)
    existing = Injury.objects.filter(patient=patient).first()
    fields = ("injury_date", "etiology", "cause", "level", "baseline_ais")
    initial = {f: getattr(existing, f) for f in fields} if existing else {}
    form = InjuryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            patient_services.record_injury(request.user, patient, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("patients:detail", pk=patient.pk)
    context = {"form": form, "patient": patient, "title": "Injury", "submit": "Save"}
    return render(request, "form.html", context)


class ConsentForm(forms.Form):
    status = forms.ChoiceField(choices=ConsentStatus.choices)
    consent_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    consent_version = forms.CharField(max_length=20, required=False)
    reason = forms.CharField(max_length=500, required=False)


@login_required
@require_http_methods(["GET", "POST"])
def consent_edit(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_scoped_or_404(request.user, Patient.objects.all(), Cap.INTAKE, pk=pk)
    initial = {
        "status": patient.consent_status,
        "consent_date": patient.consent_date,
        "consent_version": patient.consent_version,
    }
    form = ConsentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            patient_services.record_consent(
                request.user, patient, status=data["status"], consent_date=data["consent_date"],
                version=data["consent_version"], reason=data["reason"],
            )  # fmt: skip
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("patients:detail", pk=patient.pk)
    return render(request, "patients/consent.html", {"form": form, "patient": patient})
