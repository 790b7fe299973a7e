"""Names of levels, sides and value sets of the ISNCSCI 2019 worksheet, defined once.

Everything else in the engine refers to these tuples by index: index 0 of ``RESULT_LEVELS`` is C1,
and dermatome ``SENSORY_LEVELS[i]`` is ``RESULT_LEVELS[i + 1]``.
"""

from __future__ import annotations

from enum import Enum, StrEnum
from typing import Final

#: The 28 key sensory points (dermatomes) examined on each side, rostral to caudal (ISNCSCI 2019,
#: worksheet). S4-5 is examined as one point.
SENSORY_LEVELS: Final = (
    "C2", "C3", "C4", "C5", "C6", "C7", "C8",
    "T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8", "T9", "T10", "T11", "T12",
    "L1", "L2", "L3", "L4", "L5", "S1", "S2", "S3", "S4_5",
)  # fmt: skip

#: Levels a classification can name, rostral to caudal. C1 is the level above the first examined
#: dermatome; S4_5 is never a level (a normal S4-5 makes the side intact, ``INT``).
RESULT_LEVELS: Final = ("C1", *SENSORY_LEVELS[:-1])
INTACT: Final = "INT"
NOT_APPLICABLE: Final = "NA"
NOT_DETERMINABLE: Final = "ND"

#: The 10 key muscles per side (ISNCSCI 2019): elbow flexors C5 to small finger abductors T1,
#: hip flexors L2 to ankle plantar flexors S1.
KEY_MUSCLE_LEVELS: Final = ("C5", "C6", "C7", "C8", "T1", "L2", "L3", "L4", "L5", "S1")
UPPER_KEY_MUSCLES: Final = KEY_MUSCLE_LEVELS[:5]
LOWER_KEY_MUSCLES: Final = KEY_MUSCLE_LEVELS[5:]

#: Index in ``SENSORY_LEVELS`` of each key muscle's segment.
KEY_MUSCLE_SEGMENT: Final = {m: SENSORY_LEVELS.index(m) for m in KEY_MUSCLE_LEVELS}

AIS_GRADES: Final = ("A", "B", "C", "D", "E")
COMPLETENESS: Final = ("C", "I")

MOTOR_NORMAL: Final = 5
SENSORY_NORMAL: Final = 2


class Side(StrEnum):
    """A body side, spelled as in the flat exam keys (``c5RightMotor``)."""

    RIGHT = "Right"
    LEFT = "Left"


class Modality(StrEnum):
    """What a cell of the worksheet records."""

    TOUCH = "Touch"
    PRICK = "Prick"
    MOTOR = "Motor"


class Star(Enum):
    """The 2019 marks for a value impaired by something other than the spinal cord injury.

    ``*`` asks the classifier to consider the value not normal, ``**`` to consider it normal
    (ISNCSCI 2019, "non-SCI condition" notation). Results reached through a starred value carry a
    star so that the reader knows the classification rests on an examiner's judgement.
    """

    NONE = ""
    NOT_NORMAL = "*"
    NORMAL = "**"


class Binary(StrEnum):
    """Voluntary anal contraction (VAC) and deep anal pressure (DAP)."""

    YES = "Yes"
    NO = "No"
    NT = "NT"


def flat_key(level: str, side: Side, modality: Modality) -> str:
    """The flat exam key of one cell: ``flat_key("S4_5", Side.LEFT, Modality.PRICK)`` is
    ``s4_5LeftPrick``."""
    return f"{level.lower()}{side.value}{modality.value}"


VAC_KEY: Final = "analContraction"
DAP_KEY: Final = "analSensation"
NON_KEY_KEYS: Final = {
    Side.RIGHT: "rightLowestNonKeyMuscleWithMotorFunction",
    Side.LEFT: "leftLowestNonKeyMuscleWithMotorFunction",
}

#: The 25 result keys, in the order of the published cases' ``totals`` objects' documentation.
TOTAL_KEYS: Final = (
    "rightUpperMotorTotal", "leftUpperMotorTotal", "rightLowerMotorTotal", "leftLowerMotorTotal",
    "rightTouchTotal", "leftTouchTotal", "rightPrickTotal", "leftPrickTotal",
    "rightMotorTotal", "leftMotorTotal", "upperMotorTotal", "lowerMotorTotal",
    "touchTotal", "prickTotal",
)  # fmt: skip
LEVEL_KEYS: Final = (
    "rightSensory", "leftSensory", "rightMotor", "leftMotor", "neurologicalLevelOfInjury",
)  # fmt: skip
ZPP_KEYS: Final = ("rightSensoryZpp", "leftSensoryZpp", "rightMotorZpp", "leftMotorZpp")
RESULT_KEYS: Final = (*TOTAL_KEYS, *LEVEL_KEYS, *ZPP_KEYS, "asiaImpairmentScale", "injuryComplete")
