"""One function per report builds its figures; pages, PDFs and ``cordtrack report`` render them.

``cohort_courses`` selects the cohort (treated patients of the chosen sites, then protocol, cell
type, route, baseline AIS, phase); ``outcomes_report`` and ``safety_report`` compute everything
through ``cordtrack.outcomes``. :mod:`.serialize` turns the results into JSON.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

from cordtrack.clinical.evidence import EVIDENCE_VERSION
from cordtrack.outcomes import (
    AisImprovement,
    ChangeVsExpected,
    CohortRate,
    ImprovementTimes,
    KaplanMeierCurve,
    NaturalHistory,
    ObservedExpected,
    PatientCourse,
    Phase,
    ResponderDefinition,
    ResponseStatus,
    SafetySummary,
    ScoreGain,
    Stratum,
    StratumKey,
    batch,
    describe,
    safety_summary,
    select,
)
from cordtrack.outcomes.errors import UndefinedRateError

from ..accounts.models import Site
from ..consent.scopes import count_by_scope
from ..patients.models import Patient
from ..safety.models import AdverseEvent
from ..therapy.models import Administration
from . import adapters
from .courses import courses_of, treated_people

#: Responder definitions offered by the pages and the CLI: key -> (label, definition).
DEFINITIONS: Final[dict[str, ResponderDefinition]] = {
    "ais1_12m": AisImprovement(grades=1, by_day=365),
    "ais2_12m": AisImprovement(grades=2, by_day=365),
    "ais1_6m": AisImprovement(grades=1, by_day=182, window_days=30),
    "lems10_12m": ScoreGain(measure="LEMS", at_least=10, by_day=365),
    "uems10_12m": ScoreGain(measure="UEMS", at_least=10, by_day=365),
    "scim10_12m": ScoreGain(measure="SCIM III", at_least=10, by_day=365),
}
DEFAULT_DEFINITION: Final = "ais1_12m"
TAG_FILTERS: Final = ("protocol", "cell_type", "route")

#: ``?answers=validated`` (``--answers validated``): questionnaire answers given to the original or
#: a validated translation only; what the report says it left out.
ANSWERS_VALIDATED: Final = "validated"
ANSWERS_NOTE: Final = "questionnaires answered to a working (not validated) translation left out"


@dataclass(frozen=True, slots=True)
class CohortFilters:
    """Which treated patients form the cohort. ``sites`` are site codes (already permitted)."""

    sites: tuple[str, ...]
    protocol: str = ""
    cell_type: str = ""
    route: str = ""
    baseline_ais: str = ""
    phase: str = ""
    #: "validated": leave out questionnaires answered to a working translation (ADR 0044).
    answers: str = ""

    def describe(self) -> str:
        parts = [f"sites {', '.join(self.sites) or 'none'}"]
        for name in (*TAG_FILTERS, "baseline_ais", "phase"):
            value = getattr(self, name)
            if value:
                parts.append(f"{name.replace('_', ' ')} {value}")
        if self.answers == ANSWERS_VALIDATED:
            parts.append(ANSWERS_NOTE)
        return "; ".join(parts)


def definition_for(key: str, at_least: float | None = None) -> ResponderDefinition:
    """A responder definition by key; ``at_least`` replaces a score gain's threshold."""
    chosen = DEFINITIONS[key]
    if isinstance(chosen, ScoreGain) and at_least is not None:
        return ScoreGain(chosen.measure, at_least, chosen.by_day, chosen.window_days)
    return chosen


@dataclass(frozen=True, slots=True)
class Cohort:
    filters: CohortFilters
    courses: tuple[PatientCourse, ...]
    without_baseline: tuple[str, ...]  # treated, selected by site, but no baseline exam
    today: dt.date
    #: of the cohort, patients withdrawn by their widest scope (consent/scopes.py); they stay in
    #: the figures (data collected before a withdrawal is kept: ADR 0045), and are counted here
    withdrawals: dict[str, int] = field(default_factory=dict)


