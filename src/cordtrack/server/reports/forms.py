"""Filter and claim forms of the report pages (read with GET, so every view is a link)."""

from __future__ import annotations

from typing import Any

from django import forms

from cordtrack.isncsci.types import AIS_GRADES
from cordtrack.outcomes import Phase

from ..intake.models import Protocol
from ..therapy.models import CellType, Route
from .figures import ANSWERS_VALIDATED, DEFAULT_DEFINITION, DEFINITIONS, CohortFilters

_ANY = [("", "any")]


class CohortForm(forms.Form):
    site = forms.MultipleChoiceField(required=False, help_text="none chosen: all your sites")
    protocol = forms.ChoiceField(required=False)
    cell_type = forms.ChoiceField(required=False, choices=_ANY + list(CellType.choices))
    route = forms.ChoiceField(required=False, choices=_ANY + list(Route.choices))
    baseline_ais = forms.ChoiceField(
        required=False, label="Baseline AIS", choices=_ANY + [(g, g) for g in AIS_GRADES]
    )
    phase = forms.ChoiceField(
        required=False,
        label="Phase at baseline",
        choices=_ANY + [(p.value, p.value) for p in Phase],
    )
    definition = forms.ChoiceField(
        label="Responder definition",
        choices=[(k, d.definition) for k, d in DEFINITIONS.items()],
        initial=DEFAULT_DEFINITION,
        required=False,
    )
    at_least = forms.FloatField(
        required=False, min_value=0, label="Score gain of at least (score definitions only)"
    )
    answers = forms.ChoiceField(
        required=False,
        label="Questionnaire answers",
        choices=[("", "all"), (ANSWERS_VALIDATED, "original or validated translation only")],
    )

    def __init__(self, data: Any, site_codes: list[str]) -> None:
        super().__init__(data)
        self.fields["site"].choices = [(c, c) for c in site_codes]  # type: ignore[attr-defined]
        codes = sorted(set(Protocol.objects.values_list("code", flat=True)))
        self.fields["protocol"].choices = _ANY + [(c, c) for c in codes]  # type: ignore[attr-defined]
        self.site_codes = site_codes

    def filters(self) -> CohortFilters:
        data = self.cleaned_data
        return CohortFilters(
            sites=tuple(data.get("site") or self.site_codes),
            protocol=data.get("protocol") or "",
            cell_type=data.get("cell_type") or "",
            route=data.get("route") or "",
            baseline_ais=data.get("baseline_ais") or "",
            phase=data.get("phase") or "",
            answers=data.get("answers") or "",
        )

    def definition_key(self) -> str:
        return str(self.cleaned_data.get("definition") or DEFAULT_DEFINITION)


class ClaimForm(CohortForm):
    claim = forms.CharField(
        max_length=200, required=False, help_text='e.g. "70% of patients improve"'
    )
