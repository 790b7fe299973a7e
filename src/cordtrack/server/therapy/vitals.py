"""Vital signs recorded at an administration (before, during and after): labels, units, LOINC
codes, and the rows the administration page and the exports show.

LOINC codes are those of the FHIR R4 vital-signs profiles (https://hl7.org/fhir/R4/
observation-vitalsigns.html): heart rate 8867-4, blood pressure panel 85354-9 with systolic 8480-6
and diastolic 8462-4, body temperature 8310-5, oxygen saturation by pulse oximetry 59408-5.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

PHASES: Final = ("before", "during", "after")


@dataclass(frozen=True, slots=True)
class Vital:
    key: str
    label: str
    unit: str  # UCUM
    loinc: str
    loinc_display: str


VITALS: Final = (
    Vital("hr", "Heart rate", "/min", "8867-4", "Heart rate"),
    Vital("sbp", "Systolic BP", "mm[Hg]", "8480-6", "Systolic blood pressure"),
    Vital("dbp", "Diastolic BP", "mm[Hg]", "8462-4", "Diastolic blood pressure"),
    Vital("temp_c", "Temperature", "Cel", "8310-5", "Body temperature"),
    Vital("spo2", "SpO2", "%", "59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry"),
)
BY_KEY: Final = {v.key: v for v in VITALS}
BP_PANEL: Final = ("85354-9", "Blood pressure panel with all children optional")
UNIT_LABELS: Final = {"/min": "/min", "mm[Hg]": "mmHg", "Cel": "°C", "%": "%"}


def table(vitals: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One row per vital sign: its label, unit and the value at each phase ("" if missing)."""
    return [
        {
            "key": v.key,
            "label": v.label,
            "unit": UNIT_LABELS[v.unit],
            "values": [vitals.get(phase, {}).get(v.key, "") for phase in PHASES],
        }
        for v in VITALS
    ]


def columns() -> list[str]:
    """Export columns: ``hr_before``, ``sbp_before``... for every phase."""
    return [f"{v.key}_{phase}" for phase in PHASES for v in VITALS]


def flat(vitals: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The values under :func:`columns` ("" where not recorded)."""
    return {
        f"{v.key}_{phase}": vitals.get(phase, {}).get(v.key, "") for phase in PHASES for v in VITALS
    }
