"""Adverse-event rules: CTCAE v5 grades, ICH E2A seriousness, relatedness, expectedness, SUSARs.

Severity (CTCAE grade) and seriousness (ICH E2A criteria) are stored separately: "severe" is an
intensity, "serious" an outcome that drives reporting (clinical-evidence.md §6.2 and §9 T7).

Sources
-------
* CTCAE v5.0 general grade definitions: clinical-evidence.md §6.1 (NCI, November 2017).
* Seriousness criteria: clinical-evidence.md §6.2 (ICH E2A).
* Grade 5 implies the seriousness criterion "death": CTCAE grade 5 is death related to the AE
  (§6.1) and death is an ICH E2A criterion (§6.2).
* SUSAR timelines, 7 calendar days for fatal or life-threatening and 15 for other serious
  unexpected suspected reactions, from first knowledge (awareness): ICH E2A (1994), section
  III.A.1 and III.B "Reporting time frames"; 21 CFR 312.32(c)(1) (IND safety report "no later
  than 15 calendar days") and 312.32(c)(2) (unexpected fatal or life-threatening suspected
  adverse reaction: "no later than 7 calendar days"); EU Clinical Trials Regulation 536/2014
  Art. 42(2)(a) (7 days) and (b) (15 days). Not in clinical-evidence.md (given in the brief).
* Every serious adverse event is reported by the investigator to the sponsor immediately: EU
  Regulation 536/2014 Art. 41(4) ("without undue delay but not later than 24 hours"), ICH E6(R2)
  4.11.1, 21 CFR 312.64(b) ("immediately"). With dates, not times, this is the next calendar day
  after awareness (:data:`SAE_SPONSOR_DAYS`).
* Which relatedness categories count as "suspected" (a reasonable possibility of a causal
  relationship) is a convention, not a figure from the evidence sheet: by default possible,
  probable and definite. Protocols may pass their own set.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import IntEnum, StrEnum
from functools import cache
from importlib import resources
from typing import Final, TypeVar

from .errors import ItemError, SafetyValidationError, show_value
from .numbers import whole_number

__all__ = [
    "CTCAE_VERSION",
    "DEFAULT_SUSPECTED",
    "SAE_SPONSOR_DAYS",
    "SAE_SPONSOR_SOURCE",
    "SUSAR_DAYS_FATAL_OR_LIFE_THREATENING",
    "SUSAR_DAYS_OTHER",
    "SUSAR_TIMELINE_SOURCE",
    "AdverseEventAssessment",
    "ClockState",
    "CtcaeGrade",
    "CtcaeTerm",
    "Expectedness",
    "Relatedness",
    "ReportingDeadline",
    "SeriousnessCriterion",
    "assess",
    "clock_state",
    "ctcae_grade",
    "ctcae_terms",
    "ctcae_terms_source",
    "implied_criteria",
    "is_serious",
    "is_susar",
    "missing_implied_criteria",
    "reporting_deadline",
    "susar_reporting_deadline",
]

CTCAE_VERSION: Final = "5.0"

_E = TypeVar("_E", bound=StrEnum)


class CtcaeGrade(IntEnum):
    """CTCAE v5.0 general grade (clinical-evidence.md §6.1)."""

    MILD = 1
    MODERATE = 2
    SEVERE = 3
    LIFE_THREATENING = 4
    DEATH = 5

    @property
    def label(self) -> str:
        return self.name.replace("_", "-").capitalize()

    @property
    def description(self) -> str:
        return _GRADE_DESCRIPTIONS[self]


# clinical-evidence.md §6.1 table (https://vial.com/glossary/adverse-event-grading/).
_GRADE_DESCRIPTIONS: Final = {
    CtcaeGrade.MILD: (
        "Asymptomatic or mild symptoms; clinical or diagnostic observation only; no intervention"
    ),
    CtcaeGrade.MODERATE: (
        "Minimal, local or non-invasive intervention; limits age-appropriate instrumental ADL"
    ),
    CtcaeGrade.SEVERE: (
        "Severe or medically significant but not immediately life-threatening; hospitalisation "
        "or prolonged hospitalisation; disabling; limits self-care ADL"
    ),
    CtcaeGrade.LIFE_THREATENING: "Life-threatening; urgent intervention indicated",
    CtcaeGrade.DEATH: "Death related to the AE",
}


class SeriousnessCriterion(StrEnum):
    """ICH E2A seriousness criteria (clinical-evidence.md §6.2)."""

    DEATH = "death"
    LIFE_THREATENING = "life_threatening"
    HOSPITALISATION = "hospitalisation"
    DISABILITY = "disability"
    CONGENITAL_ANOMALY = "congenital_anomaly"
    IMPORTANT_MEDICAL_EVENT = "important_medical_event"

    @property
    def description(self) -> str:
        return _CRITERION_DESCRIPTIONS[self]


_CRITERION_DESCRIPTIONS: Final = {
    SeriousnessCriterion.DEATH: "Results in death",
    SeriousnessCriterion.LIFE_THREATENING: (
        "Life-threatening: the patient was at risk of death at the time of the event, not that "
        "it might hypothetically have caused death if more severe"
    ),
    SeriousnessCriterion.HOSPITALISATION: (
        "Requires inpatient hospitalisation or prolongs an existing hospitalisation"
    ),
    SeriousnessCriterion.DISABILITY: "Results in persistent or significant disability/incapacity",
    SeriousnessCriterion.CONGENITAL_ANOMALY: "Is a congenital anomaly or birth defect",
    SeriousnessCriterion.IMPORTANT_MEDICAL_EVENT: (
        "Medically important event, classed as serious by medical judgement"
    ),
}


class Relatedness(StrEnum):
    """Investigator's assessment of causal relationship to the investigational product."""

    UNRELATED = "unrelated"
    UNLIKELY = "unlikely"
    POSSIBLE = "possible"
    PROBABLE = "probable"
    DEFINITE = "definite"


