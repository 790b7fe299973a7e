"""The evidence sheet's words on a patient's outcome page, in the reader's language.

Thresholds, their units and methods, and the notes on a change come from ``cordtrack.outcomes``
and ``cordtrack.clinical.evidence`` (pure Python, English, no Django). The phrases those
packages use are listed here so that the catalogs hold them; a phrase not listed (a deployment's
own threshold, ``CORDTRACK_CHANGE_THRESHOLDS``) is shown as written and marked English
(``lang="en"``) by the templates. Citations are never translated.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from django.utils.translation import gettext, gettext_noop

from cordtrack.clinical.evidence import ChangeThreshold

#: Units, methods and notes as the evidence sheet and the change rules write them.
KNOWN: Final = frozenset({
    gettext_noop("points"),
    gettext_noop("levels"),
    gettext_noop("points (decrease)"),
    gettext_noop("% (decrease)"),
    gettext_noop("functionally meaningful gain"),
    gettext_noop("distribution-based, small change"),
    gettext_noop("distribution-based, substantial change"),
    gettext_noop("anchor-based, by lesion group"),
    gettext_noop("change considered a real difference"),
    gettext_noop("real change, acute/subacute (SRD 1.147 tetraplegia, 1.682 paraplegia)"),
    gettext_noop("clinically meaningful decrease"),
    gettext_noop("clinically meaningful decrease, about 36%"),
    gettext_noop(
        "no confirmed threshold (the distribution-based values exist but were not retrieved)"
    ),
    gettext_noop("value not recorded or ND"),
    gettext_noop("a value is not determinable (ND/NA): the change is undetermined"),
    gettext_noop(
        "no confirmed meaningful-change threshold in the evidence sheet; none is applied"
    ),
    gettext_noop(
        "the evidence sheet gives no MCID for AIS grade; the grade change is reported as is"
    ),
    gettext_noop(
        "the evidence sheet gives no threshold for NLI; the +2-level threshold "
        "(Neurorehabil Neural Repair 2012) is for motor level and is applied there"
    ),
})  # fmt: skip


@dataclass(frozen=True, slots=True)
class Phrase:
    """A phrase in the reader's language, or in English (``english``) when not in the catalogs."""

    text: str
    english: bool

    def __str__(self) -> str:
        return self.text


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
