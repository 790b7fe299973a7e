"""Emergency unblinding and randomisation notes from the patient page (ADR 0041).

The Randomisation card (never rendered for a blinded user) offers a site clinician the signed
unblinding form (reason, password) and the roles that work the record a note form. An unblinding
leads to its own page, which shows the arm to the requester and to nobody else (404 to others,
whoever they are). The services hold the rules: :mod:`..services.unblinding`.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ..access import get_scoped_or_404
from ..patients.models import Patient
from ..services import signatures
from ..services import unblinding as services
from ..signatures.models import Meaning
from ..signatures.pages import field_errors, sign_form
from .models import Randomisation, Unblinding


class UnblindForm(forms.Form):
    reason = forms.CharField(
        label="Reason (the clinical need)", max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "minlength": services.MIN_REASON}),
    )  # fmt: skip


class NoteForm(forms.Form):
    text = forms.CharField(
        label="Note", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="What was wrong or unusual; the allocation itself never changes.",
    )  # fmt: skip


def unblind_form(user: Any, patient: Patient, errors: dict[str, list[str]] | None = None) -> Any:
    """The signed unblinding form of the card, or None when ``user`` may not unblind."""
    if not services.may_unblind(user, patient):
        return None
    return sign_form(
        user, action=reverse("patient-unblind", args=[patient.pk]), meaning=Meaning.AUTHORED,
        title=_("Emergency unblinding"), button=_("Sign and unblind"),
        statement=_("Only when the patient's care needs the arm. By signing I disclose this "
                    "patient's allocation to myself; the site's monitors are told (without the "
                    "arm) and the act is audited."),
        form_id="unblind", fields=[UnblindForm()["reason"]], errors=errors,
    )  # fmt: skip


@login_required
@require_POST
def patient_unblind(request: HttpRequest, pk: int) -> HttpResponse:
    """The signed emergency unblinding (a clinician of the site), then its page."""
    patient = get_scoped_or_404(request.user, Patient.objects.select_related("site"), pk=pk)
    try:
        made = services.unblind(
            request.user, patient, reason=request.POST.get("reason", ""),
            password=request.POST.get("password", ""), request=request,
        )  # fmt: skip
    except ValidationError as exc:
        for field, problems in field_errors(exc).items():
            for problem in problems:
                messages.error(request, f"{field}: {problem}")
        return redirect(reverse("patients:detail", args=[patient.pk]) + "#randomisation")
    return redirect("unblinding-detail", pk=made.pk)


@login_required
@require_GET
def unblinding_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The arm, to the clinician who unblinded and to nobody else (a read audited as any)."""
    made = get_scoped_or_404(
        request.user,
        Unblinding.objects.select_related("randomisation", "patient", "requested_by"),
        pk=pk,
    )
    if made.requested_by_id != request.user.pk:
        raise Http404("No such record")
    return render(request, "intake/unblinding.html", {
        "made": made, "sig_states": signatures.states(made),
    })  # fmt: skip


@login_required
@require_POST
def randomisation_note(request: HttpRequest, pk: int) -> HttpResponse:
    """Annotate an allocation (clinician, coordinator or data manager of the site)."""
    made = get_scoped_or_404(request.user, Randomisation.objects.select_related("patient"), pk=pk)
    try:
        services.annotate(request.user, made, request.POST.get("text", ""))
    except ValidationError as exc:
        for field, problems in field_errors(exc).items():
            for problem in problems:
                messages.error(request, f"{field}: {problem}")
    else:
        messages.success(request, _("Note added to the randomisation."))
    return redirect(reverse("patients:detail", args=[made.patient_id]) + "#randomisation")
