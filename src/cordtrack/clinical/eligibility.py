"""Eligibility protocols as data, and screening of a candidate against them.

A :class:`Protocol` is a name, a version and a list of :class:`Criterion` rows; each criterion has
a code, a description, a :class:`CriterionKind` and JSON-ready parameters. Protocols round-trip
through plain dicts (:meth:`Protocol.to_dict`, :meth:`Protocol.from_dict`) so the registry can store
them. :func:`evaluate` gives each criterion's outcome (met, not met, or unknown when data are
missing) and proposes a decision: eligible only if all are met, not eligible if any is not met,
otherwise needs review. The decision is a proposal for a clinician, never an automatic enrolment.

Parameters by kind::

    injury_level_between         {"from": "C1", "to": "C8"}     levels of RESULT_LEVELS, inclusive
    ais_in                       {"grades": ["C", "D"]}         grades of AIS_GRADES
    months_since_injury_between  {"min": 6, "max": null}        completed calendar months, inclusive
    days_since_injury_between    {"min": 181, "max": null}      days, inclusive
    age_between                  {"min": 20, "max": 70}         completed years, inclusive
    medically_stable             {}
    absent_condition             {"condition": "active_infection"}
    no_medication_class          {"class": "anticoagulant"}     a class of ``medications.classes()``

A medication class fails its criterion when a current medication belongs to it, and the reason
names the medication (``medications`` has the classes, by WHO ATC code). The legacy conditions
``anticoagulation`` and ``immunosuppression`` are judged the same way when the candidate's
medications are known.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Final

from ..isncsci.types import AIS_GRADES, INTACT, RESULT_LEVELS
from . import medications as meds
from .errors import DefinitionError, ItemError
from .numbers import real_number

__all__ = [
    "KNOWN_CONDITIONS",
    "Candidate",
    "Criterion",
    "CriterionKind",
    "CriterionResult",
    "Decision",
    "Outcome",
    "Protocol",
    "ScreeningResult",
    "completed_months",
    "evaluate",
]


class CriterionKind(StrEnum):
    """What a criterion tests; see the module docstring for each kind's parameters."""

    INJURY_LEVEL_BETWEEN = "injury_level_between"
    AIS_IN = "ais_in"
    MONTHS_SINCE_INJURY_BETWEEN = "months_since_injury_between"
    DAYS_SINCE_INJURY_BETWEEN = "days_since_injury_between"
    AGE_BETWEEN = "age_between"
    MEDICALLY_STABLE = "medically_stable"
    ABSENT_CONDITION = "absent_condition"
    NO_MEDICATION_CLASS = "no_medication_class"


#: Suggested condition codes for ``absent_condition``; protocols may use other snake_case codes.
KNOWN_CONDITIONS: Final = (
    "active_infection",
    "malignancy",
    "pregnancy",
    "anticoagulation",
    "immunosuppression",
)

#: Conditions that are a medication class: judged from the medications when they are known.
CONDITION_CLASSES: Final = {
    "anticoagulation": "anticoagulant",
    "immunosuppression": "immunosuppressant",
}

_RANGE_KINDS: Final = frozenset(
    {
        CriterionKind.MONTHS_SINCE_INJURY_BETWEEN,
        CriterionKind.DAYS_SINCE_INJURY_BETWEEN,
        CriterionKind.AGE_BETWEEN,
    }
)


class Outcome(StrEnum):
    """A criterion's result for one candidate."""

    MET = "met"
    NOT_MET = "not_met"
    UNKNOWN = "unknown"


class Decision(StrEnum):
    """The proposed screening decision, for a clinician to confirm."""

    ELIGIBLE = "eligible"
    NOT_ELIGIBLE = "not_eligible"
    NEEDS_REVIEW = "needs_review"


