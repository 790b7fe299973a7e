"""One eligibility screening: the criteria as evaluated, the proposed decision, and the
clinician's confirmation of it, signed (meaning "approved")."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ..access import Cap, can, get_scoped_or_404
from ..services import intake as intake_services
from ..signatures.models import Meaning
from ..signatures.pages import field_errors, sign_form, signature_context
from .models import Decision, EligibilityScreening


class ConfirmForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[(Decision.ELIGIBLE, "Eligible"), (Decision.NOT_ELIGIBLE, "Not eligible")]
    )
    reason = forms.CharField(
        max_length=300, required=False, label="Reason",
        help_text="Required when the decision departs from the proposal or the proposal needs "
        "review",
    )  # fmt: skip


def _screening(request: HttpRequest, pk: int, cap: Cap = Cap.READ) -> EligibilityScreening:
    queryset = EligibilityScreening.objects.select_related("patient", "protocol", "reviewer")
    return get_scoped_or_404(request.user, queryset, cap, pk=pk)


@login_required
def screening_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render(request, _screening(request, pk))


def _render(
    request: HttpRequest,
    screening: EligibilityScreening,
    form: ConfirmForm | None = None,
    errors: dict[str, list[str]] | None = None,
) -> HttpResponse:
    sig = signature_context(screening)
    approved = [s for s in sig["sig_states"] if s.meaning == Meaning.APPROVED]
    confirmed = approved[-1] if approved else None
    may_confirm = can(request.user, screening.patient.site_id, Cap.CLINICAL) and not (
        confirmed and confirmed.state == "valid"
    )
    proposal = screening.decision if screening.decision != Decision.NEEDS_REVIEW else None
    form = form or ConfirmForm(initial={"decision": proposal})
    context = {
        "screening": screening, "patient": screening.patient, "confirmed": confirmed, **sig,
        "sign": sign_form(
            request.user, action=reverse("screening-confirm", args=[screening.pk]),
            meaning=Meaning.APPROVED, title="Confirm the decision", button="Sign decision",
            statement="By signing I approve this eligibility decision for this patient under "
            "this protocol, on the criteria shown.", errors=errors, form_id="confirm",
            fields=[form["decision"], form["reason"]],
        ) if may_confirm else None,
    }  # fmt: skip
    return render(request, "intake/screening.html", context, status=422 if errors else 200)


@login_required
@require_POST
def screening_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """The clinician confirms (or overrides, with a reason) the proposal, re-entering the
    password."""
    screening = _screening(request, pk, Cap.CLINICAL)
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        errors = {k: [str(m) for m in v] for k, v in form.errors.items()}
        return _render(request, screening, form, errors)
    try:
        intake_services.confirm_eligibility(
            request.user, screening, decision=form.cleaned_data["decision"],
            reason=form.cleaned_data["reason"], password=request.POST.get("password", ""),
            request=request,
        )  # fmt: skip
    except ValidationError as exc:
        screening.refresh_from_db()
        return _render(request, screening, form, field_errors(exc))
    messages.success(request, "Eligibility decision signed.")
    return redirect("screening-detail", pk=screening.pk)
