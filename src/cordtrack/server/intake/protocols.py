"""The demo protocol, as data in the formats of ``cordtrack.clinical`` (eligibility criteria:
``clinical.eligibility.Protocol.to_dict()["criteria"]``; visit schedule:
``clinical.visits.VisitSchedule.to_dict()``). Illustrative only, not a real trial."""

from __future__ import annotations

from typing import Any, Final

_NOTE: Final = "demo protocol; not a clinical recommendation"


def _criterion(code: str, description: str, kind: str, **params: Any) -> dict[str, Any]:
    return {"code": code, "description": description, "kind": kind, "params": params,
            "source": _NOTE}  # fmt: skip


DEMO_CRITERIA: Final[list[dict[str, Any]]] = [
    _criterion("level", "Neurological level C4 to T12", "injury_level_between",
               **{"from": "C4", "to": "T12"}),
    _criterion("completeness", "AIS A, B or C", "ais_in", grades=["A", "B", "C"]),
    _criterion("time_since_injury", "14 days to 2 years since injury", "days_since_injury_between",
               min=14, max=730),
    _criterion("age", "Age 18 to 70 years", "age_between", min=18, max=70),
    _criterion("medically_stable", "Medically stable", "medically_stable"),
    _criterion("no_infection", "No active infection", "absent_condition",
               condition="active_infection"),
    _criterion("no_malignancy", "No malignancy", "absent_condition", condition="malignancy"),
    _criterion("not_pregnant", "Not pregnant", "absent_condition", condition="pregnancy"),
    _criterion("no_anticoagulation", "Not on an anticoagulant", "no_medication_class",
               **{"class": "anticoagulant"}),
    _criterion("no_immunosuppression", "Not on an immunosuppressant", "no_medication_class",
               **{"class": "immunosuppressant"}),
]  # fmt: skip

DEMO_SCHEDULE: Final[dict[str, Any]] = {
    "code": "CT-MSC-IT",
    "name": "Intrathecal MSC follow-up",
    "version": "1",
    "reference": "first administration",
    "visits": [
        {"code": "d0", "target_day": 0, "window_minus": 0, "window_plus": 0, "label": "Day 0"},
        {"code": "w1", "target_day": 7, "window_minus": 2, "window_plus": 2, "label": "Week 1"},
        {"code": "m1", "target_day": 30, "window_minus": 7, "window_plus": 7, "label": "Month 1"},
        {"code": "m3", "target_day": 90, "window_minus": 14, "window_plus": 14, "label": "Month 3"},
        {"code": "m6", "target_day": 180, "window_minus": 21, "window_plus": 21,
         "label": "Month 6"},
        {"code": "m12", "target_day": 365, "window_minus": 30, "window_plus": 30,
         "label": "Month 12"},
    ],
}  # fmt: skip

DEMO_INSTRUMENTS: Final[dict[str, list[str]]] = {
    "d0": ["isncsci"],
    "m1": ["isncsci", "pain_nrs"],
    "m3": ["isncsci", "scim_iii", "wisci_ii", "pain_nrs"],
    "m6": ["isncsci", "scim_iii", "wisci_ii", "pain_nrs", "mas"],
    "m12": ["isncsci", "scim_iii", "wisci_ii", "pain_nrs", "mas", "isci_qol_basic"],
}

DEMO_TREATMENT_PLAN: Final[dict[str, Any]] = {
    "cell_types": ["bm_msc", "uc_msc"],
    "routes": ["intrathecal"],
    "dose_total_cells": {"min": 10_000_000, "max": 200_000_000},
}

#: The uncontrolled protocol: one arm, every patient treated.
DEMO_UNCONTROLLED: Final[dict[str, Any]] = {
    "code": "CT-MSC-IT",
    "name": "Intrathecal MSC in subacute SCI (demo)",
    "version": "1",
    "design": "uncontrolled",
    "arms": [{"name": "MSC-IT", "description": "intrathecal mesenchymal stromal cells"}],
    "criteria": DEMO_CRITERIA,
    "schedule": DEMO_SCHEDULE,
    "instruments": DEMO_INSTRUMENTS,
    "treatment_plan": DEMO_TREATMENT_PLAN,
}

#: The randomised protocol: cells versus a sham procedure (skin puncture without intrathecal
#: injection), 1:1 in permuted blocks of 4 or 6 stratified by baseline AIS and level group.
DEMO_RANDOMISED: Final[dict[str, Any]] = {
    "code": "CT-MSC-RCT",
    "name": "Intrathecal MSC versus sham procedure, randomised (demo)",
    "version": "1",
    "design": "randomised",
    "arms": [
        {"name": "MSC-IT", "description": "intrathecal mesenchymal stromal cells"},
        {"name": "SHAM-IT", "description": "sham: skin puncture, no intrathecal injection"},
    ],
    "randomisation": {
        "factors": {"ais": ["A", "B", "C"], "level_group": ["cervical", "T1-T9", "T10 and below"]},
        "block_sizes": [4, 6],
    },
    "criteria": DEMO_CRITERIA,
    "schedule": {**DEMO_SCHEDULE, "code": "CT-MSC-RCT", "name": "Randomised MSC follow-up",
                 "reference": "randomisation"},
    "instruments": DEMO_INSTRUMENTS,
    "treatment_plan": DEMO_TREATMENT_PLAN,
}  # fmt: skip