@dataclass(frozen=True, slots=True)
class Criterion:
    """One inclusion or exclusion rule; ``source`` cites where the rule comes from."""

    code: str
    description: str
    kind: CriterionKind
    params: Mapping[str, object] = field(default_factory=dict)
    source: str = ""

    def problems(self) -> list[ItemError]:
        """Every problem with the parameters for this kind (empty when valid)."""
        where = f"criteria[{self.code}]"
        p = self.params
        errs: list[ItemError] = []
        if not self.code:
            errs.append(ItemError(where, self.code, "code must be non-empty"))
        if self.kind is CriterionKind.INJURY_LEVEL_BETWEEN:
            lo, hi = p.get("from"), p.get("to")
            for k, v in (("from", lo), ("to", hi)):
                if v not in RESULT_LEVELS:
                    errs.append(ItemError(f"{where}.{k}", v, "is not a level of RESULT_LEVELS"))
            if not errs and RESULT_LEVELS.index(str(lo)) > RESULT_LEVELS.index(str(hi)):
                errs.append(ItemError(where, [lo, hi], "'from' is caudal to 'to'"))
        elif self.kind is CriterionKind.AIS_IN:
            grades = p.get("grades")
            if not isinstance(grades, list | tuple) or not grades:
                errs.append(ItemError(f"{where}.grades", grades, "must be a non-empty list"))
            else:
                errs.extend(
                    ItemError(f"{where}.grades", g, "is not an AIS grade")
                    for g in grades
                    if g not in AIS_GRADES
                )
        elif self.kind in _RANGE_KINDS:
            for k in ("min", "max"):
                v = p.get(k)
                if v is not None and real_number(v) is None:
                    errs.append(ItemError(f"{where}.{k}", v, "must be a finite number or null"))
            lo, hi = real_number(p.get("min")), real_number(p.get("max"))
            if p.get("min") is None and p.get("max") is None:
                errs.append(ItemError(where, p, "needs 'min', 'max' or both"))
            elif lo is not None and hi is not None and lo > hi:
                errs.append(ItemError(where, [p["min"], p["max"]], "'min' is greater than 'max'"))
        elif self.kind is CriterionKind.ABSENT_CONDITION:
            cond = p.get("condition")
            if not isinstance(cond, str) or not cond.isidentifier():
                errs.append(ItemError(f"{where}.condition", cond, "must be a snake_case code"))
        elif self.kind is CriterionKind.NO_MEDICATION_CLASS:
            cls = p.get("class")
            if cls not in meds.classes():
                known = ", ".join(meds.classes())
                errs.append(ItemError(f"{where}.class", cls, f"is not one of {known}"))
        return errs

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "description": self.description,
            "kind": self.kind.value,
            "params": {k: list(v) if isinstance(v, tuple) else v for k, v in self.params.items()},
            "source": self.source,
        }


@dataclass(frozen=True, slots=True)
class Protocol:
    """A versioned eligibility protocol. Construction validates every criterion."""

    code: str
    name: str
    version: str
    criteria: tuple[Criterion, ...]
    source: str = ""

    def __post_init__(self) -> None:
        errs = [e for c in self.criteria for e in c.problems()]
        codes = [c.code for c in self.criteria]
        errs.extend(
            ItemError(f"criteria[{c}]", c, "criterion code repeated")
            for i, c in enumerate(codes)
            if c in codes[:i]
        )
        if errs:
            raise DefinitionError(errs)

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "name": self.name,
            "version": self.version,
            "source": self.source,
            "criteria": [c.to_dict() for c in self.criteria],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Protocol:
        """Build a protocol from :meth:`to_dict` output (e.g. parsed JSON).

        Raises
        ------
        DefinitionError
            Listing every problem: missing fields, unknown kinds, bad parameters.
        """
        errs: list[ItemError] = []
        text: dict[str, str] = {}
        for key in ("code", "name", "version"):
            v = data.get(key)
            if isinstance(v, str) and v:
                text[key] = v
            else:
                errs.append(ItemError(key, v, "must be a non-empty string"))
        raw = data.get("criteria")
        if not isinstance(raw, list):
            errs.append(ItemError("criteria", raw, "must be a list"))
            raw = []
        criteria: list[Criterion] = []
        for n, row in enumerate(raw):
            if not isinstance(row, Mapping):
                errs.append(ItemError(f"criteria[{n}]", row, "must be an object"))
                continue
            kind = row.get("kind")
            if kind not in tuple(CriterionKind):
                allowed = ", ".join(k.value for k in CriterionKind)
                errs.append(ItemError(f"criteria[{n}].kind", kind, f"is not one of {allowed}"))
                continue
            params = row.get("params", {})
            criteria.append(
                Criterion(
                    code=str(row.get("code", "")),
                    description=str(row.get("description", "")),
                    kind=CriterionKind(str(kind)),
                    params=dict(params) if isinstance(params, Mapping) else {},
                    source=str(row.get("source", "")),
                )
            )
        errs.extend(e for c in criteria for e in c.problems())
        if errs:
            raise DefinitionError(errs)
        source = data.get("source", "")
        return cls(
            code=text["code"],
            name=text["name"],
            version=text["version"],
            criteria=tuple(criteria),
            source=source if isinstance(source, str) else "",
        )


