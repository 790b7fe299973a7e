"""The patient portal: own visits, questionnaires assigned before the next visit, progress."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ..followup.views import _typed, instrument_form
from ..followup.wording import WORKING_LABEL, wording
from ..forms import add_service_errors
from ..languages import patient_language
from ..services import consent as consent_services
from ..services import portal as portal_services
from .charts import progress_charts


@login_required
def portal(request: HttpRequest) -> HttpResponse:
    patient = portal_services.own_patient(request.user)
    visit = portal_services.next_visit(patient)
    todo = portal_services.assigned(patient, visit)
    context = {
        "patient": patient,
        "visit": visit,
        "todo": [(code, wording(code, patient_language(patient)).name) for code in todo],
        "visits": patient.visits.order_by("target_date"),
        "charts": [(c, c.svg()) for c in progress_charts(patient) if c.points],
        "state": consent_services.state(patient),
    }
    return render(request, "journey/portal.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def questionnaire(request: HttpRequest, code: str) -> HttpResponse:
    patient = portal_services.own_patient(request.user)
    if code not in portal_services.PATIENT_REPORTED:
        raise Http404("No such questionnaire")
    language = patient_language(patient)
    shown = wording(code, language)
    form = instrument_form(code, request.POST if request.method == "POST" else None, shown)
    del form.fields["recorded_on"]  # today, always: a patient reports how things are now
    if request.method == "POST" and form.is_valid():
        try:
            portal_services.submit_questionnaire(
                request.user, code, _typed(code, form.cleaned_data), language=language
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Thank you: %(name)s sent.") % {"name": shown.name})
            return redirect("portal")
    context = {"form": form, "patient": patient, "title": shown.name, "submit": _("Send"),
               "wording": shown, "working_label": WORKING_LABEL}  # fmt: skip
    return render(request, "journey/questionnaire.html", context)
