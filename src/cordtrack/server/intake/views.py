"""Document upload, review and download; inquiry status changes."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from ..access import Cap, can, get_scoped_or_404, scoped
from ..forms import add_service_errors, date_field, yes_no_field
from ..patients.models import Patient
from ..services import documents as document_services
from ..services import intake as intake_services
from .models import Document, DocumentKind, Inquiry, Protocol, ProtocolStatus
from .preview import PREVIEWABLE, preview_png


class UploadForm(forms.Form):
    kind = forms.ChoiceField(choices=DocumentKind.choices)
    file = forms.FileField()


def _flash_errors(request: HttpRequest, exc: ValidationError) -> None:
    for field, errs in exc.message_dict.items():
        for message in errs:
            messages.error(request, f"{field}: {message}")


@login_required
@require_POST
def document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_scoped_or_404(request.user, Patient.objects.all(), Cap.INTAKE, pk=pk)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        for field, errs in form.errors.items():
            for message in errs:
                messages.error(request, f"{field}: {message}")
        return redirect("patients:detail", pk=patient.pk)
    try:
        document = document_services.upload_document(
            request.user, patient, form.cleaned_data["kind"], form.cleaned_data["file"]
        )
    except ValidationError as exc:
        _flash_errors(request, exc)
        return redirect("patients:detail", pk=patient.pk)
    messages.success(request, f"Document {document.pk} stored (sha256 {document.sha256[:12]}…).")
    return redirect("document-detail", pk=document.pk)


@login_required
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A document for de-identification review: DICOM header attributes, or a preview of a PDF's
    first page or an image. A verdict moves on to the next document awaiting review."""
    document = get_scoped_or_404(request.user, Document.objects.select_related("patient"), pk=pk)
    if request.method == "POST":
        document = get_scoped_or_404(request.user, Document.objects.all(), Cap.INTAKE, pk=pk)
        verdict = request.POST.get("deidentified_ok")
        if verdict not in ("yes", "no"):
            messages.error(request, "deidentified_ok: choose de-identified or not")
            return redirect("document-detail", pk=document.pk)
        try:
            document_services.review_deidentification(
                request.user, document, verdict == "yes", request.POST.get("reason", "")
            )
        except ValidationError as exc:
            _flash_errors(request, exc)
            return redirect("document-detail", pk=document.pk)
        waiting = scoped(request.user, Document.objects.all(), Cap.INTAKE).filter(
            deidentified_ok=None
        )
        following = waiting.order_by("uploaded_at", "pk").first()
        messages.success(
            request, f"Review recorded; {waiting.count()} document(s) still awaiting review."
        )
        if following is not None:
            return redirect("document-detail", pk=following.pk)
        return redirect("intake-board")
    can_review = can(request.user, document.patient.site_id, Cap.INTAKE)
    context = {"document": document, "can_review": can_review,
               "previewable": document.content_type in PREVIEWABLE}  # fmt: skip
    return render(request, "intake/document.html", context)


@login_required
def document_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """A PNG of a PDF's first page or of an image, rendered here (no third-party viewer)."""
    document = get_scoped_or_404(request.user, Document.objects.select_related("patient"), pk=pk)
    if document.content_type not in PREVIEWABLE:
        raise Http404("No preview for this document")
    try:
        png = preview_png(document_services.read_document(document), document.content_type)
    except (OSError, ValueError) as exc:
        return HttpResponse(str(exc), status=422, content_type="text/plain; charset=utf-8")
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = "no-store"
    return response


@login_required
def document_download(request: HttpRequest, pk: int) -> FileResponse:
    document = get_scoped_or_404(request.user, Document.objects.select_related("patient"), pk=pk)
    data = document_services.open_document(request.user, document)
    extension = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}.get(
        document.content_type, "dcm"
    )
    # The stored name may identify a person; the download is named by study id and id only.
    filename = f"{document.patient.study_id}-doc{document.pk}.{extension}"
    return FileResponse(
        data, as_attachment=True, filename=filename, content_type=document.content_type
    )


@login_required
@require_POST
def inquiry_status(request: HttpRequest, pk: int) -> HttpResponse:
    inquiry = get_scoped_or_404(
        request.user, Inquiry.objects.select_related("patient"), Cap.INTAKE, pk=pk
    )
    try:
        intake_services.advance_inquiry(
            request.user, inquiry, request.POST.get("status", ""),
            reason=request.POST.get("reason", ""),
        )  # fmt: skip
    except ValidationError as exc:
        _flash_errors(request, exc)
    return redirect("patients:detail", pk=inquiry.patient_id)


class ScreeningForm(forms.Form):
    # Only active versions: a draft is not yet in force and a retired one no longer is.
    protocol = forms.ModelChoiceField(
        queryset=Protocol.objects.filter(status=ProtocolStatus.ACTIVE).order_by("code")
    )
    screened_on = date_field()
    medically_stable = yes_no_field("Medically stable")
    active_infection = yes_no_field("Active infection")
    malignancy = yes_no_field("Malignancy")
    pregnancy = yes_no_field("Pregnancy")


@login_required
@require_http_methods(["GET", "POST"])
def screening_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Screen against a protocol; injury level, AIS, time since injury and anticoagulation come
    from the record, the rest from the reviewer's assessment."""
    patient = get_scoped_or_404(request.user, Patient.objects.all(), Cap.CLINICAL, pk=pk)
    form = ScreeningForm(request.POST or None, initial={"screened_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        protocol, screened_on = data.pop("protocol"), data.pop("screened_on")
        try:
            screening = intake_services.screen_eligibility(
                request.user, patient, protocol, data, screened_on=screened_on
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:  # to the proposal, for the clinician to confirm it with a signature
            return redirect("screening-detail", pk=screening.pk)
    context = {"form": form, "patient": patient, "title": "Eligibility screening",
               "submit": "Evaluate and record"}  # fmt: skip
    return render(request, "form.html", context)