@dataclass(frozen=True, slots=True)
class Candidate:
    """What is known about a candidate at screening; ``None`` (or an absent key) means unknown.

    ``neurological_level`` and ``ais_grade`` take one value or the set of possible values an
    ISNCSCI classification leaves (a sequence, or the rendered form ``"C5,C6*"``; stars are
    ignored). ``conditions`` maps a condition code to True (present) or False (absent).
    ``medications`` lists the current medications as ``(name, atc_code)`` (the code may be "":
    classified by name); None when they were not reviewed.
    """

    age_years: float | None = None
    neurological_level: str | Sequence[str] | None = None
    ais_grade: str | Sequence[str] | None = None
    injury_date: date | None = None
    screening_date: date | None = None
    medically_stable: bool | None = None
    conditions: Mapping[str, bool] = field(default_factory=dict)
    medications: Sequence[tuple[str, str]] | None = None


@dataclass(frozen=True, slots=True)
class CriterionResult:
    """One criterion's outcome with a short reason (no names or free text about the patient)."""

    code: str
    description: str
    kind: CriterionKind
    outcome: Outcome
    reason: str


@dataclass(frozen=True, slots=True)
class ScreeningResult:
    """Each criterion's outcome and the proposed decision."""

    protocol_code: str
    protocol_version: str
    results: tuple[CriterionResult, ...]
    decision: Decision

    def to_dict(self) -> dict[str, object]:
        return {
            "protocol_code": self.protocol_code,
            "protocol_version": self.protocol_version,
            "decision": self.decision.value,
            "results": [
                {
                    "code": r.code,
                    "description": r.description,
                    "kind": r.kind.value,
                    "outcome": r.outcome.value,
                    "reason": r.reason,
                }
                for r in self.results
            ],
        }


