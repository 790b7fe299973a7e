"""A patient's journey as one dated list: injury, inquiry, screening, treatments, adverse events,
visits, exams and instruments (newest first)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.urls import reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..followup.names import instrument_name, visit_name
from ..patients.models import Patient

#: The kinds as shown beside each event.
KIND_LABELS = {
    "injury": gettext_lazy("injury"), "inquiry": gettext_lazy("inquiry"),
    "screening": gettext_lazy("screening"), "treatment": gettext_lazy("treatment"),
    "adverse-event": gettext_lazy("adverse event"), "visit": gettext_lazy("visit"),
    "exam": gettext_lazy("exam"), "instrument": gettext_lazy("instrument"),
}  # fmt: skip


def _with_free_text(message: str, values: dict[str, object], free: tuple[str, ...]) -> SafeString:
    """``message % values`` as HTML: the values escaped, and each of ``free`` (text typed by staff,
    an adverse event's term, in any script) isolated with ``dir="auto"``, so that an English term
    lays out right in an Arabic line and an Arabic one in an English line."""
    shown = {k: format_html('<span dir="auto">{}</span>', v) if k in free
             else conditional_escape(str(v)) for k, v in values.items()}  # fmt: skip
    return mark_safe(conditional_escape(message) % shown)  # every part escaped above


@dataclass(frozen=True)
class Event:
    on: dt.date
    kind: str  # injury, inquiry, screening, treatment, adverse-event, visit, exam, instrument
    text: str
    url: str = ""
    flag: str = ""  # "serious", "overdue"... for emphasis

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS.get(self.kind, self.kind))


def timeline(patient: Patient, today: dt.date, *, drafts: bool = True) -> list[Event]:
    """The journey's events, newest first (``drafts``: include unsigned exams, for staff)."""
    events: list[Event] = []
    injury = getattr(patient, "injury", None)
    if injury is not None:
        events.append(
            Event(
                injury.injury_date,
                "injury",
                _("Injury: %(cause)s, level %(level)s, AIS %(ais)s")
                % {
                    "cause": injury.get_cause_display(),
                    "level": injury.level,
                    "ais": injury.baseline_ais,
                },
            )
        )
    for i in patient.inquiries.all():
        events.append(
            Event(
                i.received_on,
                "inquiry",
                _("Inquiry (%(source)s): now %(status)s")
                % {"source": i.get_source_display(), "status": i.get_status_display()},
            )
        )
    for s in patient.screenings.select_related("protocol"):
        events.append(
            Event(
                s.screened_on,
                "screening",
                _("Screening %(protocol)s v%(version)s: %(decision)s")
                % {
                    "protocol": s.protocol.code,
                    "version": s.protocol.version,
                    "decision": s.get_decision_display(),
                },
            )
        )
    for a in patient.administrations.select_related("lot"):
        events.append(
            Event(
                a.administered_at.date(),
                "treatment",
                _("%(cells)s %(route)s, lot %(lot)s")
                % {
                    "cells": a.lot.get_cell_type_display(),
                    "route": a.get_route_display(),
                    "lot": a.lot.lot_number,
                },
            )
        )
    for ae in patient.adverse_events.all():
        events.append(
            Event(
                ae.onset_date,
                "adverse-event",
                _with_free_text(
                    _("Serious adverse event: %(term)s, grade %(grade)s")
                    if ae.serious
                    else _("Adverse event: %(term)s, grade %(grade)s"),
                    {"term": ae.term, "grade": ae.ctcae_grade},
                    free=("term",),
                ),
                flag="serious" if ae.serious else "",
            )
        )
    for v in patient.visits.all():
        late = v.status == "scheduled" and v.window_close < today
        events.append(
            Event(
                v.done_on or v.target_date,
                "visit",
                (
                    _("Visit %(visit)s: %(status)s (overdue)")
                    if late
                    else _("Visit %(visit)s: %(status)s")
                )
                % {"visit": visit_name(v), "status": v.get_status_display()},
                reverse("visit-detail", args=[v.pk]),
                "overdue" if late else "",
            )
        )
    for e in patient.exams.all() if drafts else patient.exams.signed():
        events.append(
            Event(
                e.exam_date,
                "exam",
                (
                    _("ISNCSCI exam: NLI %(nli)s, AIS %(ais)s")
                    if e.signed_at
                    else _("ISNCSCI exam: NLI %(nli)s, AIS %(ais)s (draft)")
                )
                % {"nli": e.nli or "?", "ais": e.ais or "?"},
                reverse("exam-detail", args=[e.pk]),
            )
        )
    for r in patient.instruments.all():
        name = instrument_name(r.instrument)
        total = "" if r.total is None else f": {r.total.normalize():f}"
        events.append(Event(r.recorded_on, "instrument", f"{name}{total}"))
    return sorted(events, key=lambda ev: (ev.on, ev.kind), reverse=True)
