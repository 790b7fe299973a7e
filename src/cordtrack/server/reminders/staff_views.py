"""Staff: a patient's reminder addresses, opt-outs and message log."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from ..access import Cap, can, get_scoped_or_404
from ..forms import add_service_errors
from ..patients.models import Patient
from ..services import reminders as reminder_services
from .models import ContactPreference, ReminderLog


class ContactForm(forms.Form):
    email = forms.EmailField(label=_("E-mail for reminders"), required=False)
    phone = forms.CharField(
        label=_("Mobile number for text messages"), max_length=24, required=False,
        help_text=_("International form, e.g. +447700900123"),
    )  # fmt: skip
    email_opt_out = forms.BooleanField(label=_("No reminders by e-mail"), required=False)
    sms_opt_out = forms.BooleanField(label=_("No reminders by text message"), required=False)
    reason = forms.CharField(label=_("Reason for a change"), max_length=300, required=False)


@login_required
@require_http_methods(["GET", "POST"])
def patient_reminders(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_scoped_or_404(request.user, Patient.objects.select_related("site"), pk=pk)
    can_edit = can(request.user, patient.site_id, Cap.INTAKE)
    preference = ContactPreference.objects.filter(patient=patient).first()
    fields = ("email", "phone", "email_opt_out", "sms_opt_out")
    initial = {f: getattr(preference, f) for f in fields} if preference else {}
    form = ContactForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if not can_edit:
            return HttpResponse(status=403)
        if form.is_valid():
            try:
                reminder_services.set_contact(request.user, patient, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                return redirect("patient-reminders", pk=patient.pk)
    context = {
        "patient": patient,
        "form": form,
        "can_edit": can_edit,
        "log": ReminderLog.objects.filter(patient=patient).select_related("message")[:100],
    }
    return render(request, "reminders/patient.html", context)
