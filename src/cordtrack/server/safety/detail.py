"""One adverse event's page: what was reported, its regulatory clock, its follow-up to an
outcome (entries, grade changes with reasons, treatment), closure, and its monitoring."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from ..access import Cap, can, get_scoped_or_404
from ..forms import add_service_errors, date_field
from ..monitoring.marks import monitoring_context
from ..monitoring.models import Target
from ..services import ae_followup
from ..services import safety as safety_services
from ..signatures.models import Meaning
from ..signatures.pages import field_errors, sign_form, signature_context
from .clock import event_clock
from .models import SERIOUSNESS_FIELDS, AdverseEvent, FollowUpStatus, Outcome
from .views import CRITERIA_LABELS


class FollowUpForm(forms.Form):
    date = date_field()
    status = forms.ChoiceField(choices=FollowUpStatus.choices)
    ctcae_grade = forms.TypedChoiceField(
        label="CTCAE grade now", choices=[(g, str(g)) for g in range(1, 6)], coerce=int
    )
    reason = forms.CharField(
        max_length=300, required=False, label="Reason for a grade change",
        help_text="Required when the grade changes",
    )  # fmt: skip
    treatment = forms.CharField(
        max_length=1000, required=False, label="Treatment given",
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip
    outcome = forms.ChoiceField(choices=Outcome.choices)
    resolution_date = date_field(required=False, help_text="When resolved (default: this date)")
    note = forms.CharField(
        max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReportDatesForm(forms.Form):
    awareness_date = date_field(label="Site aware on")
    initial_report_date = date_field(required=False, label="Initial report made on")
    reason = forms.CharField(max_length=300, required=False, help_text="Needed once signed")


@login_required
@require_http_methods(["GET", "POST"])
def adverse_event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    queryset = AdverseEvent.objects.select_related("patient", "administration", "lot",
                                                   "reported_by", "closed_by")  # fmt: skip
    event = get_scoped_or_404(request.user, queryset, pk=pk)
    follow: forms.Form | None = None
    dates: forms.Form | None = None
    if request.method == "POST":
        event = get_scoped_or_404(request.user, queryset, Cap.CLINICAL, pk=pk)
        if request.POST.get("form") == "follow_up":
            follow = FollowUpForm(request.POST, prefix="fu")
            if follow.is_valid() and _done(follow, ae_followup.add_follow_up, request.user,
                                           event, **follow.cleaned_data):  # fmt: skip
                messages.success(request, "Follow-up recorded.")
                return redirect("ae-detail", pk=event.pk)
        else:
            dates = ReportDatesForm(request.POST, prefix="rd")
            if dates.is_valid() and _done(dates, ae_followup.record_report_dates, request.user,
                                          event, **dates.cleaned_data):  # fmt: skip
                messages.success(request, "Reporting dates saved.")
                return redirect("ae-detail", pk=event.pk)
    return render_event(request, event, follow=follow, dates=dates)


def render_event(
    request: HttpRequest,
    event: AdverseEvent,
    *,
    follow: forms.Form | None = None,
    dates: forms.Form | None = None,
    sign_errors: dict[str, list[str]] | None = None,
    close_errors: dict[str, list[str]] | None = None,
) -> HttpResponse:
    """The event's page; a refused sign-off or closure is shown at its form (422)."""
    today = timezone.localdate()
    site = event.patient.site_id
    sig = signature_context(event)
    authored = [s for s in sig["sig_states"] if s.meaning == Meaning.AUTHORED]
    closing = [s for s in sig["sig_states"] if s.meaning == Meaning.REVIEWED]
    open_ = event.closed_at is None
    may_sign = can(request.user, site, Cap.CLINICAL) and open_
    context = {
        "event": event, "patient": event.patient,
        "criteria": [CRITERIA_LABELS[n] for n in SERIOUSNESS_FIELDS if getattr(event, n)],
        "clock": event_clock(event, today), "follow_ups": event.follow_ups.select_related("author"),
        "may_edit": may_sign,
        "follow_form": follow or FollowUpForm(prefix="fu", initial={
            "date": today, "ctcae_grade": event.ctcae_grade, "outcome": event.outcome}),
        "dates_form": dates or ReportDatesForm(prefix="rd", initial={
            "awareness_date": event.awareness_date or event.onset_date,
            "initial_report_date": event.initial_report_date}),
        "closing": closing[-1] if closing else None, **sig,
        "sign": sign_form(
            request.user, action=reverse("ae-sign", args=[event.pk]), meaning=Meaning.AUTHORED,
            title="Sign the report" if not authored else "Sign again", button="Sign report",
            statement="By signing I confirm this adverse event report and its follow-up as "
            "recorded.", errors=sign_errors, form_id="sign",
        ) if may_sign and not (authored and authored[-1].state == "valid") else None,
        "close": sign_form(
            request.user, action=reverse("ae-close", args=[event.pk]), meaning=Meaning.REVIEWED,
            title="Close after review", button="Close event", form_id="close",
            statement="By signing I confirm that I reviewed this adverse event, its follow-up "
            "to its outcome and its reporting, and that it is closed.", errors=close_errors,
            note="A closed event takes no more follow-up and leaves the open lists.",
        ) if open_ and can(request.user, site, Cap.SAFETY_REVIEW) else None,
        **monitoring_context(request.user, Target.ADVERSE_EVENT, event),
    }  # fmt: skip
    status = 422 if sign_errors or close_errors else 200
    return render(request, "safety/detail.html", context, status=status)


def _signed(
    request: HttpRequest, pk: int, cap: Cap, service: Callable[..., Any], done: str, key: str
) -> HttpResponse:
    queryset = AdverseEvent.objects.select_related("patient", "closed_by")
    event = get_scoped_or_404(request.user, queryset, cap, pk=pk)
    try:
        service(request.user, event, password=request.POST.get("password", ""), request=request)
    except ValidationError as exc:
        event.refresh_from_db()
        errors = field_errors(exc)
        if key == "close_errors":
            return render_event(request, event, close_errors=errors)
        return render_event(request, event, sign_errors=errors)
    messages.success(request, done)
    return redirect("ae-detail", pk=event.pk)


@login_required
@require_POST
def adverse_event_sign(request: HttpRequest, pk: int) -> HttpResponse:
    """The investigator signs the event report (meaning "authored"), re-entering the password."""
    return _signed(request, pk, Cap.CLINICAL, safety_services.sign_adverse_event,
                   "Adverse event report signed.", "sign_errors")  # fmt: skip


@login_required
@require_POST
def adverse_event_close(request: HttpRequest, pk: int) -> HttpResponse:
    """A monitor closes the followed-up event (meaning "reviewed"), re-entering the password."""
    return _signed(request, pk, Cap.SAFETY_REVIEW, ae_followup.close_adverse_event,
                   "Adverse event closed.", "close_errors")  # fmt: skip


def _done(form: forms.Form, service: object, *args: object, **kwargs: object) -> bool:
    try:
        service(*args, **kwargs)  # type: ignore[operator]
    except ValidationError as exc:
        add_service_errors(form, exc)
        return False
    return True
