"""Visit schedules: target days and windows from a reference date, and the status of each visit.

A schedule is data (serialisable to and from plain dicts) so that each programme or site can set
its own visits and windows. clinical-evidence.md §5 and §9 T9 recommend storing the injury date and
every exam date, deriving days since injury, and keeping phase cut-offs configurable. The EMSCI
time points (2, 4, 12, 24 and 48 weeks after injury; §5,
https://pmc.ncbi.nlm.nih.gov/articles/PMC7650063) are offered by :func:`emsci_schedule`; the sheet
gives no visit windows, so the caller must choose them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Final

from .errors import DefinitionError, ItemError
from .numbers import whole_number

__all__ = [
    "EMSCI_WEEKS",
    "ScheduledVisit",
    "VisitDefinition",
    "VisitSchedule",
    "VisitStatus",
    "emsci_schedule",
    "schedule_visits",
    "visit_status",
]

#: EMSCI fixed follow-up time points, weeks after injury (clinical-evidence.md §5, T9).
EMSCI_WEEKS: Final = (2, 4, 12, 24, 48)


@dataclass(frozen=True, slots=True)
class VisitDefinition:
    """One planned visit: ``target_day`` after the reference date, window ``[-minus, +plus]``."""

    code: str
    target_day: int
    window_minus: int = 0
    window_plus: int = 0
    label: str = ""


@dataclass(frozen=True, slots=True)
class VisitSchedule:
    """A named, versioned list of visits counted from one reference date (``reference``)."""

    code: str
    name: str
    version: str
    reference: str
    visits: tuple[VisitDefinition, ...]
    source: str = ""

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "name": self.name,
            "version": self.version,
            "reference": self.reference,
            "source": self.source,
            "visits": [
                {
                    "code": v.code,
                    "target_day": v.target_day,
                    "window_minus": v.window_minus,
                    "window_plus": v.window_plus,
                    "label": v.label,
                }
                for v in self.visits
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> VisitSchedule:
        """Build and validate a schedule from :meth:`to_dict` output (e.g. parsed JSON).

        Raises
        ------
        DefinitionError
            Listing every problem: missing fields, non-integer or negative windows, repeated
            visit codes.
        """
        errors: list[ItemError] = []
        text: dict[str, str] = {}
        for key in ("code", "name", "version", "reference"):
            value = data.get(key)
            if not isinstance(value, str) or not value:
                errors.append(ItemError(key, value, "must be a non-empty string"))
            else:
                text[key] = value
        raw_visits = data.get("visits")
        visits: list[VisitDefinition] = []
        if not isinstance(raw_visits, list) or not raw_visits:
            errors.append(ItemError("visits", raw_visits, "must be a non-empty list"))
            raw_visits = []
        for n, raw in enumerate(raw_visits):
            visit = _visit_from_dict(n, raw, errors)
            if visit is not None:
                visits.append(visit)
        seen: set[str] = set()
        for v in visits:
            if v.code in seen:
                errors.append(ItemError(f"visits[{v.code}]", v.code, "visit code repeated"))
            seen.add(v.code)
        if errors:
            raise DefinitionError(errors)
        source = data.get("source", "")
        return cls(
            code=text["code"],
            name=text["name"],
            version=text["version"],
            reference=text["reference"],
            visits=tuple(visits),
            source=source if isinstance(source, str) else "",
        )


def _visit_from_dict(n: int, raw: object, errors: list[ItemError]) -> VisitDefinition | None:
    where = f"visits[{n}]"
    if not isinstance(raw, Mapping):
        errors.append(ItemError(where, raw, "must be an object"))
        return None
    before = len(errors)
    code = raw.get("code")
    if not isinstance(code, str) or not code:
        errors.append(ItemError(f"{where}.code", code, "must be a non-empty string"))
        code = ""
    day = whole_number(raw.get("target_day"))
    if day is None:
        errors.append(ItemError(f"{where}.target_day", raw.get("target_day"), "must be an integer"))
    windows: list[int] = []
    for name in ("window_minus", "window_plus"):
        w = whole_number(raw.get(name, 0))
        if w is not None and w >= 0:
            windows.append(w)
        else:
            errors.append(ItemError(f"{where}.{name}", raw.get(name, 0), "must be an integer >= 0"))
    if len(errors) > before or day is None:
        return None
    label = raw.get("label", "")
    return VisitDefinition(
        code, day, windows[0], windows[1], label if isinstance(label, str) else ""
    )


@dataclass(frozen=True, slots=True)
class ScheduledVisit:
    """A visit placed on the calendar: target date and inclusive window dates."""

    code: str
    target_date: date
    window_open: date
    window_close: date

    def in_window(self, day: date) -> bool:
        return self.window_open <= day <= self.window_close


class VisitStatus(StrEnum):
    """Status of a scheduled visit on a given day."""

    DONE_IN_WINDOW = "done_in_window"
    DONE_OUT_OF_WINDOW = "done_out_of_window"
    MISSED = "missed"
    SCHEDULED = "scheduled"


def schedule_visits(schedule: VisitSchedule, reference_date: date) -> list[ScheduledVisit]:
    """Place every visit of ``schedule`` on the calendar, counting days from ``reference_date``.

    Day 0 is the reference date itself; a visit at ``target_day`` 14 falls 14 days later.
    """
    out = []
    for v in schedule.visits:
        target = reference_date + timedelta(days=v.target_day)
        out.append(
            ScheduledVisit(
                code=v.code,
                target_date=target,
                window_open=target - timedelta(days=v.window_minus),
                window_close=target + timedelta(days=v.window_plus),
            )
        )
    return out


def visit_status(visit: ScheduledVisit, done_on: date | None, today: date) -> VisitStatus:
    """The status of ``visit`` on ``today``.

    Done in window if ``done_on`` falls inside the inclusive window; done out of window if it falls
    outside; otherwise missed once ``today`` is after the window closes, else scheduled.
    """
    if done_on is not None:
        return (
            VisitStatus.DONE_IN_WINDOW
            if visit.in_window(done_on)
            else VisitStatus.DONE_OUT_OF_WINDOW
        )
    return VisitStatus.MISSED if today > visit.window_close else VisitStatus.SCHEDULED


def emsci_schedule(window_minus: int, window_plus: int) -> VisitSchedule:
    """The EMSCI follow-up time points (weeks 2, 4, 12, 24, 48 after injury) with given windows.

    The windows are the caller's choice: clinical-evidence.md gives none.
    """
    if window_minus < 0 or window_plus < 0:
        raise ValueError("windows must be >= 0 days")
    return VisitSchedule(
        code="emsci",
        name="EMSCI follow-up time points",
        version="1",
        reference="injury",
        visits=tuple(
            VisitDefinition(f"week_{w}", w * 7, window_minus, window_plus, f"{w} weeks")
            for w in EMSCI_WEEKS
        ),
        source="clinical-evidence.md §5 and T9 (https://pmc.ncbi.nlm.nih.gov/articles/PMC7650063)",
    )
