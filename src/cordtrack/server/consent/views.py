"""Consent pages: the patient's own (portal: read, check, sign, download, withdraw) and staff's
(sign in clinic on a tablet, withdraw, the re-consent worklist). Views are thin: every write is
one call of ``services.consent``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ..access import Cap, can, get_scoped_or_404, scoped, site_ids
from ..forms import add_service_errors
from ..intake.models import Document, DocumentKind
from ..patients.models import Patient
from ..services import consent as consent_services
from ..services import documents as document_services
from ..services.consent_documents import languages_of
from ..services.portal import own_patient
from .forms import ComprehensionForm, WithdrawalForm
from .models import Consent, ConsentDocument


def _attempts_key(document: ConsentDocument) -> str:
    return f"consent-attempts-{document.pk}"


def _sign(request: HttpRequest, patient: Patient, document: ConsentDocument, *,
          clinic: bool) -> tuple[ComprehensionForm, Consent | None]:  # fmt: skip
    """Bind and submit the signing form; the number of comprehension attempts is kept in the
    session until the consent is signed."""
    form = ComprehensionForm(document, request.POST if request.method == "POST" else None,
                             clinic=clinic)  # fmt: skip
    if request.method != "POST" or not form.is_valid():
        return form, None
    key = _attempts_key(document)
    attempts = int(request.session.get(key, 0)) + 1
    data = form.cleaned_data
    try:
        if clinic:
            signed = consent_services.sign_in_clinic(
                request.user, patient, document, form.answers(),
                patient_name=data.get("patient_name", ""),
                witness_name=data.get("witness_name", ""), password=data["password"],
                attempts=attempts, request=request,
            )  # fmt: skip
        else:
            signed = consent_services.sign_in_portal(
                request.user, document, form.answers(), data["password"], attempts=attempts,
                request=request,
            )  # fmt: skip
    except ValidationError as exc:
        if any(k.startswith("q") for k in getattr(exc, "error_dict", {})):
            request.session[key] = attempts  # a wrong answer counts; a wrong password does not
        add_service_errors(form, exc)
        return form, None
    request.session.pop(key, None)
    return form, signed


@login_required
def portal_consent(request: HttpRequest) -> HttpResponse:
    """The patient's consent: where they stand, their signed copies, and the current text."""
    patient = own_patient(request.user)
    state = consent_services.state(patient)
    signed = Consent.objects.filter(patient=patient).select_related("document__protocol", "pdf")
    return render(request, "consent/portal.html", {
        "patient": patient, "state": state, "signed": signed.order_by("-signed_at"),
    })  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def portal_sign(request: HttpRequest) -> HttpResponse:
    patient = own_patient(request.user)
    state = consent_services.state(patient, language=request.GET.get("language", ""))
    if state.current is None:
        raise Http404("No consent document to sign")
    if state.valid:
        messages.info(request, _("You have already signed the current consent."))
        return redirect("consent:portal")
    form, signed = _sign(request, patient, state.current, clinic=False)
    if signed is not None:
        messages.success(request, _("Thank you: your consent is signed. Your copy is below."))
        return redirect("consent:portal")
    return render(request, "consent/sign.html", {
        "patient": patient, "document": state.current, "form": form, "clinic": False,
        "languages": languages_of(state.current.protocol.code, state.current.version),
        "attempts": request.session.get(_attempts_key(state.current), 0),
    })  # fmt: skip


@login_required
def portal_pdf(request: HttpRequest, pk: int) -> FileResponse:
    """The patient's own signed copy (no other document of theirs is served here)."""
    patient = own_patient(request.user)
    document = get_object_or_404(Document, pk=pk, patient=patient, kind=DocumentKind.CONSENT_FORM)
    data = document_services.open_document(request.user, document)
    return FileResponse(data, as_attachment=True, filename=f"consent-{document.pk}.pdf",
                        content_type="application/pdf")  # fmt: skip


def _withdraw(request: HttpRequest, patient: Patient) -> tuple[WithdrawalForm, bool]:
    form = WithdrawalForm(request.POST if request.method == "POST" else None)
    if request.method != "POST" or not form.is_valid():
        return form, False
    data = form.cleaned_data
    try:
        consent_services.withdraw(request.user, patient, scope=data["scope"],
                                  reason=data["reason"], password=data["password"],
                                  request=request)  # fmt: skip
    except ValidationError as exc:
        add_service_errors(form, exc)
        return form, False
    return form, True


@login_required
@require_http_methods(["GET", "POST"])
def portal_withdraw(request: HttpRequest) -> HttpResponse:
    patient = own_patient(request.user)
    form, done = _withdraw(request, patient)
    if done:
        messages.success(request, _("Your withdrawal is recorded. Your care team has been told."))
        return redirect("consent:portal")
    return render(request, "consent/withdraw.html", {"patient": patient, "form": form,
                                                     "portal": True})  # fmt: skip


def _staff_patient(request: HttpRequest, pk: int) -> Patient:
    patient = get_scoped_or_404(request.user, Patient.objects.select_related("site"), pk=pk)
    if not consent_services.may_withdraw(request.user, patient) or (
        patient.pk == getattr(getattr(request.user, "patient_record", None), "pk", None)
    ):
        raise PermissionDenied("only the patient's coordinator or clinician")
    return patient


@login_required
@require_http_methods(["GET", "POST"])
def clinic_sign(request: HttpRequest, pk: int) -> HttpResponse:
    """In clinic, on a tablet: the patient reads, answers and types their name; a witness when
    required; the staff member signs with their password."""
    patient = _staff_patient(request, pk)
    code = request.GET.get("protocol") or consent_services.protocol_code_of(patient)
    codes = sorted(set(ConsentDocument.objects.values_list("protocol__code", flat=True)))
    if not code and codes:
        code = codes[0]
    state = consent_services.state(patient, code, language=request.GET.get("language", ""))
    if state.current is None:
        raise Http404("No consent document published for this protocol")
    form, signed = _sign(request, patient, state.current, clinic=True)
    if signed is not None:
        messages.success(
            request,
            f"Consent signed ({state.current.protocol.code} "
            f"{state.current.version}, {state.current.language}).",
        )
        return redirect("patients:detail", patient.pk)
    return render(request, "consent/sign.html", {
        "patient": patient, "document": state.current, "form": form, "clinic": True,
        "languages": languages_of(state.current.protocol.code, state.current.version),
        "codes": codes, "code": state.current.protocol.code,
        "attempts": request.session.get(_attempts_key(state.current), 0),
    })  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def staff_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    patient = _staff_patient(request, pk)
    form, done = _withdraw(request, patient)
    if done:
        messages.success(request, f"Withdrawal of {patient.study_id} recorded.")
        return redirect("patients:detail", patient.pk)
    return render(request, "consent/withdraw.html", {"patient": patient, "form": form,
                                                     "portal": False})  # fmt: skip


@login_required
def reconsent_list(request: HttpRequest) -> HttpResponse:
    """Patients of the user's sites who signed an earlier consent version than the current."""
    if not site_ids(request.user):
        raise PermissionDenied("staff only")
    rows: list[dict[str, Any]] = []
    for p in scoped(request.user, consent_services.reconsent_patients()):
        state = consent_services.state(p)
        rows.append({"patient": p, "signed": p.consent_version, "state": state,
                     "can_sign": can(request.user, p.site_id, Cap.INTAKE)
                     or can(request.user, p.site_id, Cap.CLINICAL)})  # fmt: skip
    return render(request, "consent/reconsent.html", {"rows": rows})
