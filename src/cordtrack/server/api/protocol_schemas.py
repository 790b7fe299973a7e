"""Response bodies of the protocol endpoints (protocols as versioned data, issue 15)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema

from .schemas import In
from .vocabulary import Id


class ProtocolVersionOut(Schema):
    version_id: int = Field(description="this version's record id (screenings' protocol_id)")
    version: str
    status: str = Field(description="draft, active or retired")
    name: str
    design: str = Field(description="uncontrolled or randomised")
    arms: list[str] = Field(description="arm names (a randomised protocol has two or more)")
    arm_descriptions: dict[str, str]
    randomisation: dict[str, Any] = Field(
        description="strata factors and block sizes (never the seed or the list)"
    )
    criteria: list[dict[str, Any]]
    schedule: dict[str, Any]
    instruments: dict[str, list[str]]
    treatment_plan: dict[str, Any]
    based_on: int | None = Field(description="version_id of the version this one was drafted from")
    created_at: dt.datetime | None
    activated_at: dt.datetime | None
    activation_reason: str


class ProtocolOut(ProtocolVersionOut):
    id: str = Field(description="the protocol's code, stable across versions")
    versions: int = Field(description="how many versions (draft, active, retired) it has")


class RandomisationIn(In):
    """A randomisation is signed like every sign action: the randomiser re-enters their password
    (21 CFR 11.200); a wrong one is a 422 on ``password`` and allocates nothing."""

    patient_id: Id
    password: str = Field(
        max_length=200, description="the randomiser's password, re-entered for this signature"
    )


class RandomisationOut(Schema):
    id: int
    patient_id: int
    protocol_id: str = Field(description="the protocol's code")
    version_id: int = Field(description="the protocol version active when randomised")
    screening_id: int
    stratum: str
    arm: str
    randomised_at: dt.datetime


class AllocationRowOut(Schema):
    stratum: str
    sequence: int
    block: int
    block_size: int
    arm: str
    used: bool = Field(description="whether a randomisation has taken this row")


class AllocationListOut(Schema):
    protocol_id: str
    arms: list[str]
    factors: dict[str, list[str]]
    block_sizes: list[int]
    seed: int
    created_at: dt.datetime
    rows: list[AllocationRowOut]