def cohort_courses(filters: CohortFilters, today: dt.date | None = None) -> Cohort:
    day = today or dt.date.today()
    # Patients randomised in a randomised protocol are analysed by arm (reports/arms.py), never
    # pooled into an uncontrolled cohort (which would also reveal who was given cells).
    patients = Patient.objects.filter(site__code__in=filters.sites, randomisations__isnull=True)
    people = treated_people(patients)
    courses, without = courses_of(
        people, day, validated_answers_only=filters.answers == ANSWERS_VALIDATED
    )
    tags = {name: getattr(filters, name) for name in TAG_FILTERS if getattr(filters, name)}
    chosen = select(
        courses,
        baseline_ais=filters.baseline_ais or None,
        phase=Phase(filters.phase) if filters.phase else None,
        **tags,
    )
    # By primary key: a list of thousands of study ids in SQL took seconds (ADR 0055); the keys
    # are those the courses were read by (not the site's patients read again, ADR 0058).
    pk_of = {p["study_id"]: p["pk"] for p in people}
    withdrawals = count_by_scope([pk_of[c.patient_id] for c in chosen])
    return Cohort(filters, tuple(chosen), tuple(without), day, withdrawals)


@dataclass(frozen=True, slots=True)
class OutcomesReport:
    cohort: Cohort
    definition: ResponderDefinition
    rate: CohortRate
    sentence: str  # the rate with its definition, from outcomes.describe
    reference: NaturalHistory
    strata: dict[StratumKey, tuple[Stratum, ...]]
    times: ImprovementTimes
    curve: KaplanMeierCurve | None
    controlled: bool = False
    notes: tuple[str, ...] = field(default=())
    #: observed versus expected responders (None for a score-gain definition)
    observed_expected: ObservedExpected | None = None
    #: per stratum, in the order of ``strata``
    strata_observed_expected: dict[StratumKey, tuple[ObservedExpected | None, ...]] = field(
        default_factory=dict
    )
    #: observed minus expected mean UEMS, LEMS and total motor change at the definition's time
    motor: tuple[ChangeVsExpected, ...] = ()
    evidence_version: str = EVIDENCE_VERSION
    #: each member's status under the definition, in the order of ``cohort.courses``
    statuses: tuple[ResponseStatus, ...] = ()


def outcomes_report(cohort: Cohort, definition: ResponderDefinition) -> OutcomesReport:
    """Every figure of the cohort report (the registry has no concurrent control arm), computed
    by the column engine (``outcomes.batch``, proven equal to ``outcomes.summary``; ADR 0055)."""
    courses = list(cohort.courses)
    found = batch.summarise(courses, definition)
    notes = [
        "This cohort has no concurrent control group: every result is uncontrolled and cannot "
        "separate a treatment effect from spontaneous recovery. Patients randomised in a "
        "randomised protocol are not in it: choose that protocol to compare its arms.",
        "Days are counted from the baseline exam (the last ISNCSCI exam on or before the first "
        "administration).",
    ]
    if cohort.without_baseline:
        notes.append(
            f"{len(cohort.without_baseline)} treated patient(s) of the selected sites have no "
            "classified baseline exam and are not in the cohort: "
            + ", ".join(cohort.without_baseline)
        )
    return OutcomesReport(
        cohort, definition, found.rate, describe(found.rate), found.reference, found.strata,
        found.times, found.curve, False, tuple(notes), found.observed_expected,
        found.strata_observed_expected, found.motor, EVIDENCE_VERSION, found.statuses,
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class SafetyReport:
    sites: tuple[str, ...]
    summary: SafetySummary | None  # None when no patient was treated
    untreated_events: int  # adverse events of patients never treated, not in the rates
    baseline_events: int  # pre-treatment (baseline) events of treated patients, not in the rates
    today: dt.date


def safety_report(sites: Sequence[str], today: dt.date | None = None) -> SafetyReport:
    """Adverse events of treated patients of ``sites``, per patient and per administration."""
    administrations = list(Administration.objects.filter(patient__site__code__in=sites))
    treated = {a.patient_id for a in administrations}
    patients = Patient.objects.filter(pk__in=treated)
    events = list(
        AdverseEvent.objects.filter(patient__site__code__in=sites).select_related("patient")
    )
    # Treatment-emergent events only: a baseline event began before treatment.
    records = [
        adapters.adverse_event_record(e)
        for e in events
        if e.patient_id in treated and not e.baseline
    ]
    try:
        summary = safety_summary(
            records,
            [p.study_id for p in patients],
            adapters.administration_ids(administrations),
        )
    except UndefinedRateError:
        summary = None
    untreated = sum(1 for e in events if e.patient_id not in treated)
    baseline = sum(1 for e in events if e.patient_id in treated and e.baseline)
    return SafetyReport(tuple(sites), summary, untreated, baseline, today or dt.date.today())


def known_sites() -> dict[str, str]:
    return dict(Site.objects.order_by("code").values_list("code", "name"))
