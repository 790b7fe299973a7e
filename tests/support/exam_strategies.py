"""Hypothesis strategies for ISNCSCI exams: plausible injuries with a share of NT and starred
values, non-key muscles and NT VAC/DAP.

The plausible pattern (injury level per side, zone of partial preservation, absent function below)
comes from a drawn seed; the unusual values are drawn as an explicit list of overrides, so that a
failing example shrinks to the few values that matter.
"""

from __future__ import annotations

import random

from hypothesis import strategies as st

from cordtrack.isncsci.exam import MOTOR_CELLS, SENSORY_CELLS
from cordtrack.isncsci.types import KEY_MUSCLE_LEVELS, RESULT_LEVELS, SENSORY_LEVELS

SENSORY_VALUES = tuple(SENSORY_CELLS)
MOTOR_VALUES = tuple(MOTOR_CELLS)
DETERMINED_SENSORY = ("0", "1", "2")
DETERMINED_MOTOR = ("0", "1", "2", "3", "4", "5")
SENSORY_KEYS = tuple(
    f"{s.lower()}{side}{m}" for side in ("Right", "Left") for s in SENSORY_LEVELS
    for m in ("Touch", "Prick")
)  # fmt: skip
MOTOR_KEYS = tuple(
    f"{m.lower()}{side}Motor" for side in ("Right", "Left") for m in KEY_MUSCLE_LEVELS
)
NON_KEY_LEVELS = RESULT_LEVELS[RESULT_LEVELS.index("C5") :]


def plausible(seed: int) -> dict[str, str]:
    """A plausible determined exam from a seed."""
    rng = random.Random(seed)
    flat: dict[str, str] = {}
    for side in ("Right", "Left"):
        level = rng.randint(0, len(SENSORY_LEVELS))
        zone = rng.randint(0, 5)
        for i, segment in enumerate(SENSORY_LEVELS):
            modalities = ["Touch", "Prick"] + (["Motor"] if segment in KEY_MUSCLE_LEVELS else [])
            for modality in modalities:
                motor = modality == "Motor"
                if i < level:
                    value = "5" if motor else "2"
                elif i < level + zone:
                    value = rng.choice(DETERMINED_MOTOR if motor else DETERMINED_SENSORY)
                else:
                    value = rng.choice(("0", "0", "1"))
                flat[f"{segment.lower()}{side}{modality}"] = value
    flat["analContraction"] = rng.choice(("Yes", "No"))
    flat["analSensation"] = rng.choice(("Yes", "No"))
    return flat


@st.composite
def flat_exams(draw: st.DrawFn, odd: int = 12, determined: bool = False) -> dict[str, str]:
    """A flat exam: a plausible pattern with up to ``odd`` cells replaced by any value of the 2019
    value set (only determined values when ``determined``), maybe non-key muscles and NT VAC/DAP."""
    flat = plausible(draw(st.integers(0, 2**32 - 1)))
    sensory = DETERMINED_SENSORY if determined else SENSORY_VALUES
    motor = DETERMINED_MOTOR if determined else MOTOR_VALUES
    if odd:
        for key, value in draw(
            st.lists(
                st.tuples(st.sampled_from(SENSORY_KEYS), st.sampled_from(sensory)), max_size=odd
            )
        ):
            flat[key] = value
        for key, value in draw(
            st.lists(
                st.tuples(st.sampled_from(MOTOR_KEYS), st.sampled_from(motor)), max_size=odd // 2
            )
        ):
            flat[key] = value
    for side in ("right", "left"):
        non_key = draw(st.none() | st.sampled_from(NON_KEY_LEVELS))
        if non_key is not None:
            flat[f"{side}LowestNonKeyMuscleWithMotorFunction"] = non_key
    if not determined:
        for key in ("analContraction", "analSensation"):
            if draw(st.integers(0, 3)) == 0:
                flat[key] = "NT"
    return flat