class Expectedness(StrEnum):
    """Whether the event is listed in the reference safety information."""

    EXPECTED = "expected"
    UNEXPECTED = "unexpected"


#: Relatedness categories treated as a suspected reaction (a convention; see module docstring).
DEFAULT_SUSPECTED: Final = frozenset(
    {Relatedness.POSSIBLE, Relatedness.PROBABLE, Relatedness.DEFINITE}
)

SUSAR_DAYS_FATAL_OR_LIFE_THREATENING: Final = 7  # ICH E2A §III.B.1; 21 CFR 312.32(c)(2)
SUSAR_DAYS_OTHER: Final = 15  # ICH E2A §III.B.2; 21 CFR 312.32(c)(1)
SUSAR_TIMELINE_SOURCE: Final = (
    "ICH E2A (1994) §III.B 'Reporting time frames'; 21 CFR 312.32(c)(1) and (c)(2); "
    "EU Regulation 536/2014 Art. 42(2) (calendar days from first knowledge)"
)
SAE_SPONSOR_DAYS: Final = 1  # 24 hours, counted in calendar dates: due the next day
SAE_SPONSOR_SOURCE: Final = (
    "EU Regulation 536/2014 Art. 41(4) (not later than 24 hours); ICH E6(R2) 4.11.1; "
    "21 CFR 312.64(b) (immediately)"
)


def _parse_enum(kind: type[_E], key: str, value: object) -> _E | ItemError:
    if isinstance(value, kind):
        return value
    if isinstance(value, str):
        try:
            return kind(value)
        except ValueError:
            pass
    allowed = ", ".join(m.value for m in kind)
    return ItemError(key, value, f"{show_value(value)} is not one of {allowed}")


def _parse_grade(value: object) -> CtcaeGrade | ItemError:
    grade = whole_number(value)
    if grade is not None and 1 <= grade <= 5:
        return CtcaeGrade(grade)
    return ItemError("grade", value, f"{show_value(value)} is not one of 1, 2, 3, 4, 5")


def ctcae_grade(value: object) -> CtcaeGrade:
    """Parse a CTCAE v5 grade (integer 1-5).

    Raises
    ------
    SafetyValidationError
        If ``value`` is not an integer 1-5.
    """
    parsed = _parse_grade(value)
    if isinstance(parsed, ItemError):
        raise SafetyValidationError([parsed])
    return parsed


def implied_criteria(
    grade: CtcaeGrade | int | None, criteria: Iterable[SeriousnessCriterion]
) -> frozenset[SeriousnessCriterion]:
    """The recorded criteria plus those the grade implies: grade 5 implies ``death``."""
    out = frozenset(criteria)
    if grade == CtcaeGrade.DEATH:
        out |= {SeriousnessCriterion.DEATH}
    return out


def missing_implied_criteria(
    grade: CtcaeGrade | int | None, criteria: Iterable[SeriousnessCriterion]
) -> frozenset[SeriousnessCriterion]:
    """Criteria a stored record lacks although its grade implies them (to prompt the user)."""
    given = frozenset(criteria)
    return implied_criteria(grade, given) - given


def is_serious(
    criteria: Iterable[SeriousnessCriterion], grade: CtcaeGrade | int | None = None
) -> bool:
    """True if any ICH E2A criterion applies, counting the ``death`` a grade 5 implies.

    A CTCAE grade of 3 or 4 alone does not make an event serious: severity is not seriousness
    (clinical-evidence.md §6.2).
    """
    return bool(implied_criteria(grade, criteria))


@dataclass(frozen=True, slots=True)
class AdverseEventAssessment:
    """A validated assessment of one adverse event; ``seriousness`` includes implied criteria."""

    grade: CtcaeGrade
    seriousness: frozenset[SeriousnessCriterion]
    relatedness: Relatedness
    expectedness: Expectedness

    @property
    def serious(self) -> bool:
        return is_serious(self.seriousness, self.grade)

    @property
    def fatal_or_life_threatening(self) -> bool:
        return bool(
            self.seriousness & {SeriousnessCriterion.DEATH, SeriousnessCriterion.LIFE_THREATENING}
        )


