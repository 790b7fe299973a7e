"""A visit: completing it, its logistics, and outcome instruments recorded at it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from cordtrack.clinical.instruments import INSTRUMENTS, modified_ashworth

from ..access import Cap, can, get_scoped_or_404
from ..forms import add_service_errors, date_field
from ..intake.models import Protocol, ProtocolStatus
from ..patients.models import Patient
from ..services import followup as followup_services
from .letters import LetterForm
from .models import Logistics, MobilityAid, TravelMode, Visit
from .travel import interpreter_languages
from .wording import Wording


class CompleteForm(forms.Form):
    done_on = date_field()
    reason = forms.CharField(max_length=300, required=False)


class LogisticsForm(forms.Form):
    travel_mode = forms.ChoiceField(choices=TravelMode.choices)
    distance_km = forms.IntegerField(min_value=0)
    lodging_nights = forms.IntegerField(min_value=0, initial=0)
    mobility_aids = forms.MultipleChoiceField(
        choices=MobilityAid.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    companion = forms.BooleanField(required=False)
    travel_arranged = forms.BooleanField(required=False)
    lodging_arranged = forms.BooleanField(required=False)
    mobility_aids_arranged = forms.BooleanField(required=False)
    arrival_date = date_field(required=False)
    departure_date = date_field(required=False)
    accompanying_persons = forms.IntegerField(
        min_value=0, max_value=20, required=False, help_text="Besides the patient"
    )
    interpreter_language = forms.ChoiceField(
        choices=[("", "None needed"), *interpreter_languages()], required=False
    )


@login_required
@require_http_methods(["GET", "POST"])
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visit = get_scoped_or_404(request.user, Visit.objects.select_related("patient"), pk=pk)
    may_edit = can(request.user, visit.patient.site_id, Cap.VISITS)
    logistics = Logistics.objects.filter(visit=visit).first()
    complete = CompleteForm(initial={"done_on": visit.done_on or timezone.localdate()})
    travel = LogisticsForm(initial=_logistics_initial(logistics))
    if request.method == "POST":
        visit = get_scoped_or_404(
            request.user, Visit.objects.select_related("patient"), Cap.VISITS, pk=pk
        )
        which = request.POST.get("form")
        if which == "complete":
            complete = CompleteForm(request.POST)
            if complete.is_valid() and _run(complete, followup_services.complete_visit,
                                            request.user, visit, complete.cleaned_data["done_on"],
                                            reason=complete.cleaned_data["reason"]):  # fmt: skip
                return redirect("visit-detail", pk=visit.pk)
        elif which == "logistics":
            travel = LogisticsForm(request.POST)
            if travel.is_valid() and _run(travel, followup_services.record_logistics,
                                          request.user, visit, **travel.cleaned_data):  # fmt: skip
                return redirect("visit-detail", pk=visit.pk)
    context = {
        "visit": visit, "logistics": logistics, "complete": complete, "travel": travel,
        "may_edit": may_edit, "letter": LetterForm(),
        "may_score": can(request.user, visit.patient.site_id, Cap.ASSESS),
        "instruments": sorted(INSTRUMENTS), "responses": visit.instruments.all(),
        "exams": visit.exams.order_by("exam_date", "pk")
        if can(request.user, visit.patient.site_id, Cap.READ) else visit.exams.signed(),
    }  # fmt: skip
    return render(request, "followup/visit.html", context)


def _logistics_initial(logistics: Logistics | None) -> dict[str, Any]:
    if logistics is None:
        return {}
    fields = ("travel_mode", "distance_km", "lodging_nights", "mobility_aids", "companion",
              *Logistics.ITEMS.values(), "arrival_date", "departure_date", "accompanying_persons",
              "interpreter_language")  # fmt: skip
    return {name: getattr(logistics, name) for name in fields}


class ArrangedForm(forms.Form):
    item = forms.ChoiceField(choices=[(i, i) for i in Logistics.ITEMS])
    arranged = forms.TypedChoiceField(
        choices=[("yes", "yes"), ("no", "no")], coerce=lambda v: v == "yes", initial="yes"
    )


@login_required
@require_http_methods(["POST"])
def logistics_arranged(request: HttpRequest, pk: int) -> HttpResponse:
    """Tick one item of a visit's logistics as arranged (or not), back to the logistics list."""
    visit = get_scoped_or_404(
        request.user, Visit.objects.select_related("patient"), Cap.VISITS, pk=pk
    )
    logistics = Logistics.objects.filter(visit=visit).select_related("visit__patient").first()
    if logistics is None:
        raise Http404("No logistics recorded for this visit")
    form = ArrangedForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose an item to mark as arranged.")
        return redirect("logistics-list")
    item, arranged = form.cleaned_data["item"], form.cleaned_data["arranged"]
    try:
        followup_services.mark_arranged(request.user, logistics, item, arranged)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
        return redirect("logistics-list")
    label = item.replace("_", " ").capitalize()
    state = "arranged" if arranged else "to arrange"
    messages.success(request, f"{label} for {visit.patient.study_id} {visit.code}: {state}.")
    return redirect("logistics-list")


