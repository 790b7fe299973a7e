"""Helpers shared by the services: field errors, saving with audit, the reason rule."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models

from ..audit.chain import record_change, snapshot
from ..audit.models import AuditAction
from ..prepared_writes import insert, insertable

M = TypeVar("M", bound=models.Model)

#: No date of a record (birth, injury, exam, event, consent...) is earlier: an earlier one is a
#: typing error (1090 for 1990) or a placeholder, never a fact about a living patient.
EARLIEST_DATE = dt.date(1900, 1, 1)


class FieldErrors:
    """Collects messages per field, then raises them all at once."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(message)

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def check_dates(instance: models.Model) -> None:
    """Field errors for every date (or date-time) of ``instance`` before 1900."""
    errors = FieldErrors()
    for f in instance._meta.concrete_fields:
        if isinstance(f, models.DateField):  # date-times too (a subclass)
            value = getattr(instance, f.attname)
            day = value.date() if isinstance(value, dt.datetime) else value
            if day is not None and day < EARLIEST_DATE:
                errors.add(f.name, "is before 1900")
    errors.raise_if_any()


def create(actor: Any, instance: M, *, exclude: Sequence[str] = ()) -> M:
    """Validate, insert and audit a new record (call inside ``transaction.atomic``)."""
    check_dates(instance)
    instance.full_clean(exclude=list(exclude) or None)
    if insertable(instance):
        insert(instance)  # save()'s INSERT, compiled once per connection (ADR 0059)
    else:
        instance.save()
    record_change(actor, instance, None)
    return instance


def update(
    actor: Any,
    instance: M,
    changes: Mapping[str, Any],
    *,
    reason: str = "",
    exclude: Sequence[str] = (),
) -> M:
    """Apply ``changes``, validate, save and audit (old → new). Locked records need a reason."""
    require_reason_if_locked(instance, reason)
    before = snapshot(instance)
    for field, value in changes.items():
        setattr(instance, field, value)
    check_dates(instance)
    instance.full_clean(exclude=list(exclude) or None)
    instance.save()
    record_change(actor, instance, before, reason=reason)
    return instance


def delete(actor: Any, instance: models.Model, *, reason: str = "") -> None:
    """Delete and audit (the entry keeps every old value)."""
    require_reason_if_locked(instance, reason)
    before = snapshot(instance)
    pk = instance.pk
    record_change(actor, instance, before, reason=reason, action=AuditAction.DELETE)
    instance.delete()
    instance.pk = pk


def require_reason_if_locked(instance: models.Model, reason: str) -> None:
    """A signed (locked) record changes only with a stated reason (21 CFR 11.10(e))."""
    if getattr(instance, "locked", False) and not reason.strip():
        raise ValidationError({"reason": ["this record is signed: give a reason for the change"]})
