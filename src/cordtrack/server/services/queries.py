"""Data queries: raised by a monitor or data manager on a record or one field, answered by the
site (optionally correcting the value, with a reason, through the record's correction service),
closed or re-opened by the raising side. Every step is validated, audited and site-scoped."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from ..access import Cap, can, require, scoped, site_ids
from ..monitoring.models import DataQuery, MessageKind, QueryMessage, QueryStatus
from ..monitoring.targets import TARGETS, TargetKind
from .base import FieldErrors, create, update

MAX_TEXT = 2000


def target_record(actor: Any, target: str, target_id: int) -> tuple[TargetKind, Any]:
    """The target kind and the record, if ``actor`` may see it; a field error otherwise (an
    unknown kind, or a record of another site: not found)."""
    errors = FieldErrors()
    kind = TARGETS.get(target)
    if kind is None:
        errors.add("target", f"must be one of {', '.join(TARGETS)}")
        errors.raise_if_any()
    assert kind is not None
    record = scoped(actor, kind.model._default_manager.all()).filter(pk=target_id).first()
    if record is None:
        errors.add("target_id", f"no {kind.label.lower()} {target_id} that you may see")
        errors.raise_if_any()
    return kind, record


def _text(errors: FieldErrors, text: str, *, required: bool = True) -> str:
    text = (text or "").strip()
    if required and not text:
        errors.add("text", "is required")
    if len(text) > MAX_TEXT:
        errors.add("text", f"is longer than {MAX_TEXT} characters")
    return text


def _message(actor: Any, query: DataQuery, kind: str, text: str, **extra: Any) -> QueryMessage:
    return create(
        actor, QueryMessage(query=query, kind=kind, author=actor, at=timezone.now(), text=text,
                            **extra)
    )  # fmt: skip


def raise_query(actor: Any, target: str, target_id: int, field: str, text: str) -> DataQuery:
    """A new open query on a record (``field`` empty) or one of its fields."""
    kind, record = target_record(actor, target, target_id)
    require(actor, record_site(record), Cap.QUERIES)
    errors = FieldErrors()
    field = (field or "").strip()
    if field and field not in kind.fields:
        errors.add("field", f"{field!r} is not a field of a {kind.label.lower()}")
    text = _text(errors, text)
    errors.raise_if_any()
    with transaction.atomic():
        query = create(
            actor,
            DataQuery(patient_id=record.patient_id, target=kind.code, target_id=record.pk,
                      field=field, text=text, raised_by=actor, raised_at=timezone.now()),
        )  # fmt: skip
        _message(actor, query, MessageKind.RAISED, text)
    return query


def record_site(record: Any) -> int:
    from ..access import site_id_of

    return site_id_of(record)


def may_answer(actor: Any, query: DataQuery) -> bool:
    site = query.patient.site_id
    return can(actor, site, Cap.CLINICAL) or can(actor, site, Cap.INTAKE)


def answer_query(
    actor: Any, query: DataQuery, text: str, *, value: str | None = None, reason: str = ""
) -> DataQuery:
    """The site's answer; with ``value`` the queried field is corrected (``reason`` required)
    through the record's correction service, in the same transaction."""
    if not may_answer(actor, query):
        raise PermissionDenied("role does not allow answering queries at this site")
    errors = FieldErrors()
    if query.status == QueryStatus.CLOSED:
        errors.add("status", "this query is closed: it can be re-opened by its raiser's side")
    text = _text(errors, text)
    kind = TARGETS[query.target]
    correcting = value is not None
    if correcting and not query.field:
        errors.add("value", "this query is about the whole record: correct it on its page")
    if correcting and not reason.strip():
        errors.add("reason", "is required to correct a value")
    if correcting and kind.corrector is None:
        errors.add("value", f"a {kind.label.lower()} is corrected on its page")
    errors.raise_if_any()
    with transaction.atomic():
        correction = None
        if correcting:
            assert value is not None
            assert kind.corrector is not None
            record = kind.model._default_manager.select_for_update().get(pk=query.target_id)
            old = kind.value(record, query.field)
            kind.corrector(actor, record, query.field, value, reason.strip())
            record.refresh_from_db()
            correction = {"field": query.field, "old": old, "new": kind.value(record, query.field),
                          "reason": reason.strip()}  # fmt: skip
        _message(actor, query, MessageKind.ANSWERED, text, correction=correction)
        return update(actor, query, {"status": QueryStatus.ANSWERED, "answered_at": timezone.now()})


def close_query(actor: Any, query: DataQuery, text: str = "") -> DataQuery:
    """Close (the raising side: monitors, data managers). A clinician cannot."""
    require(actor, query.patient.site_id, Cap.QUERIES)
    errors = FieldErrors()
    if query.status == QueryStatus.CLOSED:
        errors.add("status", "this query is already closed")
    text = _text(errors, text, required=False)
    errors.raise_if_any()
    with transaction.atomic():
        _message(actor, query, MessageKind.CLOSED, text)
        return update(
            actor, query,
            {"status": QueryStatus.CLOSED, "closed_by": actor, "closed_at": timezone.now()},
        )  # fmt: skip


def reopen_query(actor: Any, query: DataQuery, text: str) -> DataQuery:
    """Re-open a closed query, saying why."""
    require(actor, query.patient.site_id, Cap.QUERIES)
    errors = FieldErrors()
    if query.status != QueryStatus.CLOSED:
        errors.add("status", "only a closed query is re-opened")
    text = _text(errors, text)
    errors.raise_if_any()
    with transaction.atomic():
        _message(actor, query, MessageKind.REOPENED, text)
        return update(
            actor, query, {"status": QueryStatus.OPEN, "closed_by": None, "closed_at": None}
        )


def get_query(actor: Any, pk: int) -> DataQuery:
    """A query the user may see (404 otherwise, whether or not it exists)."""
    # Staff only: a patient user never sees the queries on their record (staff notes).
    query = (
        DataQuery.objects.select_related("patient", "raised_by")
        .filter(pk=pk, patient__site__in=site_ids(actor, Cap.READ))
        .first()
    )
    if query is None:
        raise Http404("No such query")
    return query
