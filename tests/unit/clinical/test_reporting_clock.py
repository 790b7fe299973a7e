"""The initial report a serious adverse event needs and its deadline from awareness: a SUSAR's
expedited report (7 days fatal or life-threatening, 15 otherwise), any other serious event's
24-hour report to the sponsor; and where a report stands (due, overdue, met, reported late)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from cordtrack.clinical.safety import ClockState, assess, clock_state, reporting_deadline

AWARE = date(2026, 3, 2)


@pytest.mark.parametrize(
    ("criteria", "relatedness", "expectedness", "days"),
    [
        (["life_threatening"], "possible", "unexpected", 7),
        (["death"], "definite", "unexpected", 7),
        (["hospitalisation"], "probable", "unexpected", 15),
        (["hospitalisation"], "possible", "expected", 1),  # serious, not a SUSAR
        (["hospitalisation"], "unlikely", "unexpected", 1),  # not suspected
    ],
)
def test_the_deadline_follows_the_kind_of_serious_event(
    criteria: list[str], relatedness: str, expectedness: str, days: int
) -> None:
    grade = 5 if "death" in criteria else 3
    event = assess(grade, criteria, relatedness, expectedness)
    deadline = reporting_deadline(event, AWARE)
    assert deadline is not None
    assert deadline.days == days
    assert deadline.due == AWARE + timedelta(days=days)
    assert deadline.source


def test_a_non_serious_event_has_no_clock() -> None:
    assert reporting_deadline(assess(3, [], "definite", "unexpected"), AWARE) is None


def test_the_clock_is_due_then_overdue_and_met_or_late_once_reported() -> None:
    due = AWARE + timedelta(days=15)
    assert clock_state(due, None, due) is ClockState.DUE
    assert clock_state(due, None, due + timedelta(days=1)) is ClockState.OVERDUE
    assert clock_state(due, due, due + timedelta(days=30)) is ClockState.MET
    assert clock_state(due, due + timedelta(days=1), due) is ClockState.LATE
