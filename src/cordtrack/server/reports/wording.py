"""The evidence sheet's words on a patient's outcome page, in the reader's language.

Thresholds, their units and methods, and the notes on a change come from ``cordtrack.outcomes``
and ``cordtrack.clinical.evidence`` (pure Python, English, no Django). The phrases those
packages use are listed in ``evidence_phrases`` so that the catalogs hold them; a phrase not
listed (a deployment's own threshold, ``CORDTRACK_CHANGE_THRESHOLDS``) is shown as written and
marked English (``lang="en"``) by the templates. Citations are never translated.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from django.utils.translation import gettext

from cordtrack.clinical.evidence import ChangeThreshold

from ..evidence_phrases import THRESHOLD_WORDS
from ..evidence_words import Worded

#: Units, methods and notes as the evidence sheet and the change rules write them (listed
#: with the other phrases of the evidence data, in ``evidence_phrases``).
KNOWN: Final = frozenset(THRESHOLD_WORDS)


#: A phrase in the reader's language, or in English when not in the catalogs (the template
#: marks it ``lang="en"``).
Phrase = Worded


def phrase(text: str) -> Phrase:
    if text in KNOWN:
        return Phrase(gettext(text), False)
    return Phrase(text, True)


@dataclass(frozen=True, slots=True)
class ThresholdText:
    """One threshold as the outcome page shows it: value and unit, method, cited source."""

    value: str
    unit: Phrase
    method: Phrase
    source: str

    def __str__(self) -> str:
        return f"{self.value} {self.unit}, {self.method} — {self.source}"


def threshold_text(t: ChangeThreshold) -> ThresholdText:
    value = "" if t.value is None else (
        f"{t.value:g}" if t.upper is None else f"{t.value:g}–{t.upper:g}")  # fmt: skip
    return ThresholdText(value, phrase(t.unit), phrase(t.method), t.source)
