"""Entering an ISNCSCI exam on a worksheet grid, and showing its stored classification."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from cordtrack.isncsci import EXAM_KEYS, RESULT_KEYS
from cordtrack.isncsci.types import DAP_KEY, NON_KEY_KEYS, VAC_KEY

from ..access import Cap, can, get_scoped_or_404
from ..audit.models import AuditEntry
from ..followup.models import Visit
from ..forms import add_service_errors
from ..monitoring.marks import cell_marks, monitoring_context
from ..monitoring.models import Target
from ..patients.models import Patient
from ..services import exams as exam_services
from ..signatures.models import Meaning
from ..signatures.pages import field_errors, sign_form, signature_context
from ..worksheet import grid as worksheet_grid
from ..worksheet.live import exam_values, live_context
from ..worksheet.values import extra_cells, value_rows
from .models import IsncsciExam

#: Every cell normal, VAC and DAP present: the starting point for most examiners.
NORMAL_VALUES: dict[str, str] = {
    key: "Yes" if key in (VAC_KEY, DAP_KEY) else ("5" if key.endswith("Motor") else "2")
    for key in EXAM_KEYS
    if key not in NON_KEY_KEYS.values()
}


class ExamForm(forms.Form):
    """Every exam key as a short text field (the engine validates the values), and the protocol
    visit the exam belongs to."""

    exam_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    visit = forms.ModelChoiceField(
        queryset=Visit.objects.none(), required=False, label="Protocol visit",
        empty_label="— none —",
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key in EXAM_KEYS:
            self.fields[key] = forms.CharField(
                required=False, max_length=4, widget=forms.TextInput(attrs={"size": 3})
            )
        worksheet_grid.annotate(self)


def _worksheet_context(form: ExamForm) -> dict[str, Any]:
    """The grid, the extra fields and the live panel for the values on the form."""
    data = form.data if form.is_bound else {k: form.initial.get(k, "") for k in EXAM_KEYS}
    return {
        "rows": worksheet_grid.rows(form),
        "levels": worksheet_grid.LEVEL_CHOICES,
        "live": live_context(exam_values(data)),
    }


@login_required
@require_http_methods(["GET", "POST"])
def exam_new(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_scoped_or_404(request.user, Patient.objects.all(), Cap.ASSESS, pk=pk)
    initial: dict[str, object] = {"exam_date": timezone.localdate()}
    if request.GET.get("start") == "normal":  # the examiner then changes what is not normal
        initial.update(NORMAL_VALUES)
    if request.GET.get("visit", "").isdigit():
        initial["visit"] = int(request.GET["visit"])
    form = ExamForm(request.POST or None, initial=initial)
    form.fields["visit"].queryset = patient.visits.all()  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        values = {k: form.cleaned_data[k] for k in EXAM_KEYS}
        try:
            # Saved as a draft: empty cells are allowed (the result is then provisional);
            # signing needs every cell.
            exam = exam_services.record_exam(
                request.user, patient, values, exam_date=form.cleaned_data["exam_date"],
                visit=form.cleaned_data["visit"], draft=True,
            )  # fmt: skip
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("exam-detail", pk=exam.pk)
    context = {
        "patient": patient,
        "form": form,
        "extra": [form[VAC_KEY], form[DAP_KEY], *(form[k] for k in NON_KEY_KEYS.values())],
        **_worksheet_context(form),
    }
    return render(request, "exams/new.html", context)


class AmendForm(ExamForm):
    reason = forms.CharField(
        max_length=500, required=False, help_text="Required once the exam is signed"
    )


@login_required
@require_http_methods(["GET", "POST"])
def exam_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct an exam's values; it is reclassified and the change audited (old → new)."""
    exam = get_scoped_or_404(
        request.user, IsncsciExam.objects.select_related("patient"), Cap.ASSESS, pk=pk
    )
    initial = {**exam.values, "exam_date": exam.exam_date, "visit": exam.visit_id}
    form = AmendForm(request.POST or None, initial=initial)
    form.fields["exam_date"].disabled = True
    form.fields["visit"].queryset = exam.patient.visits.all()  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        values = {k: form.cleaned_data[k] for k in EXAM_KEYS}
        try:
            exam_services.amend_exam(
                request.user, exam, values, reason=form.cleaned_data["reason"],
                visit=form.cleaned_data["visit"],
            )  # fmt: skip
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("exam-detail", pk=exam.pk)
    context = {
        "patient": exam.patient,
        "form": form,
        "extra": [form[VAC_KEY], form[DAP_KEY], *(form[k] for k in NON_KEY_KEYS.values())],
        "amend": True,
        "exam": exam,
        **_worksheet_context(form),
    }
    return render(request, "exams/new.html", context)


