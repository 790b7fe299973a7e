"""Request and response bodies of the day-to-day trial operations: medications and medical
history (and, in later modules, queries, source verification and adverse-event follow-up)."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from ..monitoring.models import Target
from ..patients.models import MedicationRoute
from ..safety.models import FollowUpStatus, Outcome
from .schemas import In
from .vocabulary import Bool, Day, Id, Int, one_of


class MedicationIn(In):
    patient_id: Id
    name: str = Field(min_length=1, max_length=120)
    dose: str = Field(default="", max_length=60)
    route: str = one_of(["", *MedicationRoute.values], "", max_length=15)
    start_date: Day | None = None
    stop_date: Day | None = None
    indication: str = Field(default="", max_length=120)
    atc_code: str = Field(
        default="", max_length=7,
        description="WHO ATC code, only when the name is not one the registry recognises",
    )  # fmt: skip


class MedicationOut(Schema):
    id: int
    patient_id: int
    name: str
    dose: str
    route: str
    start_date: dt.date | None
    stop_date: dt.date | None
    indication: str
    atc_code: str = Field(description="entered, else identified from the name ('' if unknown)")
    classes: list[str] = Field(description="e.g. anticoagulant, immunosuppressant")


class MedicalHistoryIn(In):
    patient_id: Id
    condition: str = Field(min_length=1, max_length=120)
    onset_date: Day | None = None
    ongoing: Bool = True
    icd10: str = Field(default="", max_length=8)


class MedicalHistoryOut(Schema):
    id: int
    patient_id: int
    condition: str
    onset_date: dt.date | None
    ongoing: bool
    icd10: str


class QueryIn(In):
    target: str = one_of(Target.values)
    target_id: Id
    field: str = Field(
        default="", max_length=60,
        description="a field of the record (an exam cell such as c5RightMotor, onset_date...); "
        "empty: the whole record",
    )  # fmt: skip
    text: str = Field(min_length=1, max_length=2000)


class QueryAnswerIn(In):
    text: str = Field(min_length=1, max_length=2000)
    value: str | None = Field(
        None, max_length=120, description="the corrected value of the queried field"
    )
    reason: str = Field("", max_length=300, description="required with a corrected value")


class QueryNoteIn(In):
    text: str = Field("", max_length=2000)


class QueryMessageOut(Schema):
    kind: str
    author: str
    at: dt.datetime
    text: str
    correction: dict[str, str] | None


class QueryOut(Schema):
    id: int
    patient_id: int
    target: str
    target_id: int
    field: str
    text: str
    status: str = Field(description="open, answered or closed")
    raised_by: str
    raised_at: dt.datetime
    age_days: int
    messages: list[QueryMessageOut]


class VerifyIn(In):
    target: str = one_of(Target.values)
    target_id: Id
    fields: list[str] = Field(default_factory=list, description="empty: the whole record")


class VerificationOut(Schema):
    target: str
    target_id: int
    field: str
    verified_by: str
    verified_at: dt.datetime


class SdvKindOut(Schema):
    label: str
    verified: int
    total: int
    percent: float


class SdvOut(Schema):
    site: str
    exams: SdvKindOut
    adverse_events: SdvKindOut
    administrations: SdvKindOut


class ClockOut(Schema):
    report: str
    days: int
    aware: dt.date
    due: dt.date
    state: str = Field(description="due, overdue, met or late")
    reported_on: dt.date | None
    source: str


class FollowUpIn(In):
    date: Day
    status: str = one_of(FollowUpStatus.values)
    outcome: str = one_of(Outcome.values, description="sequelae: recovered with sequelae")
    ctcae_grade: Int | None = Field(None, ge=1, le=5, description="the grade now, if changed")
    reason: str = Field("", max_length=300, description="required when the grade changes")
    treatment: str = Field("", max_length=1000)
    note: str = Field("", max_length=2000)
    resolution_date: Day | None = None


class FollowUpOut(Schema):
    id: int
    event_id: int
    date: dt.date
    status: str
    grade_from: int
    grade_to: int
    grade_reason: str
    treatment: str
    outcome: str
    note: str
    author: str


class AdverseEventPatchIn(In):
    """A follow-up or resolution (grade, outcome, resolution date, treatment), and/or the
    reporting dates."""

    date: Day | None = Field(None, description="of the follow-up (default: today)")
    status: str | None = one_of(FollowUpStatus.values, None)
    outcome: str | None = one_of(Outcome.values, None)
    ctcae_grade: Int | None = Field(None, ge=1, le=5)
    reason: str = Field("", max_length=300, description="required when the grade changes")
    treatment: str = Field("", max_length=1000)
    note: str = Field("", max_length=2000)
    resolution_date: Day | None = None
    awareness_date: Day | None = None
    initial_report_date: Day | None = None
