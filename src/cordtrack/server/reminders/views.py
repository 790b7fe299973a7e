"""The patient's reminder settings in the portal (opt-out per channel)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from ..services import portal as portal_services
from ..services import reminders as reminder_services
from .models import ContactPreference, ReminderLog


class OwnRemindersForm(forms.Form):
    email = forms.BooleanField(label=gettext_lazy("Remind me by e-mail"), required=False)
    sms = forms.BooleanField(label=gettext_lazy("Remind me by text message (SMS)"), required=False)


def _masked_phone(phone: str) -> str:
    return phone[-3:] if phone else ""


@login_required
@require_http_methods(["GET", "POST"])
def portal_reminders(request: HttpRequest) -> HttpResponse:
    patient = portal_services.own_patient(request.user)
    preference = ContactPreference.objects.filter(patient=patient).first()
    initial = {
        "email": not (preference and preference.email_opt_out),
        "sms": not (preference and preference.sms_opt_out),
    }
    form = OwnRemindersForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        reminder_services.set_own_reminders(
            request.user, email=form.cleaned_data["email"], sms=form.cleaned_data["sms"]
        )
        messages.success(request, _("Your reminder settings are saved."))
        return redirect("portal-reminders")
    email = (preference.email if preference else "") or getattr(request.user, "email", "")
    context = {
        "form": form,
        "patient": patient,
        "email": email,
        "phone": _masked_phone(preference.phone if preference else ""),
        "recent": ReminderLog.objects.filter(patient=patient).select_related("message")[:10],
    }
    return render(request, "reminders/portal.html", context)
