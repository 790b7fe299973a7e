"""Honest outcome statistics for the registry (pure Python; never imports Django).

Modules
-------
intervals     Wilson and exact Clopper-Pearson intervals, and their rendering in plain words
change        per-patient change from baseline (AIS, NLI, motor levels, totals, SCIM III, WISCI II,
              pain) with undetermined values kept undetermined, and meaningful-change flags
groups        level groups and phases after injury (stratification keys)
references    the cited natural-history tables read as reference rows
comparator    the natural-recovery comparator and the van Middendorp applicability check
cohort        responder definitions, cohort rates with lost-to-follow-up bounds, strata
survival      Kaplan-Meier time to first AIS improvement with Greenwood intervals
safety_rates  adverse-event rates with exact intervals, grade x relatedness counts, SAE list
claims        the claim check
errors        the exception tree

Every clinical figure comes from ``cordtrack.clinical.evidence`` with its source; see
``docs/outcomes.md``.
"""

from __future__ import annotations

from .change import (
    Assessment,
    ChangeRange,
    ChangeStatus,
    Measure,
    MeasureChange,
    PatientChange,
    ThresholdCheck,
    Tri,
    ais_change,
    change_from_baseline,
    default_thresholds,
    level_change,
)
from .claims import (
    ClaimPosition,
    ClaimVerdict,
    ParsedClaim,
    check_claim,
    check_claim_for_cohort,
    parse_claim,
)
from .cohort import (
    UNCONTROLLED,
    AisImprovement,
    CohortRate,
    FollowUp,
    PatientCourse,
    ResponderDefinition,
    ResponseStatus,
    ScoreGain,
    Stratum,
    StratumKey,
    cohort_rate,
    describe,
    reference_for,
    select,
    stratify,
)
from .comparator import (
    ComparatorProfile,
    NaturalHistory,
    WalkingPrognosis,
    natural_history,
    walking_prognosis,
)
from .errors import ClaimParseError, OutcomesError, UndefinedRateError
from .groups import DEFAULT_PHASE_CUTOFFS, LevelGroup, Phase, PhaseCutoffs, level_group, phase_of
from .intervals import (
    IntervalMethod,
    RateInterval,
    clopper_pearson_interval,
    compatible_with,
    describe_rate,
    format_percent,
    wilson_interval,
)
from .references import Reference, ReferenceOutcome
from .safety_rates import AdverseEventRecord, EventRate, SafetySummary, safety_summary
from .survival import (
    ImprovementTimes,
    KaplanMeierCurve,
    KaplanMeierStep,
    SurvivalCI,
    kaplan_meier,
    time_to_ais_improvement,
)

__all__ = [
    "DEFAULT_PHASE_CUTOFFS",
    "UNCONTROLLED",
    "AdverseEventRecord",
    "AisImprovement",
    "Assessment",
    "ChangeRange",
    "ChangeStatus",
    "ClaimParseError",
    "ClaimPosition",
    "ClaimVerdict",
    "CohortRate",
    "ComparatorProfile",
    "EventRate",
    "FollowUp",
    "ImprovementTimes",
    "IntervalMethod",
    "KaplanMeierCurve",
    "KaplanMeierStep",
    "LevelGroup",
    "Measure",
    "MeasureChange",
    "NaturalHistory",
    "OutcomesError",
    "ParsedClaim",
    "PatientChange",
    "PatientCourse",
    "Phase",
    "PhaseCutoffs",
    "RateInterval",
    "Reference",
    "ReferenceOutcome",
    "ResponderDefinition",
    "ResponseStatus",
    "SafetySummary",
    "ScoreGain",
    "Stratum",
    "StratumKey",
    "SurvivalCI",
    "ThresholdCheck",
    "Tri",
    "UndefinedRateError",
    "WalkingPrognosis",
    "ais_change",
    "change_from_baseline",
    "check_claim",
    "check_claim_for_cohort",
    "clopper_pearson_interval",
    "cohort_rate",
    "compatible_with",
    "default_thresholds",
    "describe",
    "describe_rate",
    "format_percent",
    "kaplan_meier",
    "level_change",
    "level_group",
    "natural_history",
    "parse_claim",
    "phase_of",
    "reference_for",
    "safety_summary",
    "select",
    "stratify",
    "time_to_ais_improvement",
    "walking_prognosis",
    "wilson_interval",
]
