"""Where each synthetic patient stands and when things happened to them (no database here).

A :class:`PatientPlan` is drawn from its own random stream (``seed``, site, index), so a patient
is the same whatever the number of patients generated with it. Dates count back from ``today``.

Journeys follow the demo protocol (``intake/protocols.py``: AIS A-C, C4-T12, 14 days to 2 years
after injury, age 18-70) and its visit schedule (day 0, week 1, months 1, 3, 6, 12 after the first
administration). Treated patients of an acute program have their baseline (screening) exam 14-28
days after injury and are treated within two days of it; one in eight is treated later (a
subacute or chronic baseline, for which the guides have no 12-month figure: the reports must count
and name them). The shares of stages, causes, grades and events below are the generator's
choices for a plausible registry, not clinical figures.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Final

from cordtrack.clinical.visits import VisitSchedule, VisitStatus, schedule_visits, visit_status

from ..intake.models import InquiryStatus
from ..intake.protocols import DEMO_SCHEDULE

S = InquiryStatus
__all__ = ["COHORT_MIX", "REGISTRY_MIX", "PatientPlan", "PlannedVisit", "plan_patient"]

#: Stage shares of a registry (the `cordtrack demo --patients` default).
REGISTRY_MIX: Final = (
    (S.NEW, 3), (S.RECORDS_REQUESTED, 3), (S.RECORDS_RECEIVED, 3), (S.UNDER_REVIEW, 4),
    (S.NOT_ELIGIBLE, 12), (S.ELIGIBLE, 2), (S.SCHEDULED, 2), (S.TREATED, 3),
    (S.IN_FOLLOWUP, 30), (S.COMPLETED, 33), (S.WITHDRAWN, 2), (S.LOST, 3),
)  # fmt: skip
#: A treated cohort followed past 12 months (what `make run` loads beside the journey demo).
COHORT_MIX: Final = ((S.COMPLETED, 96), (S.LOST, 4))
TREATED: Final = frozenset({S.TREATED, S.IN_FOLLOWUP, S.COMPLETED, S.LOST})
#: Sensory levels of injury drawn for eligible patients (the protocol takes C4-T12).
LEVELS: Final = ("C4", "C5", "C5", "C6", "C6", "C7", "C8", "T2", "T4", "T6", "T8", "T10", "T11",
                 "T12")  # fmt: skip
CAUSES: Final = ("vehicle", "vehicle", "fall", "fall", "sports", "violence")
NON_TRAUMATIC_CAUSES: Final = ("tumour", "vascular", "degenerative")
ROUTES: Final = (("intrathecal", 70), ("intravenous", 25), ("intralesional", 5))
SCHEDULE: Final = VisitSchedule.from_dict(DEMO_SCHEDULE)
#: The clinical rules' visit status as the Visit model stores it (services/followup.py).
VISIT_STATUS: Final = {
    VisitStatus.DONE_IN_WINDOW: "done", VisitStatus.DONE_OUT_OF_WINDOW: "out_of_window",
    VisitStatus.MISSED: "missed", VisitStatus.SCHEDULED: "scheduled",
}  # fmt: skip


def _weighted(rng: random.Random, choices: tuple[tuple[str, int], ...]) -> str:
    values, weights = zip(*choices, strict=True)
    chosen: str = rng.choices(values, weights)[0]
    return chosen


@dataclass(slots=True)
class PlannedVisit:
    code: str
    label: str
    target_day: int
    target_date: dt.date
    window_open: dt.date
    window_close: dt.date
    status: str = "scheduled"
    done_on: dt.date | None = None


@dataclass(slots=True)
class PatientPlan:
    """Everything about one patient except exam values and outcomes (see ``recovery``)."""

    index: int
    site: str
    stage: str
    rng: random.Random
    year_of_birth: int
    sex: str
    received_on: dt.date
    source: str
    injury_date: dt.date
    etiology: str
    cause: str
    level: str
    grade: str  # the grade the baseline exam is drawn at (the engine decides the recorded one)
    baseline_date: dt.date | None = None  # the last exam before treatment (or the only exam)
    consent_date: dt.date | None = None
    screened_on: dt.date | None = None
    failing_fact: str = ""  # why a not-eligible patient fails (infection, anticoagulation...)
    administered_on: dt.date | None = None
    route: str = ""
    visits: list[PlannedVisit] = field(default_factory=list)
    lost_after: int | None = None  # target day after which a lost patient misses every visit
    comorbidities: list[tuple[str, str]] = field(default_factory=list)

    @property
    def treated(self) -> bool:
        return self.administered_on is not None

    @property
    def days_at_baseline(self) -> int | None:
        return None if self.baseline_date is None else (self.baseline_date - self.injury_date).days


#: Days before today of the first administration, per stage (completed: past the 12-month visit).
_AGO: Final[dict[str, tuple[int, int]]] = {
    S.TREATED: (3, 25), S.IN_FOLLOWUP: (40, 380), S.COMPLETED: (420, 800), S.LOST: (420, 800),
}  # fmt: skip


def _dates(rng: random.Random, stage: str, today: dt.date) -> tuple[dt.date, int, int]:
    """(first administration or "today" anchor, baseline day after injury, treatment delay)."""
    ago = _AGO.get(stage, (0, 0))
    anchor = today - dt.timedelta(days=rng.randint(*ago))
    if rng.random() < 0.88:  # acute program: screening exam 14-28 days after injury
        return anchor, rng.randint(14, 28), rng.randint(0, 2)
    late = rng.randint(45, 300) if rng.random() < 0.6 else rng.randint(380, 700)
    return anchor, late, rng.randint(0, 3)


def _visits(plan: PatientPlan, today: dt.date) -> list[PlannedVisit]:
    assert plan.administered_on is not None
    rng = plan.rng
    labels = {v.code: (v.label, v.target_day) for v in SCHEDULE.visits}
    out = []
    for placed in schedule_visits(SCHEDULE, plan.administered_on):
        label, day = labels[placed.code]
        visit = PlannedVisit(placed.code, label, day, placed.target_date, placed.window_open,
                             placed.window_close)  # fmt: skip
        missed = (plan.lost_after is not None and day > plan.lost_after) or rng.random() < 0.04
        if placed.window_close < today and not missed:
            span = (placed.window_close - placed.window_open).days
            if rng.random() < 0.94:
                done = placed.window_open + dt.timedelta(days=rng.randint(0, span))
            else:
                done = placed.window_close + dt.timedelta(days=rng.randint(1, 10))
            visit.done_on = min(today, max(plan.administered_on, done))
        elif placed.window_open <= today <= placed.window_close and rng.random() < 0.5:
            visit.done_on = placed.window_open + dt.timedelta(
                days=rng.randint(0, (today - placed.window_open).days)
            )
        visit.status = VISIT_STATUS[visit_status(placed, visit.done_on, today)]
        out.append(visit)
    return out


def plan_patient(
    seed: int, site: str, index: int, today: dt.date, mix: tuple[tuple[str, int], ...]
) -> PatientPlan:
    """The plan of patient ``index`` of ``site`` (deterministic for a given seed and day)."""
    rng = random.Random(f"cordtrack-synthetic:{seed}:{site}:{index}")
    stage = _weighted(rng, mix)
    treated = stage in TREATED
    anchor, baseline_day, delay = _dates(rng, stage, today)
    if treated:
        injury = anchor - dt.timedelta(days=baseline_day + delay)
    else:
        injury = today - dt.timedelta(days=rng.randint(20, 700))
        baseline_day = min(rng.randint(14, 40), (today - injury).days)
    traumatic = treated or rng.random() < 0.93
    grade = rng.choice("AAAABBBCCC" if treated else "AAABBCCDD")
    age = rng.randint(19, 69) if treated else rng.randint(16, 84)
    received = injury + dt.timedelta(days=rng.randint(2, max(2, min(10, baseline_day - 2))))
    plan = PatientPlan(
        index, site, stage, rng, injury.year - age, rng.choice("FMMM"), min(received, today),
        rng.choice(("self", "physician", "physician", "other")), injury,
        "traumatic" if traumatic else "non_traumatic",
        rng.choice(CAUSES if traumatic else NON_TRAUMATIC_CAUSES), rng.choice(LEVELS), grade,
    )  # fmt: skip
    if rng.random() < 0.25:
        plan.comorbidities.append(("Hypertension", "I10"))
    if rng.random() < 0.1:
        plan.comorbidities.append(("Type 2 diabetes mellitus", "E11"))
    if stage in (S.NEW, S.RECORDS_REQUESTED):
        return plan
    plan.baseline_date = min(today, injury + dt.timedelta(days=baseline_day))
    if stage == S.RECORDS_RECEIVED:
        return plan
    plan.consent_date = min(plan.baseline_date, plan.received_on + dt.timedelta(days=3))
    if stage in (S.UNDER_REVIEW, S.WITHDRAWN):
        return plan
    plan.screened_on = plan.baseline_date
    if stage == S.NOT_ELIGIBLE:
        plan.failing_fact = rng.choice(("active_infection", "anticoagulation", "malignancy"))
        return plan
    if not treated:
        return plan
    plan.administered_on = plan.baseline_date + dt.timedelta(days=delay)
    plan.route = _weighted(rng, ROUTES)
    if stage == S.LOST:
        plan.lost_after = rng.choice((7, 30, 90, 180))
    plan.visits = _visits(plan, today)
    return plan
