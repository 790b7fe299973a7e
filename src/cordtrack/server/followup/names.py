"""Names of schedule visits and outcome instruments in the reader's language.

A visit's label is protocol data, typed in English when the schedule is written ("Day 0",
"Week 1", "Month 12"; ``intake.protocols.DEMO_SCHEDULE``). The usual shapes of such labels are
translated here, keeping their number; any other label is shown as the protocol has it.
An instrument keeps its published abbreviation ("NRS", "SCIM III": the name clinicians and
papers use in every language), followed by its expansion in the reader's language.

``visit_name`` and ``instrument_name`` are template filters as well (settings: builtins).
"""

from __future__ import annotations

import re
from typing import Any, Final

from django import template
from django.utils.translation import gettext_lazy, pgettext

register = template.Library()

_NUMBERED = re.compile(r"(day|week|month|year)\s*(\d+)", re.IGNORECASE)
_FIXED: Final = {
    "baseline": gettext_lazy("Baseline"),
    "screening": gettext_lazy("Screening"),
}

#: code -> (published abbreviation, expansion)
INSTRUMENT_NAMES: Final = {
    "scim_iii": ("SCIM III", gettext_lazy("Spinal Cord Independence Measure")),
    "wisci_ii": ("WISCI II", gettext_lazy("Walking Index for Spinal Cord Injury")),
    "mas": ("MAS", gettext_lazy("Modified Ashworth Scale, for muscle stiffness")),
    "pain_nrs": ("NRS", gettext_lazy("pain intensity numeric rating scale")),
    "psfs": ("PSFS", gettext_lazy("Penn Spasm Frequency Scale")),
    "nbd": ("NBD", gettext_lazy("Neurogenic Bowel Dysfunction score")),
    "isci_qol_basic": ("ISCI QoL", gettext_lazy("quality of life, international basic data set")),
}


def _numbered(unit: str, n: str) -> str:
    # pgettext: "Day %(n)s" names a visit (day 7 of the schedule), not a count of days.
    texts = {
        "day": pgettext("visit name", "Day %(n)s"),
        "week": pgettext("visit name", "Week %(n)s"),
        "month": pgettext("visit name", "Month %(n)s"),
        "year": pgettext("visit name", "Year %(n)s"),
    }
    return texts[unit] % {"n": n}


@register.filter
def visit_name(visit: Any) -> str:
    """A visit's (or a label's) name in the active language: "Month 3" → "الشهر 3"."""
    label = visit if isinstance(visit, str) else (visit.label or visit.code)
    text = label.strip()
    numbered = _NUMBERED.fullmatch(text)
    if numbered:
        return _numbered(numbered.group(1).lower(), numbered.group(2))
    fixed = _FIXED.get(text.lower())
    return str(fixed) if fixed is not None else label


@register.filter
def instrument_name(code: str) -> str:
    """ "NRS (pain intensity numeric rating scale)", the expansion in the active language; an
    unknown code as it is."""
    if code not in INSTRUMENT_NAMES:
        return code
    abbreviation, expansion = INSTRUMENT_NAMES[code]
    return f"{abbreviation} ({expansion})"
