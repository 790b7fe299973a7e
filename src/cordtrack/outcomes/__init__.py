"""Honest outcome statistics for the registry (pure Python; never imports Django).

Modules
-------
intervals     Wilson and exact Clopper-Pearson intervals, and their rendering in plain words
change        per-patient change from baseline (AIS, NLI, motor levels, totals, SCIM III, WISCI II,
              pain) with undetermined values kept undetermined, and meaningful-change flags
groups        level groups and phases after injury (stratification keys)
references    the cited natural-history figures matched by AIS, level and exam timing
comparator    the natural-recovery comparator and the van Middendorp applicability check
cohort        responder definitions, cohort rates with lost-to-follow-up bounds, strata
expected      observed versus expected responders (O/E) with exact and widened intervals
expected_change  observed minus expected mean motor-score change
coverage      which baseline AIS x level group x outcome combinations have a reference
poisson       exact Poisson limits and Student's t quantiles
survival      Kaplan-Meier time to first AIS improvement with Greenwood intervals
safety_rates  adverse-event rates with exact intervals, grade x relatedness counts, SAE list
claims        the claim check
randomisation stratified permuted-block randomisation lists from a seed
arm_comparison  differences between arms: Newcombe interval, ANCOVA change difference, exact
              safety rates per arm
errors        the exception tree

Every clinical figure comes from ``cordtrack.clinical.evidence`` (the package's versioned evidence
data) with its source; see ``docs/outcomes.md`` and ``docs/evidence.md``.
"""

from __future__ import annotations

from .arm_comparison import (
    ChangeDifference,
    DifferenceInterval,
    DifferenceMethod,
    InsufficientDataError,
    change_difference,
    newcombe_difference,
    safety_rates_by_arm,
)
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
from .expected import Expectation, FigureUse, ObservedExpected, expectation, observed_vs_expected
from .expected_change import MOTOR_MEASURES, ChangeVsExpected, change_vs_expected
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
from .randomisation import (
    Allocation,
    RandomisationDesign,
    allocation_list,
    design_problems,
    max_imbalance,
    strata,
    stratum_label,
)
from .references import Reference, ReferenceOutcome
from .safety_rates import AdverseEventRecord, EventRate, SafetySummary, safety_summary
from .said import Said
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
    "MOTOR_MEASURES",
    "UNCONTROLLED",
    "AdverseEventRecord",
    "AisImprovement",
    "Allocation",
    "Assessment",
    "ChangeDifference",
    "ChangeRange",
    "ChangeStatus",
    "ChangeVsExpected",
    "ClaimParseError",
    "ClaimPosition",
    "ClaimVerdict",
    "CohortRate",
    "ComparatorProfile",
    "DifferenceInterval",
    "DifferenceMethod",
    "EventRate",
    "Expectation",
    "FigureUse",
    "FollowUp",
    "ImprovementTimes",
    "InsufficientDataError",
    "IntervalMethod",
    "KaplanMeierCurve",
    "KaplanMeierStep",
    "LevelGroup",
    "Measure",
    "MeasureChange",
    "NaturalHistory",
    "ObservedExpected",
    "OutcomesError",
    "ParsedClaim",
    "PatientChange",
    "PatientCourse",
    "Phase",
    "PhaseCutoffs",
    "RandomisationDesign",
    "RateInterval",
    "Reference",
    "ReferenceOutcome",
    "ResponderDefinition",
    "ResponseStatus",
    "SafetySummary",
    "Said",
    "ScoreGain",
    "Stratum",
    "StratumKey",
    "SurvivalCI",
    "ThresholdCheck",
    "Tri",
    "UndefinedRateError",
    "WalkingPrognosis",
    "ais_change",
    "allocation_list",
    "change_difference",
    "change_from_baseline",
    "change_vs_expected",
    "check_claim",
    "check_claim_for_cohort",
    "clopper_pearson_interval",
    "cohort_rate",
    "compatible_with",
    "default_thresholds",
    "describe",
    "describe_rate",
    "design_problems",
    "expectation",
    "format_percent",
    "kaplan_meier",
    "level_change",
    "level_group",
    "max_imbalance",
    "natural_history",
    "newcombe_difference",
    "observed_vs_expected",
    "parse_claim",
    "phase_of",
    "reference_for",
    "safety_rates_by_arm",
    "safety_summary",
    "select",
    "strata",
    "stratify",
    "stratum_label",
    "time_to_ais_improvement",
    "walking_prognosis",
    "wilson_interval",
]
