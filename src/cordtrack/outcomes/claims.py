"""The claim check: a stated percentage beside the registry's measured rate and natural history.

:func:`parse_claim` extracts the percentage from text such as "70% of patients improve" or
"success rates near 60-70%" (a range may use "-", "–", "—" or "to"; "percent" is accepted).

:func:`check_claim` places the claimed value against the 95% Wilson interval of the measured rate
(headline = worst case, lost to follow-up counted as non-responders; see :mod:`.cohort`):

* ``inside``: the whole claimed range lies within the interval;
* ``above`` / ``below``: the whole claimed range lies above / below it;
* ``partly inside``: a claimed range straddles an end of the interval;
* ``no data``: no patient was due for assessment.

It also places the claim against the natural-history references for comparable patients
(:mod:`.comparator`), gives the registry's observed responders against those expected from
natural history for the same patients (O/E, :mod:`.expected`) and carries the "uncontrolled"
label. The verdict is descriptive: it states
positions and figures, never a judgement of the clinic or a promise to the patient.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from .cohort import CohortRate, PatientCourse, ResponderDefinition, cohort_rate, describe
from .cohort import reference_for as _reference_for
from .comparator import NaturalHistory
from .errors import ClaimParseError
from .expected import ObservedExpected, observed_vs_expected

__all__ = [
    "ClaimPosition",
    "ClaimVerdict",
    "ParsedClaim",
    "check_claim",
    "check_claim_for_cohort",
    "parse_claim",
]

_NUMBER: Final = r"(\d{1,3}(?:[.,]\d+)?)"
_PERCENT: Final = r"\s*(?:%|per\s*cent\b|percent\b)"
_RANGE: Final = re.compile(
    _NUMBER + rf"(?:{_PERCENT})?\s*(?:-|–|—|to)\s*" + _NUMBER + _PERCENT, re.I
)
_SINGLE: Final = re.compile(_NUMBER + _PERCENT, re.I)


@dataclass(frozen=True, slots=True)
class ParsedClaim:
    """The claim's text and its percentage (``low == high`` for a single value), 0-100."""

    text: str
    low: float
    high: float

    def render(self) -> str:
        return f"{self.low:g}%" if self.low == self.high else f"{self.low:g}%–{self.high:g}%"


def _number(text: str) -> float:
    value = float(text.replace(",", "."))
    if not 0.0 <= value <= 100.0:
        raise ClaimParseError(f"{value:g}% is not a percentage between 0 and 100")
    return value


def parse_claim(text: str) -> ParsedClaim:
    """The percentage (or range) stated in ``text``.

    Raises
    ------
    ClaimParseError
        If the text states no percentage, several different ones, or one above 100.
    """
    ranges = {(_number(a), _number(b)) for a, b in _RANGE.findall(text)}
    rest = _RANGE.sub(" ", text)
    singles = {(v, v) for v in (_number(a) for a in _SINGLE.findall(rest))}
    found = ranges | singles
    if not found:
        raise ClaimParseError(f"no percentage found in the claim {text!r}")
    if len(found) > 1:
        raise ClaimParseError(f"the claim {text!r} states several percentages; check one at a time")
    ((a, b),) = found
    return ParsedClaim(text, min(a, b), max(a, b))


class ClaimPosition(StrEnum):
    INSIDE = "inside"
    ABOVE = "above"
    BELOW = "below"
    PARTLY_INSIDE = "partly inside"
    NO_DATA = "no data"


def _position(low: float, high: float, bounds: tuple[float, float] | None) -> ClaimPosition:
    if bounds is None:
        return ClaimPosition.NO_DATA
    lo, hi = bounds
    if low > hi:
        return ClaimPosition.ABOVE
    if high < lo:
        return ClaimPosition.BELOW
    return ClaimPosition.INSIDE if lo <= low and high <= hi else ClaimPosition.PARTLY_INSIDE


