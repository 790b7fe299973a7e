"""Visit schedules, windows and status."""

from __future__ import annotations

import json
from datetime import date

import pytest

from cordtrack.clinical.errors import DefinitionError
from cordtrack.clinical.visits import (
    VisitDefinition,
    VisitSchedule,
    VisitStatus,
    emsci_schedule,
    schedule_visits,
    visit_status,
)

SCHEDULE = VisitSchedule(
    code="trial",
    name="Trial follow-up",
    version="1",
    reference="treatment",
    visits=(VisitDefinition("d14", 14, 3, 7), VisitDefinition("d0", 0)),
)
REF = date(2026, 1, 1)


def test_visit_window_dates_count_from_reference_date() -> None:
    d14, d0 = schedule_visits(SCHEDULE, REF)
    assert (d14.target_date, d14.window_open, d14.window_close) == (
        date(2026, 1, 15),
        date(2026, 1, 12),
        date(2026, 1, 22),
    )
    assert d0.window_open == d0.target_date == d0.window_close == REF


def test_visit_done_on_window_edges_is_in_window() -> None:
    d14 = schedule_visits(SCHEDULE, REF)[0]
    assert visit_status(d14, date(2026, 1, 12), date(2026, 2, 1)) is VisitStatus.DONE_IN_WINDOW
    assert visit_status(d14, date(2026, 1, 22), date(2026, 2, 1)) is VisitStatus.DONE_IN_WINDOW


def test_visit_done_outside_window_is_out_of_window() -> None:
    d14 = schedule_visits(SCHEDULE, REF)[0]
    assert visit_status(d14, date(2026, 1, 11), date(2026, 2, 1)) is VisitStatus.DONE_OUT_OF_WINDOW
    assert visit_status(d14, date(2026, 1, 23), date(2026, 2, 1)) is VisitStatus.DONE_OUT_OF_WINDOW


def test_undone_visit_is_scheduled_until_window_closes_then_missed() -> None:
    d14 = schedule_visits(SCHEDULE, REF)[0]
    assert visit_status(d14, None, date(2026, 1, 22)) is VisitStatus.SCHEDULED
    assert visit_status(d14, None, date(2026, 1, 23)) is VisitStatus.MISSED


def test_emsci_schedule_targets_weeks_2_4_12_24_48() -> None:
    visits = schedule_visits(emsci_schedule(3, 3), REF)
    assert [(v.target_date - REF).days for v in visits] == [14, 28, 84, 168, 336]


def test_schedule_round_trips_through_json() -> None:
    again = VisitSchedule.from_dict(json.loads(json.dumps(SCHEDULE.to_dict())))
    assert again == SCHEDULE


def test_schedule_from_dict_lists_every_problem() -> None:
    data = {
        "code": "x",
        "name": "x",
        "version": "1",
        "reference": "injury",
        "visits": [
            {"code": "a", "target_day": "14"},
            {"code": "b", "target_day": 7, "window_minus": -1},
            {"code": "c", "target_day": 7},
            {"code": "c", "target_day": 9},
        ],
    }
    with pytest.raises(DefinitionError) as exc:
        VisitSchedule.from_dict(data)
    assert [e.key for e in exc.value.errors] == [
        "visits[0].target_day",
        "visits[1].window_minus",
        "visits[c]",
    ]
