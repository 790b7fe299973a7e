"""Data queries and source data verification."""

# No ``from __future__ import annotations`` here: django-ninja reads the operations' annotations
# at import time (Query[...], pagination), and string annotations break that.

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from ...access import Cap, site_ids
from ...monitoring.models import DataQuery, QueryStatus, SourceVerification
from ...services import queries as query_services
from ...services import verification
from ...services.base import FieldErrors
from ..errors import responses
from ..idempotency import OPENAPI_EXTRA, idempotent
from ..pagination import Paged, Pages
from ..trial_schemas import (
    QueryAnswerIn,
    QueryIn,
    QueryMessageOut,
    QueryNoteIn,
    QueryOut,
    SdvKindOut,
    SdvOut,
    VerificationOut,
    VerifyIn,
)
from ..vocabulary import MAX_ID
from . import checked_id, site_of, user_of

router = Router()


class QueryFilter(Schema):
    status: str | None = None
    target: str | None = None
    target_id: int | None = None
    patient_id: int | None = None


def query_out(q: DataQuery) -> dict[str, Any]:
    thread = [
        QueryMessageOut(
            kind=m.kind, author=m.author.username, at=m.at, text=m.text, correction=m.correction
        )
        for m in q.messages.select_related("author")
    ]
    return QueryOut(
        id=q.pk, patient_id=q.patient_id, target=q.target, target_id=q.target_id, field=q.field,
        text=q.text, status=q.status, raised_by=q.raised_by.username, raised_at=q.raised_at,
        age_days=(timezone.now() - q.raised_at).days, messages=thread,
    ).model_dump(mode="json")  # fmt: skip


def _query(request: HttpRequest, query_id: int) -> DataQuery:
    return query_services.get_query(user_of(request), checked_id(query_id))


@router.get("/queries", response=responses(200, list[QueryOut]), tags=["queries"])
@paginate(Pages)
def list_queries(request: HttpRequest, filters: Query[QueryFilter]) -> Any:
    """Queries of the user's sites, oldest first; ``?status=open`` (open, answered, closed)."""
    user = user_of(request)  # staff only: queries are not shown to patient users
    rows = DataQuery.objects.select_related("raised_by").filter(
        patient__site__in=site_ids(user, Cap.READ)
    )
    errors = FieldErrors()
    if filters.status is not None:
        if filters.status not in QueryStatus.values:
            errors.add("status", f"must be one of {', '.join(QueryStatus.values)}")
        rows = rows.filter(status=filters.status)
    errors.raise_if_any()
    if filters.target:
        rows = rows.filter(target=filters.target.replace("\x00", ""))
    for name in ("target_id", "patient_id"):
        value = getattr(filters, name)
        if value is not None:
            rows = rows.filter(**{name: value}) if 1 <= value <= MAX_ID else rows.none()
    return Paged(rows.order_by("raised_at", "pk"), query_out)


@router.get("/queries/{query_id}", response=responses(200, QueryOut), tags=["queries"])
def get_query(request: HttpRequest, query_id: int) -> dict[str, Any]:
    return query_out(_query(request, query_id))


@router.post(
    "/queries", response=responses(201, QueryOut), tags=["queries"], openapi_extra=OPENAPI_EXTRA
)
@idempotent
def create_query(request: HttpRequest, payload: QueryIn) -> Status[dict[str, Any]]:
    """Raise a query on a record or one field (monitors, data managers)."""
    query = query_services.raise_query(
        user_of(request), payload.target, payload.target_id, payload.field, payload.text
    )
    return Status(201, query_out(query))


@router.post(
    "/queries/{query_id}/answer",
    response=responses(200, QueryOut),
    tags=["queries"],
    openapi_extra=OPENAPI_EXTRA,
)
@idempotent
def answer_query(request: HttpRequest, query_id: int, payload: QueryAnswerIn) -> dict[str, Any]:
    """The site's answer (clinicians, coordinators, data managers); ``value`` with ``reason``
    corrects the queried field through the record's correction service."""
    query = query_services.answer_query(
        user_of(request), _query(request, query_id), payload.text, value=payload.value,
        reason=payload.reason,
    )  # fmt: skip
    return query_out(query)


@router.post(
    "/queries/{query_id}/close",
    response=responses(200, QueryOut),
    tags=["queries"],
    openapi_extra=OPENAPI_EXTRA,
)
@idempotent
def close_query(request: HttpRequest, query_id: int, payload: QueryNoteIn) -> dict[str, Any]:
    """Close a query (monitors, data managers; a clinician cannot)."""
    return query_out(query_services.close_query(user_of(request), _query(request, query_id),
                                                payload.text))  # fmt: skip


@router.post(
    "/queries/{query_id}/reopen",
    response=responses(200, QueryOut),
    tags=["queries"],
    openapi_extra=OPENAPI_EXTRA,
)
@idempotent
def reopen_query(request: HttpRequest, query_id: int, payload: QueryNoteIn) -> dict[str, Any]:
    """Re-open a closed query, saying why (monitors, data managers)."""
    return query_out(query_services.reopen_query(user_of(request), _query(request, query_id),
                                                 payload.text))  # fmt: skip


class SdvFilter(Schema):
    site: str


@router.get("/sdv", response=responses(200, SdvOut), tags=["source verification"])
def sdv_progress(request: HttpRequest, filters: Query[SdvFilter]) -> dict[str, Any]:
    """Per site: verified records of its signed exams, adverse events and administrations."""
    site = site_of(request, filters.site.replace("\x00", ""))  # PostgreSQL refuses NUL
    progress = verification.progress(site)

    def kind(key: str) -> SdvKindOut:
        p = progress[key]
        return SdvKindOut(label=p.label, verified=p.verified, total=p.total, percent=p.percent)

    return SdvOut(
        site=site.code, exams=kind("exam"), adverse_events=kind("adverse_event"),
        administrations=kind("administration"),
    ).model_dump(mode="json")  # fmt: skip


@router.post(
    "/sdv",
    response=responses(201, list[VerificationOut]),
    tags=["source verification"],
    openapi_extra=OPENAPI_EXTRA,
)
@idempotent
def create_verification(request: HttpRequest, payload: VerifyIn) -> Status[list[dict[str, Any]]]:
    """Mark a record, or fields of it, verified against source (monitors)."""
    verification.verify(user_of(request), payload.target, payload.target_id, payload.fields)
    marks = SourceVerification.objects.filter(
        target=payload.target, target_id=payload.target_id
    ).select_related("verified_by")
    return Status(201, [
        {"target": m.target, "target_id": m.target_id, "field": m.field,
         "verified_by": m.verified_by.username, "verified_at": m.verified_at.isoformat()}
        for m in marks.order_by("field")
    ])  # fmt: skip
