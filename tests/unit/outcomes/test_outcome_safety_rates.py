"""Adverse-event rates per patient and per administration with exact intervals."""

from __future__ import annotations

import pytest

from cordtrack.clinical import SafetyValidationError
from cordtrack.clinical.safety import CtcaeGrade, Relatedness
from cordtrack.outcomes import AdverseEventRecord, UndefinedRateError, safety_summary

PATIENTS = [f"p{i}" for i in range(10)]
ADMINISTRATIONS = [f"{p}-dose{d}" for p in PATIENTS for d in (1, 2)]  # 20 administrations


def ae(
    patient: str, grade: int, related: str, dose: int | None = 1, **kw: object
) -> AdverseEventRecord:
    data = {
        "patient_id": patient, "term": "headache", "grade": grade, "relatedness": related,
        "administration_id": None if dose is None else f"{patient}-dose{dose}", **kw,
    }  # fmt: skip
    return AdverseEventRecord.from_dict(data)


def test_no_serious_event_in_ten_patients_reads_compatible_with_up_to_31_percent() -> None:
    events = [ae("p0", 1, "possible"), ae("p1", 2, "unrelated")]
    summary = safety_summary(events, PATIENTS, ADMINISTRATIONS)
    serious = next(r for r in summary.per_patient if r.label == "Serious adverse events")
    assert serious.interval.events == 0
    assert serious.interval.high == pytest.approx(0.30850, abs=1e-5)
    assert serious.describe() == (
        "Serious adverse events per patient: 0 of 10 (0%, 95% CI 0%–31%, Clopper-Pearson "
        "exact): compatible with up to 31%"
    )
    assert summary.serious_events == ()


def test_rates_per_patient_and_per_administration_count_each_unit_once() -> None:
    # p0 has two AEs after dose 1 and one after dose 2; p1 one after dose 2; p2 one grade-3 SAE.
    events = [
        ae("p0", 1, "possible"), ae("p0", 2, "probable"), ae("p0", 1, "unrelated", dose=2),
        ae("p1", 1, "unlikely", dose=2),
        ae("p2", 3, "definite", seriousness=["hospitalisation"]),
    ]  # fmt: skip
    s = safety_summary(events, PATIENTS, ADMINISTRATIONS)
    per_patient = {r.label: (r.interval.events, r.interval.total) for r in s.per_patient}
    assert per_patient == {
        "Adverse events (any)": (3, 10),
        "Serious adverse events": (1, 10),
        "Related adverse events (possible, probable or definite)": (2, 10),  # p0, p2
        "Adverse events of CTCAE grade 3 or higher": (1, 10),
    }
    per_admin = {r.label: (r.interval.events, r.interval.total) for r in s.per_administration}
    # administrations with any AE: p0-dose1, p0-dose2, p1-dose2, p2-dose1 = 4 of 20
    assert per_admin["Adverse events (any)"] == (4, 20)
    assert per_admin["Related adverse events (possible, probable or definite)"] == (2, 20)
    assert s.events == 5
    assert s.by_grade_and_relatedness[(CtcaeGrade.MILD, Relatedness.POSSIBLE)] == 1
    assert s.by_grade_and_relatedness[(CtcaeGrade.SEVERE, Relatedness.DEFINITE)] == 1
    assert sum(s.by_grade_and_relatedness.values()) == 5
    # worst grade per patient: p0 grade 2, p1 grade 1, p2 grade 3
    assert s.patients_by_worst_grade[CtcaeGrade.MODERATE] == 1
    assert s.patients_by_worst_grade[CtcaeGrade.MILD] == 1
    assert s.patients_by_worst_grade[CtcaeGrade.SEVERE] == 1
    assert [e.patient_id for e in s.serious_events] == ["p2"]


def test_grade_5_is_serious_even_without_a_recorded_criterion() -> None:
    s = safety_summary([ae("p3", 5, "unrelated")], PATIENTS)
    assert [e.grade for e in s.serious_events] == [CtcaeGrade.DEATH]


def test_events_without_an_administration_make_the_per_administration_rate_a_lower_bound() -> None:
    s = safety_summary([ae("p0", 1, "possible", dose=None)], PATIENTS, ADMINISTRATIONS)
    assert s.unattributed == 1
    assert "lower bound" in s.per_administration[0].describe()


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="not in the cohort"):
        safety_summary([ae("stranger", 1, "possible")], PATIENTS)
    with pytest.raises(SafetyValidationError):
        ae("p0", 7, "possible")
    with pytest.raises(UndefinedRateError):
        safety_summary([], [])