def _run(form: forms.Form, service: Any, *args: Any, **kwargs: Any) -> bool:
    try:
        service(*args, **kwargs)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return False
    return True


#: Muscle groups rated for the Modified Ashworth Scale, each side. ``cordtrack.clinical`` leaves
#: the choice to the site or protocol (clinical-evidence.md §4 gives no list); these are the
#: groups commonly rated for spasticity after SCI: upper limb flexors and extensors, hip
#: adductors, knee flexors and extensors, ankle plantar flexors. A group may be left unrated.
MAS_MUSCLE_GROUPS: tuple[str, ...] = tuple(
    f"{group}_{side}"
    for group in ("elbow_flexors", "elbow_extensors", "wrist_flexors", "hip_adductors",
                  "knee_flexors", "knee_extensors", "ankle_plantar_flexors")
    for side in ("right", "left")
)  # fmt: skip


def _definition(code: str) -> Any:
    """The instrument's items; the Modified Ashworth Scale with the site's muscle groups."""
    if code == "mas":
        return modified_ashworth(MAS_MUSCLE_GROUPS)
    return INSTRUMENTS[code][0]


def instrument_form(code: str, data: Any = None, shown: Wording | None = None) -> forms.Form:
    """A form with one choice field per item of the instrument (from ``cordtrack.clinical``),
    worded as ``shown`` (a translation, ADR 0044) or in the original."""
    instrument = _definition(code)
    optional = code == "mas"  # rate the groups examined; at least one (the scorer checks)
    form = forms.Form(data)
    form.fields["recorded_on"] = date_field(initial=timezone.localdate())
    for item in instrument.items:
        labels = dict(item.option_labels)

        def meaning(a: Any, item: Any = item, labels: dict[Any, str] = labels) -> str:
            return shown.option(instrument, item.key, a) if shown else labels.get(a, "")

        choices = [("", "—")] + [(str(a), f"{a} {meaning(a)}".strip()) for a in item.allowed]
        form.fields[item.key] = forms.ChoiceField(
            label=shown.label(instrument, item.key) if shown else item.label,
            choices=choices,
            required=item.required and not optional,
        )
    return form


def _typed(code: str, cleaned: dict[str, Any]) -> dict[str, object]:
    """Form strings back to the instrument's answer types (int where the item is numeric)."""
    answers: dict[str, object] = {}
    for item in _definition(code).items:
        value = cleaned.get(item.key)
        if value in (None, ""):
            continue
        by_text = {str(a): a for a in item.allowed}
        answers[item.key] = by_text.get(str(value), value)
    return answers


@login_required
@require_http_methods(["GET", "POST"])
def instrument_new(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    visit = get_scoped_or_404(
        request.user, Visit.objects.select_related("patient"), Cap.ASSESS, pk=pk
    )
    if code not in INSTRUMENTS:
        raise Http404("No such instrument")
    form = instrument_form(code, request.POST or None)
    if request.method == "POST" and form.is_valid():
        answers = _typed(code, form.cleaned_data)
        if _run(form, followup_services.record_instrument, request.user, visit.patient, code,
                answers, recorded_on=form.cleaned_data["recorded_on"], visit=visit):  # fmt: skip
            return redirect("visit-detail", pk=visit.pk)
    context = {
        "form": form,
        "patient": visit.patient,
        "submit": "Score and save",
        "title": f"{_definition(code).name} at {visit.label or visit.code}",
    }
    return render(request, "form.html", context)


class ScheduleForm(forms.Form):
    protocol = forms.ModelChoiceField(
        queryset=Protocol.objects.filter(status=ProtocolStatus.ACTIVE).order_by("code")
    )
    reference_date = date_field(help_text="Day 0, usually the first administration")


@login_required
@require_http_methods(["GET", "POST"])
def schedule_new(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_scoped_or_404(request.user, Patient.objects.all(), Cap.VISITS, pk=pk)
    form = ScheduleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _run(form, followup_services.schedule_visits, request.user, patient,
                data["protocol"], data["reference_date"]):  # fmt: skip
            return redirect("patients:detail", pk=patient.pk)
    context = {"form": form, "patient": patient, "title": "Schedule visits", "submit": "Schedule"}
    return render(request, "form.html", context)
