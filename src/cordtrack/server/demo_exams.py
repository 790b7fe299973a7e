"""Synthetic ISNCSCI exams that follow a plausible recovery course (demo data only).

An exam is drawn from an injury level, a severity on the AIS scale (A=0 ... E=4, fractional in
between while a patient converts) and a per-patient random stream. Above the level everything is
normal; below it, sensation and motor grades rise with severity; sacral sparing (S4-5 sensation,
DAP, VAC) follows the AIS definitions (ISNCSCI 2019: B = sensory incomplete, C/D = motor
incomplete with VAC or sparing). The engine classifies the result; nothing here decides a grade.
"""

from __future__ import annotations

import random

from cordtrack.isncsci.types import (
    DAP_KEY,
    KEY_MUSCLE_LEVELS,
    SENSORY_LEVELS,
    VAC_KEY,
    Modality,
    Side,
    flat_key,
)

SEVERITY = {"A": 0.0, "B": 1.0, "C": 2.0, "D": 3.0, "E": 4.0}

#: Chance that a baseline grade improves by one within a year, and typical motor gain — a rough
#: shape of natural recovery (most conversions happen in the first 6 months); demo only.
CONVERSION = {"A": 0.12, "B": 0.35, "C": 0.55, "D": 0.10, "E": 0.0}


def severity_at(baseline: str, converts: bool, months: float) -> float:
    """Severity ``months`` after baseline: conversions complete by ~6 months."""
    gain = (1.0 if converts else 0.35) * min(1.0, months / 6.0)
    return min(4.0, SEVERITY[baseline] + gain)


def make_exam(level: str, severity: float, rng: random.Random) -> dict[str, str]:
    """A flat exam with injury at ``level`` (a sensory level C2..L5) and the given severity."""
    level_index = SENSORY_LEVELS.index(level)
    grade = int(severity)
    within = severity - grade  # progress towards the next grade
    exam: dict[str, str] = {}
    sacral = grade >= 1
    for side in Side:
        for i, dermatome in enumerate(SENSORY_LEVELS):
            below = i > level_index
            for modality in (Modality.TOUCH, Modality.PRICK):
                if not below or grade >= 4:
                    value = 2
                elif dermatome == "S4_5":
                    value = 1 if sacral else 0
                elif grade == 0:
                    value = 1 if i == level_index + 1 and rng.random() < 0.5 else 0
                else:
                    value = min(
                        2, int(rng.random() < 0.3 + 0.2 * grade + 0.2 * within) + (grade >= 3)
                    )
                exam[flat_key(dermatome, side, modality)] = str(value)
        for muscle in KEY_MUSCLE_LEVELS:
            below = SENSORY_LEVELS.index(muscle) > level_index
            if not below or grade >= 4:
                motor = 5
            elif grade <= 1:
                motor = 0
            elif grade == 2:
                motor = min(2, int(rng.random() * 2 + within * 1.5))
            else:
                motor = min(4, 3 + int(rng.random() < within + 0.3))
            exam[flat_key(muscle, side, Modality.MOTOR)] = str(motor)
    exam[DAP_KEY] = "Yes" if sacral else "No"
    exam[VAC_KEY] = "Yes" if grade >= 2 else "No"
    return exam
