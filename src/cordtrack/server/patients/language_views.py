"""The language a patient reads, recorded by intake staff (issue 17 item 1, ADR 0043): their
portal follows it until they choose their own, and the e-mails, text messages and travel letter
sent to them use it (``languages.patient_language``)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from ..access import Cap, get_scoped_or_404
from ..forms import add_service_errors
from ..services import patients as patient_services
from .models import Patient


class PatientLanguageForm(forms.Form):
    preferred_language = forms.ChoiceField(
        label=_("Language the patient reads"),
        choices=[("", _("Not recorded (English)")), *settings.LANGUAGES],
        required=False,
    )


@login_required
@require_http_methods(["GET", "POST"])
def patient_language(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_scoped_or_404(request.user, Patient.objects.all(), Cap.INTAKE, pk=pk)
    form = PatientLanguageForm(
        request.POST or None, initial={"preferred_language": patient.preferred_language}
    )
    if request.method == "POST" and form.is_valid():
        try:
            patient_services.set_patient_language(
                request.user, patient, form.cleaned_data["preferred_language"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("patients:detail", pk=patient.pk)
    return render(request, "patients/language.html", {"form": form, "patient": patient})
