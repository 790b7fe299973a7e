"""Forms of the therapy pages: lots and administrations."""

from __future__ import annotations

from typing import Any

from django import forms

from ..accounts.models import Site
from ..forms import date_field
from .models import CellProductLot, CellType, Route, Source
from .vitals import PHASES, UNIT_LABELS, VITALS

VITAL_LABELS = {v.key: f"{v.label} ({UNIT_LABELS[v.unit]})" for v in VITALS}


class LotForm(forms.Form):
    site = forms.ModelChoiceField(queryset=Site.objects.none())
    lot_number = forms.CharField(max_length=40)
    manufacturer = forms.CharField(max_length=100)
    cell_type = forms.ChoiceField(choices=CellType.choices)
    source = forms.ChoiceField(choices=Source.choices)
    source_patient = forms.CharField(
        max_length=20, required=False, help_text="Study id (autologous lots only)"
    )
    donor_code = forms.CharField(max_length=40, required=False, help_text="Allogeneic lots only")
    manufactured_on = date_field()
    expires_on = date_field()
    viability_pct = forms.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100)
    cell_count = forms.IntegerField(min_value=1)
    release_tests = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One test a line: name; result; pass or fail",
    )

    def clean_release_tests(self) -> list[dict[str, Any]]:
        tests = []
        for n, line in enumerate(self.cleaned_data["release_tests"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split(";")]
            if len(parts) != 3 or parts[2].lower() not in ("pass", "fail"):
                raise forms.ValidationError(f"line {n}: write 'name; result; pass' or '…; fail'")
            tests.append(
                {"test": parts[0], "result": parts[1], "passed": parts[2].lower() == "pass"}
            )
        if not tests:
            raise forms.ValidationError("at least one release test is required")
        return tests


class AdministrationForm(forms.Form):
    lot = forms.ModelChoiceField(queryset=CellProductLot.objects.none())
    administered_at = forms.DateTimeField(
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    route = forms.ChoiceField(choices=Route.choices)
    dose_total_cells = forms.IntegerField(min_value=1)
    weight_kg = forms.DecimalField(max_digits=5, decimal_places=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for phase in PHASES:
            for key, label in VITAL_LABELS.items():
                self.fields[f"{phase}_{key}"] = forms.FloatField(label=f"{label} ({phase})")

    def vitals(self) -> dict[str, dict[str, float]]:
        return {
            phase: {key: self.cleaned_data[f"{phase}_{key}"] for key in VITAL_LABELS}
            for phase in PHASES
        }
