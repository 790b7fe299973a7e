"""What the worksheet shows beside the grid: results, the steps behind them, the body map."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from django.utils.translation import gettext_lazy as _

from cordtrack import isncsci
from cordtrack.isncsci import EXAM_KEYS, RESULT_KEYS
from cordtrack.isncsci.types import NON_KEY_KEYS

from . import bodymap

#: Result keys with the names a clinician reads on the worksheet's summary box (and a patient,
#: in their language, on their signed exam's page).
RESULT_LABELS: Final = {
    "rightSensory": _("Sensory level, right"),
    "leftSensory": _("Sensory level, left"),
    "rightMotor": _("Motor level, right"),
    "leftMotor": _("Motor level, left"),
    "neurologicalLevelOfInjury": _("Neurological level of injury (NLI)"),
    "injuryComplete": _("Complete (C) or incomplete (I)"),
    "asiaImpairmentScale": _("ASIA Impairment Scale (AIS)"),
    "rightSensoryZpp": _("Sensory ZPP, right"),
    "leftSensoryZpp": _("Sensory ZPP, left"),
    "rightMotorZpp": _("Motor ZPP, right"),
    "leftMotorZpp": _("Motor ZPP, left"),
    "upperMotorTotal": _("Upper extremity motor score (UEMS)"),
    "lowerMotorTotal": _("Lower extremity motor score (LEMS)"),
    "touchTotal": _("Light touch total"),
    "prickTotal": _("Pin prick total"),
    "rightUpperMotorTotal": _("Upper motor, right"),
    "leftUpperMotorTotal": _("Upper motor, left"),
    "rightLowerMotorTotal": _("Lower motor, right"),
    "leftLowerMotorTotal": _("Lower motor, left"),
    "rightMotorTotal": _("Motor total, right"),
    "leftMotorTotal": _("Motor total, left"),
    "rightTouchTotal": _("Light touch, right"),
    "leftTouchTotal": _("Light touch, left"),
    "rightPrickTotal": _("Pin prick, right"),
    "leftPrickTotal": _("Pin prick, left"),
}
GROUPS: Final = (
    (_("Summary"), ("neurologicalLevelOfInjury", "asiaImpairmentScale", "injuryComplete")),
    (_("Levels"), ("rightSensory", "leftSensory", "rightMotor", "leftMotor")),
    (_("Zones of partial preservation"),
     ("rightSensoryZpp", "leftSensoryZpp", "rightMotorZpp", "leftMotorZpp")),
    (_("Totals"), ("upperMotorTotal", "lowerMotorTotal", "touchTotal", "prickTotal")),
    (_("Totals per side"), ("rightUpperMotorTotal", "leftUpperMotorTotal", "rightLowerMotorTotal",
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
