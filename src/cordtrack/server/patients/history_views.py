"""A patient's concomitant medications and medical history: the lists, and entering both."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from cordtrack.clinical.medications import source as atc_source

from ..access import Cap, can, get_scoped_or_404
from ..forms import add_service_errors, date_field
from ..services import history as history_services
from .models import MedicationRoute, Patient


class MedicationForm(forms.Form):
    name = forms.CharField(max_length=120, help_text="As prescribed, e.g. Apixaban")
    dose = forms.CharField(max_length=60, required=False, help_text="e.g. 5 mg twice daily")
    route = forms.ChoiceField(choices=[("", "—"), *MedicationRoute.choices], required=False)
    indication = forms.CharField(max_length=120, required=False)
    start_date = date_field(required=False)
    stop_date = date_field(required=False, help_text="Empty while it is still taken")
    atc_code = forms.CharField(
        max_length=7, required=False, label="ATC code",
        help_text="Only when the name is not recognised (WHO ATC, e.g. B01AF02)",
    )  # fmt: skip


class HistoryForm(forms.Form):
    condition = forms.CharField(max_length=120)
    icd10 = forms.CharField(max_length=8, required=False, label="ICD-10 code")
    onset_date = date_field(required=False)
    ongoing = forms.TypedChoiceField(
        choices=[("yes", "Ongoing"), ("no", "Resolved")], coerce=lambda v: v == "yes",
        initial="yes",
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def medications(request: HttpRequest, pk: int) -> HttpResponse:
    """Both lists, with a form for each (clinicians and data managers enter them)."""
    patient = get_scoped_or_404(request.user, Patient.objects.select_related("site"), pk=pk)
    may_edit = can(request.user, patient.site_id, Cap.CLINICAL)
    medication_form = MedicationForm(prefix="med")
    history_form = HistoryForm(prefix="hx")
    if request.method == "POST":
        patient = get_scoped_or_404(request.user, Patient.objects.all(), Cap.CLINICAL, pk=pk)
        if request.POST.get("form") == "medication":
            medication_form = MedicationForm(request.POST, prefix="med")
            if medication_form.is_valid() and _saved(
                medication_form, history_services.add_medication, request.user, patient
            ):
                return redirect("patients:medications", pk=patient.pk)
        else:
            history_form = HistoryForm(request.POST, prefix="hx")
            if history_form.is_valid() and _saved(
                history_form, history_services.add_medical_history, request.user, patient
            ):
                return redirect("patients:medications", pk=patient.pk)
    context = {
        "patient": patient, "may_edit": may_edit, "medication_form": medication_form,
        "history_form": history_form, "medications": patient.medications.all(),
        "history": patient.comorbidities.all(), "atc": atc_source(),
    }  # fmt: skip
    return render(request, "patients/medications.html", context)


def _saved(form: forms.Form, service: object, actor: object, patient: Patient) -> bool:
    try:
        service(actor, patient, **form.cleaned_data)  # type: ignore[operator]
    except ValidationError as exc:
        add_service_errors(form, exc)
        return False
    return True
