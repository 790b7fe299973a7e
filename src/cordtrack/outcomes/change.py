"""Per-patient change from baseline, with undetermined values kept undetermined.

Every change is a range ``[low, high]`` of ``follow-up - baseline`` over every pair of possible
values. An ISNCSCI result may be a set (AIS ``"C,D"``, NLI ``"T4,T5*"``) when the exam had
not-testable values; baseline A and follow-up ``"B,C"`` is an improvement of 1 to 2 grades, reported
as that range and never as a point guess. A total of ``None`` (``ND``) or a missing score gives no
range at all (status ``undetermined`` / ``missing``).

* AIS: grades gained, A=0 … E=4 (ISNCSCI 2019 AIS; stars ignored).
* NLI and motor levels: levels gained = caudal shift, by position in
  ``cordtrack.isncsci.types.RESULT_LEVELS`` (C1 … S3); ``INT`` (intact) counts as the position after
  S3, where S4-5 would be. ``NA`` or ``ND`` make the change undetermined.
* UEMS, LEMS, LT, PP: ISNCSCI totals (0-50, 0-50, 0-112, 0-112; sheet §9 T6).
* SCIM III (0-100), WISCI II (0-20), pain NRS (0-10; a decrease is the improvement).

Meaningful-change thresholds default to ``cordtrack.clinical.evidence.CHANGE_THRESHOLDS`` (sheet §3
and §9 T5, each with its source) and can be replaced per measure. Where the sheet has no confirmed
threshold (UEMS, LEMS, LT, PP; NLI; AIS grade) no flag is raised and the result says so. The +2
level threshold (NNR 2012) is for motor level, so it is applied to the motor levels, not the NLI.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

from cordtrack.clinical.evidence import ChangeThreshold, thresholds_for
from cordtrack.isncsci.result import Classification, Possible
from cordtrack.isncsci.types import AIS_GRADES, INTACT, RESULT_LEVELS

__all__ = [
    "PAIN_PERCENT_DECREASE",
    "Assessment",
    "ChangeRange",
    "ChangeStatus",
    "Measure",
    "MeasureChange",
    "PatientChange",
    "ThresholdCheck",
    "Tri",
    "ais_change",
    "change_from_baseline",
    "default_thresholds",
    "grade_set",
    "level_change",
    "possible_names",
]


class Tri(StrEnum):
    """A yes/no answer that the data may leave open."""

    YES = "yes"
    NO = "no"
    UNDETERMINED = "undetermined"


class Measure(StrEnum):
    AIS = "AIS"
    NLI = "NLI"
    MOTOR_LEVEL_RIGHT = "motor level (right)"
    MOTOR_LEVEL_LEFT = "motor level (left)"
    UEMS = "UEMS"
    LEMS = "LEMS"
    LT = "LT"
    PP = "PP"
    SCIM_III = "SCIM III"
    WISCI_II = "WISCI II"
    PAIN_NRS = "pain NRS"


#: Measures whose improvement is a decrease.
_LOWER_IS_BETTER: Final = frozenset({Measure.PAIN_NRS})

#: Evidence keys (``clinical.evidence.CHANGE_THRESHOLDS``) of each measure's thresholds.
_EVIDENCE_KEYS: Final[Mapping[Measure, tuple[str, ...]]] = {
    Measure.MOTOR_LEVEL_RIGHT: ("motor_level",),
    Measure.MOTOR_LEVEL_LEFT: ("motor_level",),
    Measure.UEMS: ("uems_lems_tms_lt_pp",),
    Measure.LEMS: ("uems_lems_tms_lt_pp",),
    Measure.LT: ("uems_lems_tms_lt_pp",),
    Measure.PP: ("uems_lems_tms_lt_pp",),
    Measure.SCIM_III: ("scim_iii_total",),
    Measure.WISCI_II: ("wisci_ii", "wisci_ii_acute"),
    Measure.PAIN_NRS: ("pain_nrs",),
}

_NO_THRESHOLD_NOTES: Final[Mapping[Measure, str]] = {
    Measure.AIS: (
        "the evidence sheet gives no MCID for AIS grade; the grade change is reported as is"
    ),
    Measure.NLI: "the evidence sheet gives no threshold for NLI; the +2-level threshold "
    "(Neurorehabil Neural Repair 2012) is for motor level and is applied there",
}

#: Hanley MA, Jensen MP, Ehde DM et al. (recalled as Clin J Pain 2006): a pain NRS decrease of about
#: 36% is clinically meaningful in SCI (clinical-evidence.md §3; the evidence data's
#: ``pain_nrs_percent`` row). Checked beside the 1.8-point rule.
(_PAIN_PERCENT,) = thresholds_for("pain_nrs_percent")
assert _PAIN_PERCENT.value is not None
PAIN_PERCENT_DECREASE: Final = _PAIN_PERCENT.value
PAIN_PERCENT_SOURCE: Final = _PAIN_PERCENT.source

_LEVEL_RANK: Final = {**{lv: i for i, lv in enumerate(RESULT_LEVELS)}, INTACT: len(RESULT_LEVELS)}
_GRADE_RANK: Final = {g: i for i, g in enumerate(AIS_GRADES)}

SetValue = Possible | str | Iterable[str] | None


def possible_names(value: SetValue) -> tuple[str, ...]:
    """The possible values, stars stripped: from a ``Possible``, ``"C,D*"`` or an iterable."""
    if value is None:
        return ()
    if isinstance(value, Possible):
        return value.names
    parts = value.split(",") if isinstance(value, str) else list(value)
    return tuple(p.strip().rstrip("*") for p in parts if p.strip())


def grade_set(value: SetValue) -> frozenset[str] | None:
    """The possible AIS grades, or None if any value is not a grade (``ND``, empty, unknown)."""
    names = possible_names(value)
    if not names or any(n not in _GRADE_RANK for n in names):
        return None
    return frozenset(names)


@dataclass(frozen=True, slots=True)
class ChangeRange:
    """``follow-up - baseline`` lies in ``[low, high]``; ``low == high`` when determined."""

    low: float
    high: float

    @property
    def determined(self) -> bool:
        return self.low == self.high

    def at_least(self, amount: float) -> Tri:
        """Whether the change is ``>= amount`` for certain, certainly not, or possibly."""
        if self.low >= amount:
            return Tri.YES
        if self.high < amount:
            return Tri.NO
        return Tri.UNDETERMINED

    def at_most(self, amount: float) -> Tri:
        """Whether the change is ``<= amount`` for certain, certainly not, or possibly."""
        if self.high <= amount:
            return Tri.YES
        if self.low > amount:
            return Tri.NO
        return Tri.UNDETERMINED

    def render(self) -> str:
        """``"+1"`` when determined, ``"+1 to +2"`` otherwise."""
        low, high = _signed(self.low), _signed(self.high)
        return low if self.determined else f"{low} to {high}"


def _signed(x: float) -> str:
    return f"+{x:g}" if x > 0 else f"{x:g}"


def _range_of(pairs: Iterable[tuple[float, float]]) -> ChangeRange:
    diffs = [f - b for b, f in pairs]
    return ChangeRange(min(diffs), max(diffs))


def ais_change(baseline: SetValue, follow_up: SetValue) -> ChangeRange | None:
    """Grades gained (``+1`` = one grade better), as a range over every possible pair.

    >>> ais_change("A", "B,C")
    ChangeRange(low=1, high=2)
    """
    base, follow = grade_set(baseline), grade_set(follow_up)
    if base is None or follow is None:
        return None
    return _range_of((_GRADE_RANK[b], _GRADE_RANK[f]) for b in base for f in follow)


def level_change(baseline: SetValue, follow_up: SetValue) -> ChangeRange | None:
    """Levels gained (caudal shift; ``C5`` -> ``C6`` is ``+1``), or None if a value is NA/ND."""
    base, follow = possible_names(baseline), possible_names(follow_up)
    if not base or not follow or any(v not in _LEVEL_RANK for v in (*base, *follow)):
        return None
    return _range_of((_LEVEL_RANK[b], _LEVEL_RANK[f]) for b in base for f in follow)


@dataclass(frozen=True, slots=True)
class Assessment:
    """One assessment's values. Set-valued ISNCSCI results may be ``Possible`` or ``"C,D"``.

    ``None`` means not done or not determinable (``ND``).
    """

    ais: SetValue = None
    nli: SetValue = None
    motor_level_right: SetValue = None
    motor_level_left: SetValue = None
    uems: int | None = None
    lems: int | None = None
    lt: int | None = None
    pp: int | None = None
    scim_iii: int | None = None
    wisci_ii: int | None = None
    pain_nrs: int | None = None

    @classmethod
    def from_classification(
        cls,
        classification: Classification,
        *,
        scim_iii: int | None = None,
        wisci_ii: int | None = None,
        pain_nrs: int | None = None,
    ) -> Assessment:
        """Take AIS, NLI, motor levels and the four totals from an ISNCSCI classification."""
        totals = classification.totals
        return cls(
            ais=classification.ais,
            nli=classification.neurological_level,
            motor_level_right=classification.right_motor,
            motor_level_left=classification.left_motor,
            uems=totals.get("upperMotorTotal"),
            lems=totals.get("lowerMotorTotal"),
            lt=totals.get("touchTotal"),
            pp=totals.get("prickTotal"),
            scim_iii=scim_iii,
            wisci_ii=wisci_ii,
            pain_nrs=pain_nrs,
        )

    def value(self, measure: Measure) -> SetValue | int:
        return {
            Measure.AIS: self.ais,
            Measure.NLI: self.nli,
            Measure.MOTOR_LEVEL_RIGHT: self.motor_level_right,
            Measure.MOTOR_LEVEL_LEFT: self.motor_level_left,
            Measure.UEMS: self.uems,
            Measure.LEMS: self.lems,
            Measure.LT: self.lt,
            Measure.PP: self.pp,
            Measure.SCIM_III: self.scim_iii,
            Measure.WISCI_II: self.wisci_ii,
            Measure.PAIN_NRS: self.pain_nrs,
        }[measure]


class ChangeStatus(StrEnum):
    DETERMINED = "determined"
    RANGE = "range"  # the true change lies in a range because a value is a set
    UNDETERMINED = "undetermined"  # a value is ND / NA / not a grade
    MISSING = "missing"  # a value was not recorded


@dataclass(frozen=True, slots=True)
class ThresholdCheck:
    """Whether a change reached one threshold, in the improving or worsening direction."""

    threshold: ChangeThreshold
    improvement: Tri
    deterioration: Tri
    note: str = ""


@dataclass(frozen=True, slots=True)
class MeasureChange:
    measure: Measure
    baseline: str
    follow_up: str
    change: ChangeRange | None
    status: ChangeStatus
    checks: tuple[ThresholdCheck, ...] = ()
    note: str = ""

    @property
    def meaningful_improvement(self) -> Tri | None:
        """YES if a confirmed threshold is certainly reached, NO if none possibly is, None if
        no confirmed threshold applies (or the change is undetermined)."""
        return _any_tri(c.improvement for c in self.checks if c.threshold.value is not None)

    @property
    def meaningful_deterioration(self) -> Tri | None:
        """As :attr:`meaningful_improvement`, in the worsening direction."""
        return _any_tri(c.deterioration for c in self.checks if c.threshold.value is not None)


def _any_tri(values: Iterable[Tri]) -> Tri | None:
    seen = set(values)
    if not seen:
        return None
    if Tri.YES in seen:
        return Tri.YES
    if Tri.UNDETERMINED in seen:
        return Tri.UNDETERMINED
    return Tri.NO


@dataclass(frozen=True, slots=True)
class PatientChange:
    """Change from baseline of every measure, keyed by :class:`Measure`."""

    measures: dict[Measure, MeasureChange] = field(default_factory=dict)

    def __getitem__(self, measure: Measure) -> MeasureChange:
        return self.measures[measure]


def default_thresholds() -> dict[Measure, tuple[ChangeThreshold, ...]]:
    """The thresholds of each measure from ``clinical.evidence`` (sources in each record)."""
    return {
        m: tuple(t for key in keys for t in thresholds_for(key))
        for m, keys in _EVIDENCE_KEYS.items()
    }


def _check(measure: Measure, change: ChangeRange, t: ChangeThreshold) -> ThresholdCheck:
    if t.value is None:
        return ThresholdCheck(
            t, Tri.UNDETERMINED, Tri.UNDETERMINED, f"no confirmed threshold ({t.method})"
        )
    # Improvement is a gain, except for pain where it is a decrease.
    sign = -1.0 if measure in _LOWER_IS_BETTER else 1.0
    gained = ChangeRange(
        min(sign * change.low, sign * change.high), max(sign * change.low, sign * change.high)
    )
    if t.upper is None:
        return ThresholdCheck(t, gained.at_least(t.value), gained.at_most(-t.value))
    # A range of thresholds (e.g. anchor-based MCID 12-45.3 by lesion group): reached for every
    # group only at the upper end; between the ends it depends on the group.
    note = f"threshold {t.value:g}-{t.upper:g} depends on lesion group ({t.note or t.method})"
    up = _combine(gained.at_least(t.value), gained.at_least(t.upper))
    down = _combine(gained.at_most(-t.value), gained.at_most(-t.upper))
    return ThresholdCheck(t, up, down, note)


def _combine(lower_end: Tri, upper_end: Tri) -> Tri:
    if upper_end is Tri.YES:
        return Tri.YES
    if lower_end is Tri.NO:
        return Tri.NO
    return Tri.UNDETERMINED


def _pain_percent_check(baseline: int, change: ChangeRange) -> ThresholdCheck | None:
    if baseline == 0:
        return None
    t = ChangeThreshold(
        "pain_nrs_percent", PAIN_PERCENT_DECREASE, "% (decrease)",
        "clinically meaningful decrease, about 36%", PAIN_PERCENT_SOURCE,
    )  # fmt: skip
    percent = ChangeRange(100.0 * change.low / baseline, 100.0 * change.high / baseline)
    return ThresholdCheck(t, percent.at_most(-PAIN_PERCENT_DECREASE), Tri.NO)


def _render(value: SetValue | int) -> str:
    if value is None:
        return "ND"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Possible):
        return value.render()
    return value if isinstance(value, str) else ",".join(value)


def _measure_change(
    measure: Measure,
    base: SetValue | int,
    follow: SetValue | int,
    thresholds: Sequence[ChangeThreshold],
) -> MeasureChange:
    shown = (_render(base), _render(follow))
    if base is None or follow is None:
        return MeasureChange(
            measure, *shown, None, ChangeStatus.MISSING, note="value not recorded or ND"
        )
    change: ChangeRange | None
    if isinstance(base, int) and isinstance(follow, int):
        change = ChangeRange(follow - base, follow - base)
    elif isinstance(base, int) or isinstance(follow, int):
        raise TypeError(f"{measure}: baseline and follow-up must be of the same kind")
    elif measure is Measure.AIS:
        change = ais_change(base, follow)
    else:
        change = level_change(base, follow)
    if change is None:
        return MeasureChange(
            measure, *shown, None, ChangeStatus.UNDETERMINED,
            note="a value is not determinable (ND/NA): the change is undetermined",
        )  # fmt: skip
    status = ChangeStatus.DETERMINED if change.determined else ChangeStatus.RANGE
    checks = [_check(measure, change, t) for t in thresholds]
    if measure is Measure.PAIN_NRS and isinstance(base, int):
        extra = _pain_percent_check(base, change)
        checks += [extra] if extra else []
    note = _NO_THRESHOLD_NOTES.get(measure, "")
    if not note and not any(t.value is not None for t in thresholds):
        note = "no confirmed meaningful-change threshold in the evidence sheet; none is applied"
    return MeasureChange(measure, *shown, change, status, tuple(checks), note)


def change_from_baseline(
    baseline: Assessment,
    follow_up: Assessment,
    thresholds: Mapping[Measure, Sequence[ChangeThreshold]] | None = None,
) -> PatientChange:
    """Change of every measure from ``baseline`` to ``follow_up``, with threshold flags.

    ``thresholds`` replaces the defaults (:func:`default_thresholds`) for the measures it names.
    """
    chosen: dict[Measure, Sequence[ChangeThreshold]] = dict(default_thresholds())
    chosen.update(thresholds or {})
    return PatientChange(
        {
            m: _measure_change(m, baseline.value(m), follow_up.value(m), chosen.get(m, ()))
            for m in Measure
        }
    )
