"""What the worksheet shows beside the grid: results, the steps behind them, the body map."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cordtrack import isncsci
from cordtrack.isncsci import EXAM_KEYS, RESULT_KEYS
from cordtrack.isncsci.types import NON_KEY_KEYS

from . import bodymap

#: Result keys with the names a clinician reads on the worksheet's summary box.
RESULT_LABELS: dict[str, str] = {
    "rightSensory": "Sensory level, right",
    "leftSensory": "Sensory level, left",
    "rightMotor": "Motor level, right",
    "leftMotor": "Motor level, left",
    "neurologicalLevelOfInjury": "Neurological level of injury (NLI)",
    "injuryComplete": "Complete (C) or incomplete (I)",
    "asiaImpairmentScale": "ASIA Impairment Scale (AIS)",
    "rightSensoryZpp": "Sensory ZPP, right",
    "leftSensoryZpp": "Sensory ZPP, left",
    "rightMotorZpp": "Motor ZPP, right",
    "leftMotorZpp": "Motor ZPP, left",
    "upperMotorTotal": "Upper extremity motor score (UEMS)",
    "lowerMotorTotal": "Lower extremity motor score (LEMS)",
    "touchTotal": "Light touch total",
    "prickTotal": "Pin prick total",
    "rightUpperMotorTotal": "Upper motor, right",
    "leftUpperMotorTotal": "Upper motor, left",
    "rightLowerMotorTotal": "Lower motor, right",
    "leftLowerMotorTotal": "Lower motor, left",
    "rightMotorTotal": "Motor total, right",
    "leftMotorTotal": "Motor total, left",
    "rightTouchTotal": "Light touch, right",
    "leftTouchTotal": "Light touch, left",
    "rightPrickTotal": "Pin prick, right",
    "leftPrickTotal": "Pin prick, left",
}
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Summary", ("neurologicalLevelOfInjury", "asiaImpairmentScale", "injuryComplete")),
    ("Levels", ("rightSensory", "leftSensory", "rightMotor", "leftMotor")),
    ("Zones of partial preservation",
     ("rightSensoryZpp", "leftSensoryZpp", "rightMotorZpp", "leftMotorZpp")),
    ("Totals", ("upperMotorTotal", "lowerMotorTotal", "touchTotal", "prickTotal")),
    ("Totals per side", ("rightUpperMotorTotal", "leftUpperMotorTotal", "rightLowerMotorTotal",
                         "leftLowerMotorTotal", "rightMotorTotal", "leftMotorTotal",
                         "rightTouchTotal", "leftTouchTotal", "rightPrickTotal", "leftPrickTotal")),
)  # fmt: skip
assert {k for _, keys in GROUPS for k in keys} == set(RESULT_KEYS)


def exam_values(data: Mapping[str, Any]) -> dict[str, str]:
    """The exam keys present in ``data`` (a POST or stored values), stripped."""
    return {k: str(data.get(k) or "").strip() for k in EXAM_KEYS}


def live_context(values: Mapping[str, str]) -> dict[str, Any]:
    """Results, explanation and body map for ``values``; errors and missing cells if not
    classifiable yet."""
    optional = set(NON_KEY_KEYS.values())
    missing = [k for k in EXAM_KEYS if not values.get(k) and k not in optional]
    required_only = {k: v for k, v in values.items() if v}
    context: dict[str, Any] = {
        "regions": bodymap.regions(values),
        "map_width": bodymap.WIDTH,
        "map_height": bodymap.HEIGHT,
        "states": bodymap.STATES,
        "missing": len(missing),
        "first_missing": missing[0] if missing else "",
        "errors": [],
        "groups": [],
        "explain": [],
        "provisional": bool(missing),
    }
    # What the filled cells allow: the empty ones taken as not testable (a provisional result,
    # labelled so; a draft is saved and shown the same way).
    probe = {**required_only, **dict.fromkeys(missing, "NT")}
    try:
        exam = isncsci.parse_exam(probe)
    except isncsci.ExamValidationError as exc:
        context["errors"] = [(e.field, e.message) for e in exc.errors if e.message != "is required"]
        return context
    result, steps = isncsci.explain(exam)
    flat = result.to_flat()
    context["groups"] = [
        (title, [(k, RESULT_LABELS[k], flat[k]) for k in keys]) for title, keys in GROUPS
    ]
    by_result: dict[str, list[str]] = {k: [] for k in RESULT_KEYS}
    for step in steps:
        by_result.setdefault(step.result, []).append(step.text)
    ordered = [k for _, keys in GROUPS for k in keys]
    context["explain"] = [
        (k, RESULT_LABELS[k], flat[k], by_result[k]) for k in ordered if by_result[k]
    ]
    return context
