"""``cordtrack.clinical`` has a pinned public API (purity: tests/unit/test_pure_packages.py)."""

from __future__ import annotations

import cordtrack.clinical


def test_public_api_is_pinned() -> None:
    assert sorted(cordtrack.clinical.__all__) == sorted(
        [
            "INSTRUMENTS", "AdverseEventAssessment", "Candidate", "ClinicalError", "Criterion",
            "CriterionKind", "CtcaeGrade", "Decision", "DefinitionError", "Expectedness",
            "Instrument", "InstrumentScore", "InstrumentValidationError", "ItemError", "Outcome",
            "Protocol", "Relatedness", "SafetyValidationError", "ScheduledVisit",
            "ScreeningResult", "SeriousnessCriterion", "VisitSchedule", "VisitStatus", "assess",
            "evaluate", "is_serious", "is_susar", "schedule_visits", "score_instrument",
            "susar_reporting_deadline", "van_middendorp_probability", "van_middendorp_score",
            "visit_status",
        ]
    )  # fmt: skip
    for name in cordtrack.clinical.__all__:
        assert hasattr(cordtrack.clinical, name)
