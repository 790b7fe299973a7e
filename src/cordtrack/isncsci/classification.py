"""``classify``: every ISNCSCI 2019 output of one exam, assembled from one module per output."""

from __future__ import annotations

from .asia_impairment_scale import asia_impairment_scale
from .completeness import completeness
from .exam import Exam
from .explanation import Step, Trace
from .motor_level import motor_level
from .neurological_level import neurological_level
from .result import Classification, Possible
from .sensory_level import sensory_level
from .totals import totals
from .types import INTACT, RESULT_LEVELS
from .zone_of_partial_preservation import motor_zpp, sensory_zpp

_LEVEL_INDEX = {level: i for i, level in enumerate(RESULT_LEVELS)}


def _non_key_counts(exam: Exam, motor: Possible, side_non_key: str | None) -> bool:
    """Whether the lowest non-key muscle enters the motor ZPP search of a side: when it lies more
    than three levels below a possible motor level and the injury may be sensory incomplete, i.e.
    when it can decide AIS B against C (ISNCSCI 2019)."""
    if side_non_key is None or side_non_key not in _LEVEL_INDEX:
        return False
    below = _LEVEL_INDEX[side_non_key]
    return any(
        level != INTACT and below > _LEVEL_INDEX[level] + 3 for level, _ in motor.values
    )


def classify(exam: Exam, trace: Trace = None) -> Classification:
    """Classify one exam. Pass a list as ``trace`` to collect the explanation steps."""
    right_sensory = sensory_level(exam.right, "rightSensory", trace)
    left_sensory = sensory_level(exam.left, "leftSensory", trace)
    right_motor, right_motor_zpp_levels = motor_level(exam.right, exam.vac, "rightMotor", trace)
    left_motor, left_motor_zpp_levels = motor_level(exam.left, exam.vac, "leftMotor", trace)
    nli = neurological_level(exam, right_motor, left_motor, trace)
    complete = completeness(exam, trace)
    levels = {
        "rightSensory": right_sensory,
        "leftSensory": left_sensory,
        "rightMotor": right_motor,
        "leftMotor": left_motor,
    }
    ais = asia_impairment_scale(exam, levels, nli, trace)
    sensory_incomplete_possible = any(g != "A" for g in ais.names)
    right_nk = sensory_incomplete_possible and _non_key_counts(
        exam, right_motor, exam.right.lowest_non_key_muscle
    )
    left_nk = sensory_incomplete_possible and _non_key_counts(
        exam, left_motor, exam.left.lowest_non_key_muscle
    )
    return Classification(
        right_sensory=right_sensory,
        left_sensory=left_sensory,
        right_motor=right_motor,
        left_motor=left_motor,
        neurological_level=nli,
        right_sensory_zpp=sensory_zpp(exam, exam.right, "rightSensoryZpp", trace),
        left_sensory_zpp=sensory_zpp(exam, exam.left, "leftSensoryZpp", trace),
        right_motor_zpp=motor_zpp(exam, exam.right, right_motor_zpp_levels, right_nk, "rightMotorZpp", trace),
        left_motor_zpp=motor_zpp(exam, exam.left, left_motor_zpp_levels, left_nk, "leftMotorZpp", trace),
        ais=ais,
        completeness=complete,
        totals=totals(exam),
    )


def explain(exam: Exam) -> tuple[Classification, list[Step]]:
    """Classify and return the ordered steps behind every result."""
    steps: list[Step] = []
    return classify(exam, steps), steps
