"""Clinical rules for the registry: instruments, eligibility, safety, visits, evidence, prognosis.

Pure Python (standard library only) and framework-free: nothing under ``cordtrack.clinical`` may
import Django (a test checks it). Every threshold, range, rate or rule cites its source, taken from
``clinical-evidence.md`` unless marked otherwise; see ``docs/clinical-rules.md``.

Modules
-------
instruments   SCIM III, WISCI II, Modified Ashworth, pain NRS, Penn spasm, NBD, ISCI QoL basic
eligibility   protocols as data and ``evaluate(protocol, candidate)``
protocols     example protocols (chronic cervical MSC, modelled on jRCT2013230003)
safety        CTCAE v5 grades, ICH E2A seriousness, relatedness, expectedness, SUSAR deadlines
visits        visit schedules, window dates and visit status
evidence      natural-recovery benchmarks, MCIDs, AE reference rates
prognosis     van Middendorp 2011 and Hicks walking prediction rules
errors        the exception tree
"""

from __future__ import annotations

from .eligibility import (
    Candidate,
    Criterion,
    CriterionKind,
    Decision,
    Outcome,
    Protocol,
    ScreeningResult,
    evaluate,
)
from .errors import (
    ClinicalError,
    DefinitionError,
    InstrumentValidationError,
    ItemError,
    SafetyValidationError,
)
from .instruments import INSTRUMENTS, Instrument, InstrumentScore, score_instrument
from .prognosis import van_middendorp_probability, van_middendorp_score
from .safety import (
    AdverseEventAssessment,
    CtcaeGrade,
    Expectedness,
    Relatedness,
    SeriousnessCriterion,
    assess,
    is_serious,
    is_susar,
    susar_reporting_deadline,
)
from .visits import ScheduledVisit, VisitSchedule, VisitStatus, schedule_visits, visit_status

__all__ = [
    "INSTRUMENTS",
    "AdverseEventAssessment",
    "Candidate",
    "ClinicalError",
    "Criterion",
    "CriterionKind",
    "CtcaeGrade",
    "Decision",
    "DefinitionError",
    "Expectedness",
    "Instrument",
    "InstrumentScore",
    "InstrumentValidationError",
    "ItemError",
    "Outcome",
    "Protocol",
    "Relatedness",
    "SafetyValidationError",
    "ScheduledVisit",
    "ScreeningResult",
    "SeriousnessCriterion",
    "VisitSchedule",
    "VisitStatus",
    "assess",
    "evaluate",
    "is_serious",
    "is_susar",
    "schedule_visits",
    "score_instrument",
    "susar_reporting_deadline",
    "van_middendorp_probability",
    "van_middendorp_score",
    "visit_status",
]