def completed_months(start: date, end: date) -> int:
    """Whole calendar months from ``start`` to ``end`` (Jan 15 -> Jul 14 is 5, -> Jul 15 is 6)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - 1 if end.day < start.day else months


def _possible(value: str | Sequence[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    parts = value.split(",") if isinstance(value, str) else list(value)
    return tuple(p.strip().rstrip("*") for p in parts if p.strip())


def _set_outcome(
    values: tuple[str, ...], inside: list[bool | None], what: str, allowed: str
) -> tuple[Outcome, str]:
    shown = f"{what} {', '.join(values)}" if values else what
    if not inside or None in inside:
        return Outcome.UNKNOWN, f"{shown}: not known or not determinable"
    if all(inside):
        return Outcome.MET, f"{shown}; allowed {allowed}"
    if not any(inside):
        return Outcome.NOT_MET, f"{shown}; allowed {allowed}"
    return Outcome.UNKNOWN, f"{shown}: only some possible values within {allowed}"


def _between(value: float | None, p: Mapping[str, object], what: str) -> tuple[Outcome, str]:
    if value is None:
        return Outcome.UNKNOWN, f"{what} not known"
    lo, hi = real_number(p.get("min")), real_number(p.get("max"))
    ok = (lo is None or value >= lo) and (hi is None or value <= hi)
    bounds = f"{'-inf' if lo is None else f'{lo:g}'} to {'inf' if hi is None else f'{hi:g}'}"
    return (Outcome.MET if ok else Outcome.NOT_MET), f"{what} {value:g}; allowed {bounds}"


def _judge(c: Criterion, cand: Candidate) -> tuple[Outcome, str]:
    p = c.params
    if c.kind is CriterionKind.INJURY_LEVEL_BETWEEN:
        first, last = str(p["from"]), str(p["to"])
        lo, hi = RESULT_LEVELS.index(first), RESULT_LEVELS.index(last)
        levels = _possible(cand.neurological_level)
        inside: list[bool | None] = []
        for lvl in levels:
            if lvl in RESULT_LEVELS:
                inside.append(lo <= RESULT_LEVELS.index(lvl) <= hi)
            else:
                inside.append(False if lvl == INTACT else None)
        return _set_outcome(levels, inside, "neurological level", f"{first} to {last}")
    if c.kind is CriterionKind.AIS_IN:
        grades = p["grades"]
        if not isinstance(grades, list | tuple):  # unreachable: validated at construction
            return Outcome.UNKNOWN, "criterion has no grades"
        found_grades = _possible(cand.ais_grade)
        found = [g in grades if g in AIS_GRADES else None for g in found_grades]
        return _set_outcome(found_grades, found, "AIS grade", ", ".join(map(str, grades)))
    if c.kind in (
        CriterionKind.MONTHS_SINCE_INJURY_BETWEEN,
        CriterionKind.DAYS_SINCE_INJURY_BETWEEN,
    ):
        if cand.injury_date is None or cand.screening_date is None:
            return Outcome.UNKNOWN, "injury date or screening date not known"
        if c.kind is CriterionKind.MONTHS_SINCE_INJURY_BETWEEN:
            months = completed_months(cand.injury_date, cand.screening_date)
            return _between(months, p, "months since injury")
        days = (cand.screening_date - cand.injury_date).days
        return _between(days, p, "days since injury")
    if c.kind is CriterionKind.AGE_BETWEEN:
        return _between(cand.age_years, p, "age (years)")
    if c.kind is CriterionKind.MEDICALLY_STABLE:
        if cand.medically_stable is None:
            return Outcome.UNKNOWN, "medical stability not assessed"
        return (
            (Outcome.MET, "medically stable")
            if cand.medically_stable
            else (Outcome.NOT_MET, "not medically stable")
        )
    if c.kind is CriterionKind.NO_MEDICATION_CLASS:
        return _medication_class(str(p["class"]), cand.medications)
    # ABSENT_CONDITION
    cond = str(p["condition"])
    if cond in CONDITION_CLASSES and cand.medications is not None:
        return _medication_class(CONDITION_CLASSES[cond], cand.medications)
    present = cand.conditions.get(cond)
    if present is None:
        return Outcome.UNKNOWN, f"{cond} not recorded"
    return (Outcome.NOT_MET, f"{cond} present") if present else (Outcome.MET, f"{cond} absent")


def _medication_class(
    class_code: str, current: Sequence[tuple[str, str]] | None
) -> tuple[Outcome, str]:
    """Not met when a current medication is of the class; the reason names each such one."""
    label = meds.classes()[class_code].label.lower()
    if current is None:
        return Outcome.UNKNOWN, "medications not reviewed"
    found = meds.in_class(current, class_code)
    if found:
        named = "; ".join(f"{name} (ATC {code})" for name, code in found)
        return Outcome.NOT_MET, f"{label}: {named}"
    return Outcome.MET, f"no {label} among {len(current)} current medication(s)"


def evaluate(protocol: Protocol, candidate: Candidate) -> ScreeningResult:
    """Screen ``candidate`` against every criterion of ``protocol``.

    The decision is eligible only if every criterion is met, not eligible if any is not met, and
    needs review otherwise (some unknown, none failed).
    """
    results = []
    for c in protocol.criteria:
        outcome, reason = _judge(c, candidate)
        results.append(CriterionResult(c.code, c.description, c.kind, outcome, reason))
    outcomes = {r.outcome for r in results}
    if Outcome.NOT_MET in outcomes:
        decision = Decision.NOT_ELIGIBLE
    elif Outcome.UNKNOWN in outcomes:
        decision = Decision.NEEDS_REVIEW
    else:
        decision = Decision.ELIGIBLE
    return ScreeningResult(protocol.code, protocol.version, tuple(results), decision)
