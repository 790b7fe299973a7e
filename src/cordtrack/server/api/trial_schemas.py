"""Request and response bodies of the day-to-day trial operations: medications and medical
history (and, in later modules, queries, source verification and adverse-event follow-up)."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from .schemas import Id, In


class MedicationIn(In):
    patient_id: Id
    name: str = Field(min_length=1, max_length=120)
    dose: str = Field(default="", max_length=60)
    route: str = Field(default="", max_length=15, description="oral, intravenous, subcutaneous...")
    start_date: dt.date | None = None
    stop_date: dt.date | None = None
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
    onset_date: dt.date | None = None
    ongoing: bool = True
    icd10: str = Field(default="", max_length=8)


class MedicalHistoryOut(Schema):
    id: int
    patient_id: int
    condition: str
    onset_date: dt.date | None
    ongoing: bool
    icd10: str
