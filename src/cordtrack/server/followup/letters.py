"""The travel letter of a visit (ADR 0049): a PDF a coordinator gives an international patient
for a visa application and the journey, stating the planned visit dates, in English and in the
patient's language.

It says nothing clinical (no diagnosis, treatment, program or protocol: a consulate or airline
needs none of it). Passport details may be typed into the letter's form to be printed; they are
never stored nor logged (the form is not a model form and nothing here writes). The download is
in the audit trail through the read-audit mechanism (``audit.reads``: a PDF is a download).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from ..access import Cap, get_scoped_or_404
from ..languages import patient_language
from ..reports.pdf import render_pdf
from .models import Logistics, Visit


class LetterForm(forms.Form):
    """What the letter prints about the traveller, from their passport: never saved."""

    passport_name = forms.CharField(label=_("Name as in passport"), max_length=120, required=False)
    passport_number = forms.CharField(label=_("Passport number"), max_length=30, required=False)
    nationality = forms.CharField(label=_("Nationality"), max_length=60, required=False)


def letter_sections(
    visit: Visit, logistics: Logistics | None, traveller: dict[str, str], issuer: Any
) -> list[SafeString]:
    """The letter's text in English, then (if another) in the patient's language; each section
    rendered with its own language active and marked with its ``lang`` and direction."""
    codes = list(dict.fromkeys(["en", patient_language(visit.patient)]))
    context = {
        "visit": visit, "logistics": logistics, "traveller": traveller,
        "issuer": issuer.get_full_name() or issuer.get_username(),
        "site_name": visit.patient.site.name, "issued_on": timezone.localdate(),
    }  # fmt: skip
    sections = []
    for code in codes:
        info = translation.get_language_info(code)
        with translation.override(code):
            interpreter = ""
            if logistics is not None and logistics.interpreter_language:
                interpreter = str(_language_name(logistics.interpreter_language))
            html = render_to_string(
                "followup/_travel_letter_section.html",
                {**context, "lang_code": code, "rtl": info["bidi"], "interpreter": interpreter},
            )
        sections.append(mark_safe(html))  # our own template's output, already escaped
    return sections


def _language_name(code: str) -> str:
    """A language's name in the active language (Django's own catalogs translate them)."""
    try:
        return str(translation.get_language_info(code)["name_translated"])
    except KeyError:
        return code


@login_required
@require_http_methods(["GET", "POST"])
def travel_letter(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the letter with blank lines for the passport details, to fill in by hand; POST: the
    letter with the details typed in the form (printed only)."""
    visit = get_scoped_or_404(
        request.user, Visit.objects.select_related("patient__site"), Cap.VISITS, pk=pk
    )
    form = LetterForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and not form.is_valid():
        context = {"form": form, "patient": visit.patient, "title": "Travel letter",
                   "submit": "Download the letter (PDF)"}  # fmt: skip
        return render(request, "form.html", context, status=422)
    traveller = {k: v.strip() for k, v in form.cleaned_data.items()} if form.is_bound else {}
    logistics = Logistics.objects.filter(visit=visit).first()
    sections = letter_sections(visit, logistics, traveller, request.user)
    pdf = render_pdf("followup/travel_letter.html", {"sections": sections})
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"travel-letter-{visit.patient.study_id}-{visit.code}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"  # may carry passport details
    return response