@login_required
def exam_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The exam's classification, every recorded value on a read-only worksheet grid (with the
    monitors' queries and verification marks on its cells), its visit, signatures and history."""
    exam = get_scoped_or_404(
        request.user, IsncsciExam.objects.select_related("patient", "visit", "signed_by"), pk=pk
    )
    return _detail(request, exam)


def _detail(
    request: HttpRequest, exam: IsncsciExam, sign_errors: dict[str, list[str]] | None = None
) -> HttpResponse:
    site_id = exam.patient.site_id
    if not exam.locked and not can(request.user, site_id, Cap.READ):
        raise Http404("No such record")  # a patient never sees a draft
    results = [(k, (exam.classification or {}).get(k, "")) for k in RESULT_KEYS]
    may_edit = can(request.user, site_id, Cap.ASSESS)
    panel = monitoring_context(request.user, Target.EXAM, exam)
    marks = cell_marks(panel["mon"]) if panel["mon"] else {}
    sig = signature_context(exam)
    signed = any(s.state == "valid" and s.meaning == Meaning.AUTHORED for s in sig["sig_states"])
    resign = exam.locked and not signed
    context = {
        "exam": exam, "results": results, "may_sign": may_edit and not signed,
        "may_edit": may_edit, "live": live_context(exam_values(exam.values)),
        "history": exam_history(exam), "missing": exam_services.missing_keys(exam.values),
        "value_rows": value_rows(exam.values, marks),
        "extra_cells": extra_cells(exam.values, marks), "needs_resigning": resign, **sig,
        "sign": sign_form(
            request.user, action=reverse("exam-sign", args=[exam.pk]), meaning=Meaning.AUTHORED,
            title="Sign again" if resign else "Sign and lock", button="Sign exam",
            statement="By signing I confirm that I examined this patient and that these values "
            "are what I recorded.", errors=sign_errors,
            note="After signing, changes need a reason, appear in the audit trail and "
            "invalidate this signature until the exam is signed again.",
        ),
        **panel,
    }  # fmt: skip
    return render(request, "exams/detail.html", context, status=422 if sign_errors else 200)


@login_required
@require_POST
def exam_sign(request: HttpRequest, pk: int) -> HttpResponse:
    """Sign the exam as its author: an electronic signature, the password re-entered
    (21 CFR 11.200(a)); a wrong password is a field error and signs nothing."""
    exam = get_scoped_or_404(
        request.user, IsncsciExam.objects.select_related("patient"), Cap.ASSESS, pk=pk
    )
    try:
        exam_services.sign_exam(
            request.user, exam, password=request.POST.get("password", ""), request=request
        )
    except ValidationError as exc:
        exam.refresh_from_db()
        return _detail(request, exam, field_errors(exc))
    messages.success(request, "Exam signed and locked; later changes need a reason.")
    return redirect("exam-detail", pk=exam.pk)


def exam_history(exam: IsncsciExam) -> list[AuditEntry]:
    """The exam's audit entries, newest first (creation, signature, corrections with reasons)."""
    entries = AuditEntry.objects.filter(model="exams.isncsciexam", object_id=str(exam.pk))
    return list(entries.order_by("-seq")[:50])
