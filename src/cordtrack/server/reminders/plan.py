"""Which reminders are due on a day: the rules, on the visit schedule as it stands.

A visit is reminded before its window opens (``REMINDER_OPENS_DAYS``, e.g. 7 and 1 days before)
and, while it is open and the visit not done, before it closes (``REMINDER_CLOSES_DAYS``). Of
a visit's offsets, the reminder due is the **latest stage reached**: with offsets 7 and 1 and
the window opening in 3 days, the 7-day reminder; a first run 1 day before sends the 1-day one
only, never both at once. A patient with a portal account and questionnaires still to answer
for their next visit is reminded ``REMINDER_QUESTIONNAIRE_DAYS`` before its window opens (and
until it closes).

Each due reminder has a **cause** naming the visit, the stage and the date it is about
(``visit:12:opens:2026-12-20:7``): it is sent once per channel (``ReminderLog``'s unique
constraint), and a visit moved to other dates is a new cause, due again.

Reminders stop for a patient who declined consent or withdrew from visits or from further data
use (:func:`stopped`, through ``consent/scopes.py``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q, QuerySet

from ..consent import scopes
from ..followup.models import InstrumentResponse, Visit, VisitStatus
from ..patients.models import ConsentStatus, Patient
from ..services.portal import PATIENT_REPORTED
from .models import Template


@dataclass(frozen=True)
class Due:
    visit: Visit
    template: str
    cause: str
    due_on: dt.date

    @property
    def patient(self) -> Patient:
        return self.visit.patient


def stage(days_left: int, offsets: Sequence[int]) -> int | None:
    """The latest stage reached ``days_left`` days before a date: the smallest offset at
    least ``days_left`` (None before the first one, or once the date has passed)."""
    if days_left < 0:
        return None
    reached = [k for k in offsets if k >= days_left]
    return min(reached) if reached else None


def stopped(patients: QuerySet[Patient]) -> QuerySet[Patient]:
    """The patients no reminder may go to: consent declined, or withdrawn from visits or from
    further data use (``consent/scopes.py``; a withdrawal from treatment only keeps the visits
    and their reminders)."""
    return patients.filter(
        Q(consent_status=ConsentStatus.DECLINED)
        | Q(pk__in=scopes.withdrawn_patient_ids(scopes.STOPPED_BY[scopes.Action.REMINDER] or ""))
    )


def _offsets() -> tuple[list[int], list[int], int]:
    return (
        list(settings.REMINDER_OPENS_DAYS),
        list(settings.REMINDER_CLOSES_DAYS),
        int(settings.REMINDER_QUESTIONNAIRE_DAYS),
    )


def due_reminders(today: dt.date) -> list[Due]:
    """Every reminder due on ``today`` (sent or not: the caller skips causes already sent)."""
    opens, closes, questionnaire = _offsets()
    horizon = today + dt.timedelta(days=max([0, questionnaire, *opens]))
    visits = list(
        Visit.objects.filter(
            status=VisitStatus.SCHEDULED, window_close__gte=today, window_open__lte=horizon
        )
        .exclude(patient__in=stopped(Patient.objects.all()))
        .select_related("patient", "patient__user")
        .order_by("patient_id", "target_date", "pk")
    )
    due: list[Due] = []
    for visit in visits:
        if visit.window_open > today:
            k = stage((visit.window_open - today).days, opens)
            if k is not None:
                cause = f"visit:{visit.pk}:opens:{visit.window_open.isoformat()}:{k}"
                due.append(Due(visit, Template.VISIT_OPENS, cause, visit.window_open - _days(k)))
        else:
            k = stage((visit.window_close - today).days, closes)
            if k is not None:
                cause = f"visit:{visit.pk}:closes:{visit.window_close.isoformat()}:{k}"
                due.append(Due(visit, Template.VISIT_CLOSES, cause, visit.window_close - _days(k)))
    due.extend(_questionnaires(visits, today, questionnaire))
    return due


def _days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def _questionnaires(visits: list[Visit], today: dt.date, days_before: int) -> list[Due]:
    """The next visit of each patient with a portal account, when questionnaires for it are
    still to answer and its window opens within ``days_before`` days (or is open)."""
    nxt: dict[int, Visit] = {}
    for visit in visits:  # ordered by patient, then target date
        if visit.patient.user_id is not None:
            nxt.setdefault(visit.patient_id, visit)
    candidates = [v for v in nxt.values() if v.window_open - _days(days_before) <= today]
    answered: dict[int, set[str]] = {}
    for visit_id, code in InstrumentResponse.objects.filter(
        visit__in=candidates, instrument__in=PATIENT_REPORTED
    ).values_list("visit_id", "instrument"):
        answered.setdefault(visit_id, set()).add(code)
    return [
        Due(
            v,
            Template.QUESTIONNAIRE,
            f"questionnaire:{v.pk}:{v.target_date.isoformat()}",
            v.window_open - _days(days_before),
        )
        for v in candidates
        if not set(PATIENT_REPORTED) <= answered.get(v.pk, set())
    ]
