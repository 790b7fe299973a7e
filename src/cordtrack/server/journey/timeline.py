"""A patient's journey as one dated list: injury, inquiry, screening, treatments, adverse events,
visits, exams and instruments (newest first)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.urls import reverse

from cordtrack.clinical.instruments import INSTRUMENTS

from ..patients.models import Patient


@dataclass(frozen=True)
class Event:
    on: dt.date
    kind: str  # injury, inquiry, screening, treatment, adverse-event, visit, exam, instrument
    text: str
    url: str = ""
    flag: str = ""  # "serious", "overdue"... for emphasis


def timeline(patient: Patient, today: dt.date, *, drafts: bool = True) -> list[Event]:
    """The journey's events, newest first (``drafts``: include unsigned exams, for staff)."""
    events: list[Event] = []
    injury = getattr(patient, "injury", None)
    if injury is not None:
        events.append(
            Event(
                injury.injury_date,
                "injury",
                f"Injury: {injury.get_cause_display()}, "
                f"level {injury.level}, AIS {injury.baseline_ais}",
            )
        )
    for i in patient.inquiries.all():
        events.append(
            Event(
                i.received_on,
                "inquiry",
                f"Inquiry ({i.get_source_display()}): now {i.get_status_display()}",
            )
        )
    for s in patient.screenings.select_related("protocol"):
        events.append(
            Event(
                s.screened_on,
                "screening",
                f"Screening {s.protocol.code} v{s.protocol.version}: {s.get_decision_display()}",
            )
        )
    for a in patient.administrations.select_related("lot"):
        events.append(
            Event(
                a.administered_at.date(),
                "treatment",
                f"{a.lot.get_cell_type_display()} {a.get_route_display()}, lot {a.lot.lot_number}",
            )
        )
    for ae in patient.adverse_events.all():
        events.append(
            Event(
                ae.onset_date,
                "adverse-event",
                f"{'Serious adverse event' if ae.serious else 'Adverse event'}: "
                f"{ae.term}, grade {ae.ctcae_grade}",
                flag="serious" if ae.serious else "",
            )
        )
    for v in patient.visits.all():
        late = v.status == "scheduled" and v.window_close < today
        events.append(
            Event(
                v.done_on or v.target_date,
                "visit",
                f"Visit {v.label or v.code}: {v.get_status_display()}"
                f"{' (overdue)' if late else ''}",
                reverse("visit-detail", args=[v.pk]),
                "overdue" if late else "",
            )
        )
    for e in patient.exams.all() if drafts else patient.exams.signed():
        events.append(
            Event(
                e.exam_date,
                "exam",
                f"ISNCSCI exam: NLI {e.nli or '?'}, AIS {e.ais or '?'}"
                f"{'' if e.signed_at else ' (draft)'}",
                reverse("exam-detail", args=[e.pk]),
            )
        )
    for r in patient.instruments.all():
        name = INSTRUMENTS[r.instrument][0].name if r.instrument in INSTRUMENTS else r.instrument
        total = "" if r.total is None else f": {r.total.normalize():f}"
        events.append(Event(r.recorded_on, "instrument", f"{name}{total}"))
    return sorted(events, key=lambda ev: (ev.on, ev.kind), reverse=True)
