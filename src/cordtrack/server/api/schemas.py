"""Request and response bodies of the API (Pydantic, through django-ninja).

Request bodies use the strict types and documented choices of :mod:`.vocabulary`, so the OpenAPI
document says exactly what is accepted (tests/server/test_api_schema_contract.py).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict, ValidationInfo, WithJsonSchema, field_validator

from cordtrack.clinical.instruments import INSTRUMENTS

from ..intake.models import ReferralSource
from ..patients.models import Sex
from ..safety.models import Action, Outcome, Relatedness
from ..services.intake import ASSESSED_CONDITIONS
from ..therapy.models import CellType, Route, Source
from .vocabulary import (
    Bool,
    Day,
    Id,
    Int,
    Moment,
    Number,
    conditions_schema,
    exam_values_schema,
    one_of,
    unknown_exam_keys,
)

_VALUES_DOC = (
    "the flat exam keys of the published cases (c5RightMotor, s4_5LeftPrick, analContraction...), "
    "every value a string of the worksheet; all but the lowest non-key muscles are required "
    'unless "status" is "draft" ("" or a missing key is an empty cell)'
)
_DRAFT_VALUES = exam_values_schema(complete=False, description=_VALUES_DOC)
_COMPLETE_VALUES = exam_values_schema(complete=True, description=_VALUES_DOC)


def _known_exam_keys(values: dict[str, str]) -> dict[str, str]:
    unknown = unknown_exam_keys(values)
    if unknown:
        shown = ", ".join(repr(k) for k in unknown[:5])
        raise ValueError(f"not keys of the worksheet: {shown}")
    return values


def _no_nul(value: Any) -> Any:
    """PostgreSQL refuses NUL in text: refuse it here, as a field error."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("must not contain NUL characters")
    elif isinstance(value, dict):
        for k, v in value.items():
            # An exam's ~140 cells are text: checked here, without a call per key and value.
            if type(k) is str and type(v) is str:
                if "\x00" in k or "\x00" in v:
                    raise ValueError("must not contain NUL characters")
            else:
                _no_nul(k)
                _no_nul(v)
    elif isinstance(value, list):
        for v in value:
            _no_nul(v)
    return value


#: Text fields kept exactly as sent (every other text field is stripped, see :class:`In`).
AS_TYPED = frozenset({"password"})


