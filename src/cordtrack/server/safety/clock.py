"""A serious event's regulatory clock as the pages and the API show it: which initial report is
needed, its deadline from awareness, and whether it is due, overdue, met or late (the rules:
``cordtrack.clinical.safety.reporting_deadline`` and ``clock_state``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cordtrack.clinical import safety as rules

from .models import SERIOUSNESS_FIELDS, AdverseEvent


@dataclass(frozen=True)
class Clock:
    report: str  # what is due: "fatal or life-threatening SUSAR", ...
    days: int
    aware: dt.date
    due: dt.date
    state: str  # due, overdue, met, late
    state_label: str
    reported_on: dt.date | None
    source: str


def event_clock(event: AdverseEvent, today: dt.date) -> Clock | None:
    """The clock of a serious event (None for a non-serious one)."""
    if not event.serious:
        return None
    assessment = rules.assess(
        event.ctcae_grade,
        [name for name in SERIOUSNESS_FIELDS if getattr(event, name)],
        event.relatedness,
        "expected" if event.expected else "unexpected",
    )
    aware = event.awareness_date or event.onset_date
    deadline = rules.reporting_deadline(assessment, aware)
    if deadline is None:  # unreachable for a serious event
        return None
    state = rules.clock_state(deadline.due, event.initial_report_date, today)
    return Clock(
        deadline.reason, deadline.days, aware, deadline.due, state.value, state.label,
        event.initial_report_date, deadline.source,
    )  # fmt: skip
