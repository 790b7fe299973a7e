"""The claim check: parsed percentage, measured rate and interval, natural history."""

from __future__ import annotations

import pytest

from cordtrack.outcomes import (
    AisImprovement,
    Assessment,
    ClaimParseError,
    ClaimPosition,
    FollowUp,
    PatientCourse,
    check_claim_for_cohort,
    parse_claim,
)


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("70% of patients improve", 70, 70),
        ("success rates near 60-70%", 60, 70),
        ("success rates near about 60 to 70%", 60, 70),
        ("60%–70% success", 60, 70),
        ("improvement in 82.5 percent", 82.5, 82.5),
    ],
)
def test_claims_are_parsed_to_a_percentage_or_range(text: str, low: float, high: float) -> None:
    claim = parse_claim(text)
    assert (claim.low, claim.high) == (low, high)


@pytest.mark.parametrize("text", ["entirely safe", "70% improve, 20% walk", "150% better"])
def test_claims_without_one_percentage_are_refused(text: str) -> None:
    with pytest.raises(ClaimParseError):
        parse_claim(text)


def cohort(responders: int, total: int) -> list[PatientCourse]:
    """Cervical AIS A, examined 5 days after injury, 12-month follow-up for everyone."""
    return [
        PatientCourse(
            f"p{i}",
            Assessment(ais="A", nli="C5"),
            5,
            (FollowUp(365, Assessment(ais="B" if i < responders else "A")),),
        )
        for i in range(total)
    ]


def test_a_70_percent_claim_against_7_of_20_is_above_the_interval_and_the_natural_history() -> None:
    verdict = check_claim_for_cohort("70% of patients improve", cohort(7, 20), AisImprovement())
    # measured 35%, Wilson 18.1%-56.7%: 70% is above it
    assert verdict.position is ClaimPosition.ABOVE
    # cervical AIS A on day 5: natural conversion 15.4%-30.2% (Kirshblum 2021 Table 2; Marino 2011)
    assert verdict.reference.value_range == (15.4, 30.2)
    assert verdict.reference_position is ClaimPosition.ABOVE
    assert verdict.design_label == "uncontrolled single-arm"
    assert "7 of 20 (35%, 95% CI 18%–57%)" in verdict.summary
    assert "15.4%–30.2%" in verdict.summary
    assert "cannot separate an effect of treatment from spontaneous recovery" in verdict.summary


def test_a_claimed_range_straddling_the_interval_is_partly_inside() -> None:
    # 10/20 = 50%, Wilson 29.9%-70.1%: 60-75% straddles the upper end
    verdict = check_claim_for_cohort("60-75%", cohort(10, 20), AisImprovement())
    assert verdict.position is ClaimPosition.PARTLY_INSIDE
    inside = check_claim_for_cohort("40%", cohort(10, 20), AisImprovement())
    assert inside.position is ClaimPosition.INSIDE


def test_no_patients_due_gives_no_data_rather_than_a_verdict() -> None:
    verdict = check_claim_for_cohort("70%", [], AisImprovement())
    assert verdict.position is ClaimPosition.NO_DATA
    assert "no patient due" in verdict.summary


def test_the_verdict_uses_no_marketing_language() -> None:
    summary = check_claim_for_cohort("70%", cohort(7, 20), AisImprovement()).summary.lower()
    for word in ("success", "proven", "cure", "safe", "miracle", "breakthrough"):
        assert word not in summary