class In(Schema):
    """Base of request bodies: unknown fields are refused, NUL characters too. A text field is
    stripped once it is valid, as Django's forms strip the same field on the pages: ``" X-1 "``
    is the lot ``X-1``, and ``"   "`` is blank (refused wherever the field is required), never
    a lot number, term or manufacturer made of spaces. A password is kept as typed."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return _no_nul(value)

    @field_validator("*", mode="after")
    @classmethod
    def _stripped(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, str) and info.field_name not in AS_TYPED:
            return value.strip()
        return value


class PatientIn(In):
    site: str = Field(max_length=5, description="site code, e.g. NTH")
    year_of_birth: Int = Field(ge=1900, le=2100)
    sex: str = one_of(Sex.values, description="F, M or X")
    received_on: Day | None = Field(None, description="the inquiry's date (default: today)")
    referral_source: str = one_of(ReferralSource.values, "self")


class PatientOut(Schema):
    id: int
    study_id: str
    site: str
    year_of_birth: int
    sex: str
    consent_status: str
    consent_date: dt.date | None
    consent_version: str


class ExamIn(In):
    # A complete exam (no status) fills every required cell; a draft any of them.
    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                {
                    "properties": {
                        "status": {"const": "draft"},
                        # at least one cell filled: not every value ""
                        "values": {"not": {"additionalProperties": {"const": ""}}},
                    },
                    "required": ["status"],
                },
                {"properties": {"status": {"type": "null"}, "values": _COMPLETE_VALUES}},
            ]
        }
    )

    patient_id: Id
    exam_date: Day
    visit_id: Id | None = Field(None, description="the protocol visit the exam belongs to")
    values: Annotated[dict[str, str], WithJsonSchema(_DRAFT_VALUES)]
    status: Literal["draft"] | None = Field(
        None,
        description='"draft": a half-filled exam is accepted (empty cells are taken as NT for '
        "a provisional classification); an exam is signed with POST /exams/{id}/sign",
    )

    _values = field_validator("values")(_known_exam_keys)


class ExamPatchIn(In):
    values: Annotated[
        dict[str, str],
        WithJsonSchema(
            exam_values_schema(
                complete=False,
                description='cells to change, merged into the stored values ("" empties a cell, '
                "allowed only while the exam is a draft)",
            )
        ),
    ] = Field(default_factory=dict)
    reason: str = Field("", max_length=500, description="required once the exam is signed")
    visit_id: Id | None = Field(None, description="link to this visit (null: to none)")

    _values = field_validator("values")(_known_exam_keys)


class SignIn(In):
    """The body of every sign action: the signer re-enters their password (21 CFR 11.200)."""

    password: str = Field(
        max_length=200, description="the signer's password, re-entered for this signature"
    )


class SignatureOut(Schema):
    id: int
    signer: str = Field(description="user name")
    printed_name: str = Field(description="the signer's full name at signing")
    meaning: Literal["authored", "reviewed", "approved"]
    signed_at: dt.datetime
    state: Literal["valid", "invalidated", "superseded"] = Field(
        description="invalidated: the record changed after signing (sign it again); "
        "superseded: signed again since"
    )
    valid: bool


class ExamOut(Schema):
    id: int
    patient_id: int
    visit_id: int | None
    exam_date: dt.date
    status: str = Field(description="draft until signed, then signed")
    complete: bool = Field(
        description="every cell filled; false: the classification is provisional"
    )
    values: dict[str, str]
    classification: dict[str, str] | None
    engine_version: str
    signed_at: dt.datetime | None
    signature: SignatureOut | None = Field(
        None, description="the latest signature of the exam's author, and whether it holds"
    )


class ScreeningIn(In):
    patient_id: Id
    protocol_id: Id
    screened_on: Day | None = None
    medically_stable: Bool | None = None
    conditions: Annotated[
        dict[str, Bool | None], WithJsonSchema(conditions_schema(ASSESSED_CONDITIONS))
    ] = Field(
        default_factory=dict,
        description="assessed conditions (true = present), e.g. active_infection",
    )


class ScreeningOut(Schema):
    id: int
    patient_id: int
    protocol_id: int
    screened_on: dt.date
    decision: str = Field(description="the proposal: eligible, not_eligible or needs_review")
    results: list[dict[str, Any]]
    confirmed_decision: str = Field(
        description="the clinician's signed decision (eligible, not_eligible), empty until then"
    )
    confirmation_reason: str
    signature: SignatureOut | None = Field(
        None, description="the latest signature of the decision (meaning approved)"
    )


class ConfirmIn(SignIn):
    decision: Literal["eligible", "not_eligible"]
    reason: str = Field(
        "", max_length=300,
        description="required when the decision departs from the proposal or the proposal "
        "needs review",
    )  # fmt: skip


class ReleaseTest(In):
    test: str = Field(max_length=100)
    result: str = Field(default="", max_length=100)
    passed: Bool


class LotIn(In):
    site: str = Field(max_length=5)
    lot_number: str = Field(max_length=40)
    manufacturer: str = Field(max_length=100)
    cell_type: str = one_of(CellType.values)
    source: str = one_of(Source.values)
    manufactured_on: Day
    expires_on: Day
    viability_pct: Decimal = Field(ge=0, le=100, max_digits=5, decimal_places=2)
    cell_count: Int = Field(ge=1, le=2**62)
    release_tests: list[ReleaseTest]
    source_patient_id: Id | None = None
    donor_code: str = Field(default="", max_length=40)


class LotOut(Schema):
    id: int
    site: str
    lot_number: str
    manufacturer: str
    cell_type: str
    source: str
    source_patient_id: int | None
    manufactured_on: dt.date
    expires_on: dt.date
    viability_pct: Decimal
    cell_count: int
    tests_passed: bool = Field(description="every release test passed")
    released: bool = Field(description="tests passed and the release signed (POST .../release)")
    release: SignatureOut | None = Field(
        None, description="the latest release signature (meaning approved) and whether it holds"
    )


class Vitals(In):
    hr: Number
    sbp: Number
    dbp: Number
    temp_c: Number
    spo2: Number


class VitalsByPhase(In):
    before: Vitals
    during: Vitals
    after: Vitals


class AdministrationIn(In):
    patient_id: Id
    lot_id: Id
    administered_at: Moment
    route: str = one_of(Route.values)
    dose_total_cells: Int = Field(ge=1, le=2**62)
    weight_kg: Decimal = Field(ge=0, le=1000, max_digits=5, decimal_places=1)
    vitals: VitalsByPhase = Field(description="before, during and after")


class AdministrationOut(Schema):
    id: int
    patient_id: int
    lot_id: int
    administered_at: dt.datetime
    route: str
    dose_total_cells: int
    weight_kg: Decimal
    dose_per_kg: int


class AdverseEventIn(In):
    patient_id: Id
    term: str = Field(max_length=120)
    onset_date: Day
    resolution_date: Day | None = None
    ctcae_grade: Int = Field(ge=1, le=5)
    death: Bool = False
    life_threatening: Bool = False
    hospitalisation: Bool = False
    disability: Bool = False
    congenital_anomaly: Bool = False
    important_medical_event: Bool = False
    relatedness: str = one_of(Relatedness.values)
    expected: Bool
    action: str = one_of(Action.values)
    outcome: str = one_of(Outcome.values)
    administration_id: Id | None = None
    lot_id: Id | None = None
    awareness_date: Day | None = Field(
        None, description="first knowledge (default: today); a serious event's clock starts here"
    )
    initial_report_date: Day | None = None
    baseline: Bool = Field(
        False,
        description="a pre-treatment condition (onset before consent or the first "
        "administration): recorded, never counted as treatment-emergent",
    )


class AdverseEventOut(Schema):
    id: int
    patient_id: int
    term: str
    onset_date: dt.date
    resolution_date: dt.date | None
    ctcae_grade: int
    serious: bool
    relatedness: str
    expected: bool
    action: str
    outcome: str
    administration_id: int | None
    lot_id: int | None
    signed_at: dt.datetime | None
    status: str = Field(description="open until closed")
    resolved: bool
    awareness_date: dt.date | None
    initial_report_date: dt.date | None
    closed_at: dt.datetime | None
    baseline: bool


class VisitOut(Schema):
    id: int
    patient_id: int
    code: str
    label: str
    target_day: int
    target_date: dt.date
    window_open: dt.date
    window_close: dt.date
    status: str
    done_on: dt.date | None


class VisitDoneIn(In):
    done_on: Day
    reason: str = Field(default="", max_length=500)


class InstrumentIn(In):
    patient_id: Id
    instrument: str = one_of(sorted(INSTRUMENTS), max_length=20)
    responses: dict[str, Any]
    recorded_on: Day
    visit_id: Id | None = None


class InstrumentOut(Schema):
    id: int
    patient_id: int
    visit_id: int | None
    instrument: str
    responses: dict[str, Any]
    score: dict[str, Any]
    total: Decimal | None
    recorded_on: dt.date


class PatientReportOut(Schema):
    patient_id: int
    study_id: str
    exams: int
    latest_exam_date: dt.date | None
    latest_nli: str
    latest_ais: str
    administrations: int
    adverse_events: int
    serious_adverse_events: int
    visits_done: int
    visits_missed: int
    visits_scheduled: int


class SiteReportOut(Schema):
    site: str
    patients: int
    consented: int
    treated: int
    exams: int
    adverse_events: int
    serious_adverse_events: int
