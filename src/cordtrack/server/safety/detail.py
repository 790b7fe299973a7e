"""One adverse event's page: what was reported, its regulatory clock, its follow-up to an
outcome (entries, grade changes with reasons, treatment), closure, and its monitoring."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from ..access import Cap, can, get_scoped_or_404
from ..forms import add_service_errors, date_field
from ..monitoring.marks import monitoring_context
from ..monitoring.models import Target
from ..services import ae_followup
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
    today = timezone.localdate()
    follow = FollowUpForm(
        prefix="fu",
        initial={
            "date": today,
            "ctcae_grade": event.ctcae_grade,
            "outcome": event.outcome,
        },
    )
    dates = ReportDatesForm(
        prefix="rd",
        initial={
            "awareness_date": event.awareness_date or event.onset_date,
            "initial_report_date": event.initial_report_date,
        },
    )
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
    site = event.patient.site_id
    context = {
        "event": event, "patient": event.patient,
        "criteria": [CRITERIA_LABELS[n] for n in SERIOUSNESS_FIELDS if getattr(event, n)],
        "clock": event_clock(event, today), "follow_ups": event.follow_ups.select_related("author"),
        "may_edit": can(request.user, site, Cap.CLINICAL) and event.closed_at is None,
        "follow_form": follow, "dates_form": dates,
        **monitoring_context(request.user, Target.ADVERSE_EVENT, event),
    }  # fmt: skip
    return render(request, "safety/detail.html", context)


def _done(form: forms.Form, service: object, *args: object, **kwargs: object) -> bool:
    try:
        service(*args, **kwargs)  # type: ignore[operator]
    except ValidationError as exc:
        add_service_errors(form, exc)
        return False
    return True