@dataclass(frozen=True, slots=True)
class ClaimVerdict:
    claim: ParsedClaim
    measured: CohortRate
    #: the claimed value against the measured 95% interval
    position: ClaimPosition
    reference: NaturalHistory
    #: the claimed value against the range of natural-history figures (NO_DATA if not comparable)
    reference_position: ClaimPosition
    summary: str
    #: observed versus expected responders in the same patients (None: no AIS definition)
    observed_expected: ObservedExpected | None = None

    @property
    def design_label(self) -> str:
        return self.measured.design_label


_PHRASES: Final = {
    ClaimPosition.INSIDE: "lies inside the 95% interval of the measured rate",
    ClaimPosition.ABOVE: "is above the 95% interval of the measured rate",
    ClaimPosition.BELOW: "is below the 95% interval of the measured rate",
    ClaimPosition.PARTLY_INSIDE: "overlaps one end of the 95% interval of the measured rate",
    ClaimPosition.NO_DATA: "cannot be compared: no patient was due for assessment",
}
_REFERENCE_PHRASES: Final = {
    ClaimPosition.INSIDE: "within the range of these figures",
    ClaimPosition.ABOVE: "above every one of these figures",
    ClaimPosition.BELOW: "below every one of these figures",
    ClaimPosition.PARTLY_INSIDE: "overlapping the range of these figures",
}


def _oe_sentence(oe: ObservedExpected) -> str:
    named = f"; {len(oe.without_reference)} patient(s) without a reference are not in it"
    tail = named if oe.without_reference else ""
    if oe.ratio is None or oe.interval is None:
        return f"Observed versus expected: no patient with a natural-history reference{tail}."
    low, high = oe.interval
    return (
        f"Observed versus expected in the same patients: {oe.observed} responders where natural "
        f"recovery predicts {oe.expected:.1f} (O/E {oe.ratio:.2f}, 95% CI {low:.2f}–{high:.2f})"
        f"{tail}."
    )


def check_claim(
    claim: str | ParsedClaim,
    measured: CohortRate,
    reference: NaturalHistory,
    observed_expected: ObservedExpected | None = None,
) -> ClaimVerdict:
    """The structured verdict for ``claim`` against a measured rate and its natural history."""
    parsed = parse_claim(claim) if isinstance(claim, str) else claim
    interval = measured.rate
    bounds = None if interval is None else (interval.low * 100.0, interval.high * 100.0)
    position = _position(parsed.low, parsed.high, bounds)
    percent_refs = [r.value for r in reference.references if r.unit == "%"]
    ref_bounds = (min(percent_refs), max(percent_refs)) if percent_refs else None
    ref_position = _position(parsed.low, parsed.high, ref_bounds)
    parts = [
        f'Claim: "{parsed.text}" ({parsed.render()}).',
        f"Measured in the registry: {describe(measured)}.",
        f"The claimed value {_PHRASES[position]}.",
    ]
    if ref_bounds is not None:
        lo, hi = ref_bounds
        shown = f"{lo:g}%" if lo == hi else f"{lo:g}%–{hi:g}%"
        parts.append(
            f"Natural history for comparable patients ({reference.outcome.value}): {shown} across "
            f"{len(percent_refs)} cited figure(s); the claimed value is "
            f"{_REFERENCE_PHRASES[ref_position]}."
        )
    elif not reference.comparable:
        parts.append(f"No natural-history comparison: {reference.reason}.")
    else:
        parts.append("The natural-history figures for this outcome are mean changes, not rates.")
    if observed_expected is not None:
        parts.append(_oe_sentence(observed_expected))
    if not measured.controlled:
        parts.append(
            "Without a concurrent control group, the measured rate cannot separate an effect of "
            "treatment from spontaneous recovery."
        )
    return ClaimVerdict(
        parsed, measured, position, reference, ref_position, " ".join(parts), observed_expected
    )


def check_claim_for_cohort(
    claim: str | ParsedClaim,
    courses: Iterable[PatientCourse],
    definition: ResponderDefinition,
    control: Iterable[PatientCourse] | None = None,
) -> ClaimVerdict:
    """Measure ``courses`` under ``definition`` (and ``control``), then :func:`check_claim`."""
    chosen = list(courses)
    measured = cohort_rate(chosen, definition, control)
    oe = observed_vs_expected(chosen, definition)
    return check_claim(claim, measured, _reference_for(chosen, definition), oe)