def assess(
    grade: object, seriousness: Iterable[object], relatedness: object, expectedness: object
) -> AdverseEventAssessment:
    """Validate raw values (e.g. from a form) into an :class:`AdverseEventAssessment`.

    Grade 5 adds the seriousness criterion ``death`` if it was not recorded.

    Raises
    ------
    SafetyValidationError
        Listing every invalid field (``grade``, ``seriousness``, ``relatedness``,
        ``expectedness``).
    """
    g = _parse_grade(grade)
    errors: list[ItemError] = [g] if isinstance(g, ItemError) else []
    criteria: set[SeriousnessCriterion] = set()
    for raw in [seriousness] if isinstance(seriousness, str) else seriousness:
        c = _parse_enum(SeriousnessCriterion, "seriousness", raw)
        if isinstance(c, ItemError):
            errors.append(c)
        else:
            criteria.add(c)
    r = _parse_enum(Relatedness, "relatedness", relatedness)
    e = _parse_enum(Expectedness, "expectedness", expectedness)
    errors.extend(x for x in (r, e) if isinstance(x, ItemError))
    if isinstance(g, ItemError) or isinstance(r, ItemError) or isinstance(e, ItemError) or errors:
        raise SafetyValidationError(errors)
    return AdverseEventAssessment(g, implied_criteria(g, criteria), r, e)


def is_susar(
    event: AdverseEventAssessment, suspected: frozenset[Relatedness] = DEFAULT_SUSPECTED
) -> bool:
    """A suspected unexpected serious adverse reaction: serious, unexpected and suspected."""
    return (
        event.serious
        and event.expectedness is Expectedness.UNEXPECTED
        and event.relatedness in suspected
    )


@dataclass(frozen=True, slots=True)
class ReportingDeadline:
    """When an expedited (SUSAR) report is due, and why."""

    days: int
    due: date
    reason: str
    source: str = SUSAR_TIMELINE_SOURCE


def susar_reporting_deadline(
    event: AdverseEventAssessment,
    first_knowledge: date,
    suspected: frozenset[Relatedness] = DEFAULT_SUSPECTED,
) -> ReportingDeadline | None:
    """The expedited-reporting deadline of a SUSAR, or None if the event is not a SUSAR.

    7 calendar days after first knowledge when fatal or life-threatening, 15 otherwise
    (ICH E2A §III.B; see module docstring).
    """
    if not is_susar(event, suspected):
        return None
    if event.fatal_or_life_threatening:
        days, reason = SUSAR_DAYS_FATAL_OR_LIFE_THREATENING, "fatal or life-threatening SUSAR"
    else:
        days, reason = SUSAR_DAYS_OTHER, "SUSAR, not fatal or life-threatening"
    return ReportingDeadline(days, first_knowledge + timedelta(days=days), reason)


def reporting_deadline(
    event: AdverseEventAssessment,
    first_knowledge: date,
    suspected: frozenset[Relatedness] = DEFAULT_SUSPECTED,
) -> ReportingDeadline | None:
    """The initial report a serious event needs, and when: a SUSAR's expedited report (7 or 15
    days, :func:`susar_reporting_deadline`); any other serious event's report to the sponsor
    (the next calendar day). None for a non-serious event."""
    susar = susar_reporting_deadline(event, first_knowledge, suspected)
    if susar is not None:
        return susar
    if not event.serious:
        return None
    return ReportingDeadline(
        SAE_SPONSOR_DAYS, first_knowledge + timedelta(days=SAE_SPONSOR_DAYS),
        "serious adverse event, report to the sponsor within 24 hours", SAE_SPONSOR_SOURCE,
    )  # fmt: skip


class ClockState(StrEnum):
    """Where an initial report stands against its deadline."""

    DUE = "due"  # not reported, deadline today or later
    OVERDUE = "overdue"  # not reported, deadline passed
    MET = "met"  # reported on or before the deadline
    LATE = "late"  # reported after the deadline

    @property
    def label(self) -> str:
        return {"due": "due", "overdue": "overdue", "met": "met", "late": "reported late"}[self]


def clock_state(deadline: date, reported_on: date | None, today: date) -> ClockState:
    """Due, overdue, met or reported late (all in calendar dates)."""
    if reported_on is not None:
        return ClockState.MET if reported_on <= deadline else ClockState.LATE
    return ClockState.DUE if today <= deadline else ClockState.OVERDUE


@dataclass(frozen=True, slots=True)
class CtcaeTerm:
    term: str
    soc: str  # MedDRA System Organ Class, as CTCAE groups its terms


def ctcae_terms() -> tuple[CtcaeTerm, ...]:
    """The vendored CTCAE v5.0 term list (a cited subset; see :func:`ctcae_terms_source`)."""
    return _ctcae()[1]


def ctcae_terms_source() -> dict[str, str]:
    return _ctcae()[0]


@cache
def _ctcae() -> tuple[dict[str, str], tuple[CtcaeTerm, ...]]:
    data = json.loads(
        resources.files(__package__).joinpath("data/ctcae_v5_terms.json").read_text("utf-8")
    )
    meta = {k: str(data[k]) for k in ("title", "version", "published", "source", "compiled")}
    return meta, tuple(CtcaeTerm(t["term"], t["soc"]) for t in data["terms"])
