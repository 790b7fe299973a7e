"""Penn Spasm Frequency Scale (PSFS).

clinical-evidence.md §4 ("Penn Spasm Frequency Scale"; NINDS CDE, "Exploratory" for SCI): frequency
0-4 and, asked only when frequency is above 0, severity 1-3. The scale defines no combined total, so
``total`` is None and the two parts are reported as subscales.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from ..errors import ItemError
from .base import Instrument, InstrumentScore, Item, check_answers, raise_if

__all__ = ["PENN_SPASM", "score_penn_spasm"]

FREQUENCY: Final = "psfs_frequency"
SEVERITY: Final = "psfs_severity"

PENN_SPASM: Final = Instrument(
    code="psfs",
    name="Penn Spasm Frequency Scale",
    version="frequency 0-4, severity 1-3",
    source="clinical-evidence.md §4 and T6 (NINDS CDE F1765): frequency 0-4; severity 1-3 if >0",
    items=(
        Item(
            key=FREQUENCY,
            label="Spasm frequency",
            allowed=(0, 1, 2, 3, 4),
            subscale="frequency",
            option_labels=(
                (0, "None"),
                (1, "Mild spasms induced by stimulation"),
                (2, "Infrequent full spasms, less than 1 per hour"),
                (3, "More than 1 per hour"),
                (4, "More than 10 per hour"),
            ),
        ),
        Item(
            key=SEVERITY,
            label="Spasm severity",
            allowed=(1, 2, 3),
            subscale="severity",
            required=False,  # required exactly when frequency > 0; checked in score_penn_spasm
            option_labels=((1, "Mild"), (2, "Moderate"), (3, "Severe")),
        ),
    ),
    subscale_ranges=(("frequency", 0, 4), ("severity", 1, 3)),
)


def score_penn_spasm(answers: Mapping[str, object]) -> InstrumentScore:
    """Score a PSFS form: subscales ``frequency`` and, when frequency > 0, ``severity``.

    Raises
    ------
    InstrumentValidationError
        If an item is out of range, severity is missing while frequency > 0, or severity is given
        while frequency is 0 (the evidence sheet: severity is asked only if frequency > 0).
    """
    accepted, errors = check_answers(PENN_SPASM, answers)
    frequency = accepted.get(FREQUENCY)
    if frequency is not None:
        if frequency != 0 and SEVERITY not in accepted and answers.get(SEVERITY) is None:
            errors.append(ItemError(SEVERITY, None, "missing (required when frequency > 0)"))
        severity_flagged = any(e.key == SEVERITY for e in errors)
        if frequency == 0 and answers.get(SEVERITY) is not None and not severity_flagged:
            errors.append(
                ItemError(SEVERITY, answers[SEVERITY], "must be empty when frequency is 0")
            )
    raise_if(errors)
    return InstrumentScore(
        instrument=PENN_SPASM.code,
        version=PENN_SPASM.version,
        answers=accepted,
        total=None,
        subscales={k.removeprefix("psfs_"): int(v) for k, v in accepted.items()},
    )
