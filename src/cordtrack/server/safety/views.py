"""Reporting and signing adverse events."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from cordtrack.clinical.safety import ctcae_terms, ctcae_terms_source

from ..access import Cap, get_scoped_or_404
from ..forms import add_service_errors, date_field
from ..patients.models import Patient
from ..services import safety as safety_services
from ..therapy.models import Administration
from .models import Action, Outcome, Relatedness

CRITERIA_LABELS = {
    "death": "Results in death",
    "life_threatening": "Life-threatening",
    "hospitalisation": "Requires or prolongs hospitalisation",
    "disability": "Persistent or significant disability",
    "congenital_anomaly": "Congenital anomaly / birth defect",
    "important_medical_event": "Important medical event",
}


class AdverseEventForm(forms.Form):
    term = forms.CharField(
        max_length=120,
        widget=forms.TextInput(attrs={"list": "ctcae-terms", "autocomplete": "off"}),
        help_text="A CTCAE v5.0 term (suggested as you type) or free text",
    )
    onset_date = date_field()
    awareness_date = date_field(
        label="Site aware on", required=False, help_text="First knowledge of the event: a "
        "serious event's reporting clock starts here (empty: today)",
    )  # fmt: skip
    resolution_date = date_field(required=False)
    ctcae_grade = forms.TypedChoiceField(
        label="CTCAE grade", choices=[(g, str(g)) for g in range(1, 6)], coerce=int
    )
    relatedness = forms.ChoiceField(choices=Relatedness.choices)
    expected = forms.BooleanField(
        required=False, label="Expected (listed in the reference safety information)"
    )
    action = forms.ChoiceField(choices=Action.choices)
    outcome = forms.ChoiceField(choices=Outcome.choices)
    administration = forms.ModelChoiceField(queryset=Administration.objects.none(), required=False)
    baseline = forms.BooleanField(
        required=False, label="Baseline (pre-treatment) event",
        help_text="Began before consent or the first administration: recorded, not counted as "
        "treatment-emergent",
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, label in CRITERIA_LABELS.items():
            self.fields[name] = forms.BooleanField(required=False, label=f"Serious: {label}")


@login_required
@require_http_methods(["GET", "POST"])
def adverse_event_new(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_scoped_or_404(request.user, Patient.objects.all(), Cap.CLINICAL, pk=pk)
    form = AdverseEventForm(request.POST or None, initial={"awareness_date": timezone.localdate()})
    form.fields["administration"].queryset = Administration.objects.filter(patient=patient)  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        try:
            # A serious event also queues an e-mail to the site's monitors (the outbox).
            event = safety_services.report_adverse_event(request.user, patient, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if event.serious:
                messages.warning(
                    request,
                    "Serious adverse event: the site's monitors are notified (e-mail queued).",
                )
            return redirect("patients:detail", pk=patient.pk)
    context = {
        "form": form, "patient": patient, "title": "Report an adverse event", "submit": "Report",
        "intro": "Seriousness follows ICH E2A (grade 5 implies death); severity alone is not "
        "seriousness.", "datalist": ctcae_datalist(),
    }  # fmt: skip
    return render(request, "form.html", context)


def ctcae_datalist() -> dict[str, object]:
    """The CTCAE term suggestions of the term field, with their version and source."""
    meta = ctcae_terms_source()
    return {
        "id": "ctcae-terms",
        "options": [(t.term, t.soc) for t in ctcae_terms()],
        "note": f"Terms: CTCAE v{meta['version']} ({meta['published']}), {meta['source']}. "
        f"{meta['compiled']}",
    }
