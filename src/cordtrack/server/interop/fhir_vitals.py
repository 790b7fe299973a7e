"""Vital signs of an administration as FHIR R4 vital-signs Observations (one per phase and sign;
blood pressure as one panel with its two components), each ``partOf`` the administration's
Procedure."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fhir.resources.R4B.observation import Observation

from ..therapy.models import Administration
from ..therapy.vitals import BP_PANEL, BY_KEY, PHASES
from . import codes as c

VITAL_SIGNS = "vital-signs"


def _code(loinc: str, display: str) -> dict[str, Any]:
    return {"coding": [{"system": c.LOINC, "code": loinc, "display": display}], "text": display}


def _quantity(value: Any, unit: str) -> dict[str, Any]:
    return {"value": value, "unit": unit, "system": "http://unitsofmeasure.org", "code": unit}


def vital_sign_resources(a: Administration) -> Iterator[Observation]:
    for phase in PHASES:
        values = (a.vitals or {}).get(phase) or {}
        base: dict[str, Any] = {
            "resourceType": "Observation",
            "status": "final",
            "category": [{"coding": [{"system": c.OBSERVATION_CATEGORY, "code": VITAL_SIGNS}]}],
            "subject": {"reference": f"Patient/patient-{a.patient_id}"},
            "effectiveDateTime": a.administered_at.isoformat(),
            "partOf": [{"reference": f"Procedure/procedure-{a.pk}"}],
            "note": [{"text": f"{phase} the cell product administration"}],
        }
        for key in ("hr", "temp_c", "spo2"):
            if values.get(key) is None:
                continue
            vital = BY_KEY[key]
            yield Observation.model_validate(
                {**base, "id": f"observation-vitals-{a.pk}-{phase}-{key.replace('_', '')}",
                 "code": _code(vital.loinc, vital.loinc_display),
                 "valueQuantity": _quantity(values[key], vital.unit)}
            )  # fmt: skip
        components = [
            {"code": _code(BY_KEY[k].loinc, BY_KEY[k].loinc_display),
             "valueQuantity": _quantity(values[k], BY_KEY[k].unit)}
            for k in ("sbp", "dbp") if values.get(k) is not None
        ]  # fmt: skip
        if components:
            yield Observation.model_validate(
                {**base, "id": f"observation-vitals-{a.pk}-{phase}-bp",
                 "code": _code(*BP_PANEL), "component": components}
            )  # fmt: skip
