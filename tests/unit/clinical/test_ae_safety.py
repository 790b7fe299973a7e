"""CTCAE grades, ICH E2A seriousness and SUSAR reporting timelines."""

from __future__ import annotations

from datetime import date

import pytest

from cordtrack.clinical.errors import SafetyValidationError
from cordtrack.clinical.safety import (
    CtcaeGrade,
    Relatedness,
    SeriousnessCriterion,
    assess,
    ctcae_grade,
    is_serious,
    is_susar,
    missing_implied_criteria,
    susar_reporting_deadline,
)

DAY0 = date(2026, 3, 2)


def test_grade_5_event_is_serious() -> None:
    assert is_serious([], grade=5)
    assert assess(5, [], "possible", "unexpected").serious


def test_grade_5_implies_seriousness_criterion_death() -> None:
    event = assess(5, [], "unrelated", "expected")
    assert SeriousnessCriterion.DEATH in event.seriousness
    assert missing_implied_criteria(5, []) == {SeriousnessCriterion.DEATH}
    assert missing_implied_criteria(5, [SeriousnessCriterion.DEATH]) == frozenset()


def test_severe_grade_alone_is_not_serious() -> None:
    assert not is_serious([], grade=3)
    assert not is_serious([], grade=4)


@pytest.mark.parametrize("criterion", list(SeriousnessCriterion))
def test_any_ich_e2a_criterion_makes_event_serious(criterion: SeriousnessCriterion) -> None:
    assert is_serious([criterion], grade=1)


def test_ctcae_grade_accepts_1_to_5_only() -> None:
    assert ctcae_grade(3) is CtcaeGrade.SEVERE
    assert CtcaeGrade.DEATH.description == "Death related to the AE"
    for bad in (0, 6, "3", True, 2.0):
        with pytest.raises(SafetyValidationError):
            ctcae_grade(bad)


def test_assess_lists_every_invalid_field() -> None:
    with pytest.raises(SafetyValidationError) as exc:
        assess(6, ["death", "sneeze"], "maybe", "surprising")
    assert [e.key for e in exc.value.errors] == [
        "grade",
        "seriousness",
        "relatedness",
        "expectedness",
    ]


def test_serious_unexpected_possible_event_is_a_susar() -> None:
    assert is_susar(assess(3, ["hospitalisation"], "possible", "unexpected"))


@pytest.mark.parametrize(
    ("criteria", "relatedness", "expectedness"),
    [
        ([], "definite", "unexpected"),  # not serious
        (["hospitalisation"], "unlikely", "unexpected"),  # not suspected
        (["hospitalisation"], "probable", "expected"),  # expected
    ],
)
def test_event_missing_one_susar_condition_is_not_a_susar(
    criteria: list[str], relatedness: str, expectedness: str
) -> None:
    event = assess(3, criteria, relatedness, expectedness)
    assert not is_susar(event)
    assert susar_reporting_deadline(event, DAY0) is None


def test_fatal_susar_is_due_in_7_days() -> None:
    deadline = susar_reporting_deadline(assess(5, [], "probable", "unexpected"), DAY0)
    assert deadline is not None
    assert (deadline.days, deadline.due) == (7, date(2026, 3, 9))
    assert "ICH E2A" in deadline.source


def test_life_threatening_susar_is_due_in_7_days() -> None:
    event = assess(4, ["life_threatening"], "definite", "unexpected")
    deadline = susar_reporting_deadline(event, DAY0)
    assert deadline is not None
    assert deadline.days == 7


def test_other_susar_is_due_in_15_days() -> None:
    event = assess(3, ["hospitalisation"], "possible", "unexpected")
    deadline = susar_reporting_deadline(event, DAY0)
    assert deadline is not None
    assert (deadline.days, deadline.due) == (15, date(2026, 3, 17))


def test_protocol_may_narrow_which_relatedness_counts_as_suspected() -> None:
    event = assess(3, ["hospitalisation"], "possible", "unexpected")
    assert not is_susar(event, frozenset({Relatedness.PROBABLE, Relatedness.DEFINITE}))
