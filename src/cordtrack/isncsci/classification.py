"""``classify``: every ISNCSCI 2019 output of one exam, assembled from one module per output."""

from __future__ import annotations

from .asia_impairment_scale import asia_impairment_scale, non_key_muscle_counts
from .completeness import completeness
from .determined import classify_determined
from .exam import Exam
from .explanation import Step, Trace, compact
from .joint_grading import JointGrades, joint_grades, needs_joint_grades
from .motor_level import motor_level
from .neurological_level import neurological_level
from .result import Classification, Possible
from .sensory_level import sensory_level
from .totals import explain_totals, totals
from .types import NOT_APPLICABLE, RESULT_LEVELS
from .zone_of_partial_preservation import motor_zpp, sensory_zpp


def classify(exam: Exam, trace: Trace = None) -> Classification:
    """Classify one exam. Pass a list as ``trace`` to collect the explanation steps.

    Fully determined exams take the direct reading of :mod:`.determined`; the others, and every
    traced classification, take the searches that follow each possible reading.
    """
    if trace is None and exam.determined:
        return classify_determined(exam)
    right_sensory = sensory_level(exam.right, "rightSensory", trace)
    left_sensory = sensory_level(exam.left, "leftSensory", trace)
    right_motor, right_motor_zpp_levels = motor_level(exam.right, exam.vac, "rightMotor", trace)
    left_motor, left_motor_zpp_levels = motor_level(exam.left, exam.vac, "leftMotor", trace)
    nli, nli_for_grading = neurological_level(exam, right_motor, left_motor, trace)
    complete = completeness(exam, trace)
    levels = {
        "rightSensory": right_sensory,
        "leftSensory": left_sensory,
        "rightMotor": right_motor,
        "leftMotor": left_motor,
    }
    ais = asia_impairment_scale(exam, levels, nli_for_grading, complete, trace)
    joint = None
    if needs_joint_grades(exam, ais, nli, right_motor, left_motor):
        joint = joint_grades(exam)
        ais = ais.only(g for g in ais.names if g not in "CD" or (joint.c if g == "C" else joint.d))
    right_nk = non_key_muscle_counts(exam.right, ais)
    left_nk = non_key_muscle_counts(exam.left, ais)
    total_values = totals(exam)
    if trace is not None:
        explain_totals(total_values, trace)
    return Classification(
        right_sensory=right_sensory,
        left_sensory=left_sensory,
        right_motor=right_motor,
        left_motor=left_motor,
        neurological_level=nli,
        right_sensory_zpp=sensory_zpp(exam, exam.right, "rightSensoryZpp", trace),
        left_sensory_zpp=sensory_zpp(exam, exam.left, "leftSensoryZpp", trace),
        right_motor_zpp=_exact_zpp(
            motor_zpp(
                exam,
                exam.right,
                right_motor_zpp_levels,
                right_nk,
                "rightMotorZpp",
                trace,
                non_key_certain=joint is None and ais.names == ("C",),
            ),
            joint,
            0,
            right_nk,
        ),
        left_motor_zpp=_exact_zpp(
            motor_zpp(
                exam,
                exam.left,
                left_motor_zpp_levels,
                left_nk,
                "leftMotorZpp",
                trace,
                non_key_certain=joint is None and ais.names == ("C",),
            ),
            joint,
            1,
            left_nk,
        ),
        ais=ais,
        completeness=complete,
        totals=total_values,
    )


def _exact_zpp(found: Possible, joint: JointGrades | None, side: int, non_key: bool) -> Possible:
    """The motor ZPPs some single reading gives, where the searches may have paired a ZPP with
    the grade of another reading (a lowest non-key muscle and an undetermined grade)."""
    if joint is None or not non_key:
        return found
    levels = {RESULT_LEVELS[i] for i in joint.motor_zpp[side]} | {NOT_APPLICABLE}
    return found.only(v for v in found.names if v in levels)


def explain(exam: Exam) -> tuple[Classification, list[Step]]:
    """Classify and return the ordered steps behind every result, runs of unremarkable segments
    merged into one step each."""
    steps: list[Step] = []
    return classify(exam, steps), compact(steps)
