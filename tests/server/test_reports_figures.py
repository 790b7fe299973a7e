"""The report figures on a synthetic cohort whose answers are worked out by hand (see
``reports_cohort``): registry records -> adapters -> ``cordtrack.outcomes``."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from cordtrack.cli import main
from cordtrack.outcomes import Measure, StratumKey, Tri
from cordtrack.server.accounts.models import Site, User
from cordtrack.server.patients.models import Patient
from cordtrack.server.reports import figures, serialize
from cordtrack.server.reports.adapters import timeline
from cordtrack.server.reports.patient import patient_report
from cordtrack.server.services import safety, therapy

from .conftest import TODAY, VITALS
from .reports_cohort import build

Z2 = 1.959963984540054**2


def wilson(x: int, n: int) -> tuple[float, float]:
    """Wilson 1927 written out again, for the hand-worked figures below."""
    p = x / n
    centre = (p + Z2 / (2 * n)) / (1 + Z2 / n)
    half = math.sqrt(Z2) / (1 + Z2 / n) * math.sqrt(p * (1 - p) / n + Z2 / (4 * n * n))
    return centre - half, centre + half


@pytest.fixture
def cohort(
    make_patient: Callable[..., Patient], make_lot: Callable[..., Any], alice: User, north: Site
) -> dict[str, Patient]:
    return build(make_patient, make_lot, alice, north)


def test_baseline_is_the_pre_treatment_exam_and_days_count_from_it(
    cohort: dict[str, Patient],
) -> None:
    line = timeline(cohort["R1"])

    assert line.baseline is not None
    assert line.days_since_injury_at_baseline == 7
    assert [(p.date - line.baseline.date).days for p in line.follow_ups] == [365]
    assert line.baseline.assessment.ais == "A"
    assert line.follow_ups[0].assessment.ais == "B"
    assert line.baseline.assessment.pain_nrs == 6


def test_cohort_rate_counts_the_lost_in_the_denominator_with_worst_and_best_case(
    cohort: dict[str, Patient], north: Site
) -> None:
    report = figures.outcomes_report(
        figures.cohort_courses(figures.CohortFilters(("NTH",)), TODAY),
        figures.definition_for("ais1_12m"),
    )
    rate = report.rate

    # Due: R1, R2, N1, L1 = 4; Y1 (100 days) is not yet due.
    assert (rate.responders, rate.non_responders, rate.lost, rate.not_yet_due) == (2, 1, 1, 1)
    assert rate.due == 4
    assert rate.rate is not None
    assert rate.best_case is not None
    assert rate.complete_case
    # Worst case 2/4 = 50%, Wilson 15.0%-85.0%; best case (2 + 1 lost)/4 = 75%, 30.1%-95.4%.
    assert (rate.rate.low, rate.rate.high) == pytest.approx(wilson(2, 4))
    assert (rate.rate.low, rate.rate.high) == pytest.approx((0.1500, 0.8500), abs=5e-5)
    assert rate.best_case.estimate == 0.75
    assert (rate.best_case.low, rate.best_case.high) == pytest.approx((0.3006, 0.9544), abs=5e-5)
    assert rate.complete_case.estimate == pytest.approx(2 / 3)
    assert rate.design_label == "uncontrolled single-arm"
    assert "uncontrolled" in report.sentence
    assert rate.definition in report.sentence


def test_strata_sit_beside_the_natural_history_looked_up_by_hand(
    cohort: dict[str, Patient],
) -> None:
    report = figures.outcomes_report(
        figures.cohort_courses(figures.CohortFilters(("NTH",)), TODAY),
        figures.definition_for("ais1_12m"),
    )

    (ais,) = report.strata[StratumKey.AIS]
    (level,) = report.strata[StratumKey.LEVEL]
    (phase,) = report.strata[StratumKey.PHASE]
    assert ais.label() == "baseline AIS A"
    assert level.label() == "level group T1-T9"
    assert phase.label() == "phase acute"  # day 7 <= 30
    # AIS A, T6, exam on day 7: every AIS A conversion row whose window covers day 7 (the sheet,
    # Kirshblum 2021 Table 2: 15.4, 30.2, 24.2 above T10, 26.1 above T11, 20.0, 27.8). A stratum
    # knows its level group (T1-T9), not each NLI, so Aimetti 2019 (T2-T12, 21.1) is left out
    # with a caveat; the single patient's page, which knows T6, shows it (7 rows).
    values = sorted(r.value for r in ais.reference.references)
    assert values == [15.4, 20.0, 24.2, 26.1, 27.8, 30.2]
    assert any("T2-T12" in c for c in ais.reference.caveats)
    assert all(r.source for r in ais.reference.references)
    assert ais.rate.due == 4
    assert ais.rate.responders == 2


def test_filters_select_the_cohort(cohort: dict[str, Patient]) -> None:
    def size(**kw: str) -> int:
        return len(figures.cohort_courses(figures.CohortFilters(("NTH",), **kw), TODAY).courses)

    assert size() == 5
    assert size(route="intrathecal", cell_type="bm_msc", baseline_ais="A", phase="acute") == 5
    assert size(route="intravenous") == 0
    assert size(baseline_ais="B") == 0
    assert len(figures.cohort_courses(figures.CohortFilters(("STH",)), TODAY).courses) == 0


def test_kaplan_meier_of_the_cohort_by_hand(cohort: dict[str, Patient]) -> None:
    report = figures.outcomes_report(
        figures.cohort_courses(figures.CohortFilters(("NTH",)), TODAY),
        figures.definition_for("ais1_12m"),
    )

    # R1, R2 improve on day 365; N1 censored on day 365; L1 and Y1 have no AIS follow-up.
    assert report.curve is not None
    (step,) = report.curve.steps
    assert (step.time, step.at_risk, step.events, step.censored) == (365, 3, 2, 1)
    assert step.survival == pytest.approx(1 / 3)
    assert sorted(report.times.without_follow_up) == sorted(
        [cohort["L1"].study_id, cohort["Y1"].study_id]
    )


def test_patient_change_flags_and_walking_prognosis(cohort: dict[str, Patient]) -> None:
    report = patient_report(cohort["R1"])

    assert report.change is not None
    ais = report.change[Measure.AIS]
    assert ais.change is not None
    assert ais.change.render() == "+1"
    pain = report.change[Measure.PAIN_NRS]
    # 6 -> 3: -3 points (>= 1.8) and -50% (>= 36%): meaningful, with cited sources.
    assert pain.meaningful_improvement is Tri.YES
    assert all(c.threshold.source for c in pain.checks)
    assert report.change[Measure.LEMS].meaningful_improvement is None  # no confirmed MCID
    assert report.walking is not None
    assert report.walking.applicable
    assert report.walking.score_low == report.walking.score_high == 0  # L3/S1 all 0
    first = report.comparisons[0]
    assert first.history.comparable
    assert len(first.history.references) == 7


def test_configured_thresholds_replace_the_defaults_and_need_a_source(
    cohort: dict[str, Patient], settings: Any
) -> None:
    settings.CORDTRACK_CHANGE_THRESHOLDS = {
        "pain NRS": [{"value": 4, "unit": "points", "source": "local protocol 2026"}]
    }
    report = patient_report(cohort["R1"])
    pain = report.change[Measure.PAIN_NRS] if report.change else None
    assert pain is not None
    assert next(c.threshold.source for c in pain.checks) == "local protocol 2026"
    assert pain.checks[0].improvement is Tri.NO  # 3 points < 4

    settings.CORDTRACK_CHANGE_THRESHOLDS = {"pain NRS": [{"value": 4}]}
    with pytest.raises(Exception, match="source"):
        patient_report(cohort["R1"])


@pytest.fixture
def ten_treated(
    make_patient: Callable[..., Patient], make_lot: Callable[..., Any], alice: User, north: Site
) -> list[Patient]:
    treated = []
    for _ in range(10):
        patient = make_patient(north)
        lot = make_lot(north, suffix=str(patient.pk))
        therapy.administer(
            alice, patient, lot, administered_at=timezone.now(), route="intravenous",
            dose_total_cells=10**7, weight_kg=Decimal(70), vitals=VITALS,
        )  # fmt: skip
        treated.append(patient)
    safety.report_adverse_event(
        alice, treated[0], term="Headache", onset_date=TODAY, ctcae_grade=1,
        relatedness="probable", expected=True, action="none", outcome="recovering",
        administration=treated[0].administrations.get(),
    )  # fmt: skip
    return treated


def test_safety_rates_zero_serious_in_ten_reads_compatible_with_up_to_31(
    ten_treated: list[Patient],
) -> None:
    report = figures.safety_report(["NTH"])
    summary = report.summary
    assert summary is not None
    by_label = {r.label: r for r in summary.per_patient}

    serious = by_label["Serious adverse events"]
    assert (serious.interval.events, serious.interval.total) == (0, 10)
    # Clopper-Pearson upper bound for 0/10: 1 - 0.025 ** (1/10) = 0.30850.
    assert serious.interval.high == pytest.approx(1 - 0.025 ** (1 / 10))
    assert "compatible with up to 31%" in serious.describe()
    anything = by_label["Adverse events (any)"]
    assert anything.interval.events == 1
    assert (anything.interval.low, anything.interval.high) == pytest.approx(
        (0.00252857, 0.44501612), abs=1e-7
    )
    assert summary.per_administration[0].interval.total == 10
    cells = {(int(g), r.value): n for (g, r), n in summary.by_grade_and_relatedness.items()}
    assert cells[(1, "probable")] == 1
    assert sum(cells.values()) == 1
    assert summary.serious_events == ()


def test_the_cli_prints_the_same_figures_as_the_builder(
    cohort: dict[str, Patient], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "outcomes", "--site", "NTH", "--format", "json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    built = serialize.outcomes(
        figures.outcomes_report(
            figures.cohort_courses(figures.CohortFilters(("NTH",)), TODAY),
            figures.definition_for("ais1_12m"),
        )
    )
    assert printed == json.loads(json.dumps(built))
    assert printed["rate"]["lost_to_follow_up"] == 1
    assert printed["design"] == "uncontrolled single-arm"

    assert main(["report", "safety", "--site", "NTH"]) == 0
    assert json.loads(capsys.readouterr().out)["patients"] == 5
    assert main(["report", "safety", "--site", "NOPE"]) == 2
    assert main(["report", "outcomes", "--site", "NTH", "--format", "pdf"]) == 2


@pytest.mark.parametrize("bad", ["nan", "inf", "-1"])
def test_the_cli_refuses_a_score_threshold_that_is_not_a_finite_number_of_at_least_0(
    bad: str, north: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    """argparse's float() takes "nan", with which no gain compares: no one was a responder."""
    args = ["report", "outcomes", "--site", "NTH", "--definition", "lems10_12m"]
    assert main([*args, "--at-least", bad]) == 2
    assert "--at-least must be a finite number of at least 0" in capsys.readouterr().err


def test_claim_check_page_sets_the_claim_beside_the_measure_and_the_history(
    cohort: dict[str, Patient], client: Any, alice: User
) -> None:
    client.force_login(alice)

    page = client.get("/reports/claim/", {"claim": "70% of patients improve", "site": "NTH",
                                          "definition": "ais1_12m"}).content.decode()  # fmt: skip

    # Measured 2 of 4 (50%, 15%-85%): 70% lies inside; natural history 15.4%-30.2%: 70% above.
    assert "Position of the claim: inside the measured interval" in page
    assert "against natural history: above" in page
    assert "50%</strong>, 95% CI 15%–85%" in page
    assert "uncontrolled single-arm" in page
    bad = client.get("/reports/claim/", {"claim": "most patients improve"}).content.decode()
    assert "could not be read" in bad
