"""The hot path's writes compiled to SQL once per database connection (ADR 0059).

``Model.save()`` of a new row compiles its ``INSERT`` every time: it lists the fields, asks each
for its placeholder, quotes every column, assembles the statement and its ``RETURNING`` clause.
On the exam save (``POST /api/v1/exams``) that was a quarter of the request's Python work
(``make bench-save --profile``) for two statements whose SQL never changes: the exam and its
audit entry. :func:`insert` compiles the ``INSERT`` of a model with Django's own compiler on a
connection's first use, then runs that SQL with each new row's values, converted exactly as
``save()`` converts them (each field's ``pre_save`` and ``get_db_prep_save``), and sets what
the database returns (the id) as ``save()`` does. ``pre_save`` and ``post_save`` are still sent,
so a receiver sees the same row; the instance ends as ``save()`` leaves it (``_state``).

Only what ``save()`` would do for a new row of a model without parents, with an automatic
primary key not yet set: anything else is refused before a statement is sent. The model's own
``save()`` is not called: a model that overrides it is refused unless the caller says that its
override is only a guard against updates (``overrides_save_only_for_updates``). A value that is
an SQL expression (``F()``, ``Now()``) would change the statement: such a row is saved with
``save()`` instead.
"""

from __future__ import annotations

from typing import Any

from django.db import DatabaseError, connections, models, transaction
from django.db.models.signals import post_save, pre_save
from django.db.models.sql import InsertQuery, UpdateQuery


class _InsertPlan:
    """The ``INSERT`` of one model, compiled for one connection."""

    __slots__ = ("compiler", "converters", "fields", "returning", "sql")

    def __init__(self, instance: models.Model, db: str) -> None:
        meta = instance._meta
        self.fields: list[Any] = [
            f for f in meta.local_concrete_fields if not f.generated and f is not meta.auto_field
        ]
        if any(hasattr(f, "get_placeholder") for f in self.fields):
            raise TypeError(f"{meta.label}: a field with its own placeholder is not prepared")
        if not connections[db].features.can_return_columns_from_insert:
            raise TypeError("the database cannot return the new row's id from its INSERT")
        self.returning = list(meta.db_returning_fields)
        query = InsertQuery(meta.model)
        query.insert_values(self.fields, [instance])
        self.compiler = compiler = query.get_compiler(using=db)
        compiler.returning_fields = self.returning
        ((sql, params),) = compiler.as_sql()
        if len(params) != len(self.fields) or compiler.returning_params:
            raise TypeError(f"{meta.label}: each field must be one parameter of {sql!r}")
        self.sql = sql
        self.converters = compiler.get_converters(
            [f.get_col(meta.db_table) for f in self.returning]
        )


class _UpdatePlan:
    """The ``UPDATE`` of some columns of a model's row, by primary key, for one connection."""

    __slots__ = ("fields", "sql")

    def __init__(self, instance: models.Model, names: tuple[str, ...], db: str) -> None:
        meta = instance._meta
        self.fields: list[Any] = [meta.get_field(n) for n in names]
        if any(not f.concrete or f.primary_key or f.generated for f in self.fields):
            raise TypeError(f"{meta.label}: only stored columns other than the key are updated")
        if any(hasattr(f, "get_placeholder") for f in self.fields):
            raise TypeError(f"{meta.label}: a field with its own placeholder is not prepared")
        query = UpdateQuery(meta.model)
        query.add_q(models.Q(pk=instance.pk))
        query.add_update_fields([(f, None, getattr(instance, f.attname)) for f in self.fields])
        sql, params = query.get_compiler(using=db).as_sql()
        if len(params) != len(self.fields) + 1:
            raise TypeError(f"{meta.label}: each column and the key must be a parameter: {sql!r}")
        self.sql = sql


def _plans(connection: Any, name: str) -> dict[Any, Any]:
    """This connection's compiled statements of one kind (one connection per thread)."""
    plans: dict[Any, Any] | None = getattr(connection, name, None)
    if plans is None:
        plans = {}
        setattr(connection, name, plans)
    return plans


def _prepped(instance: models.Model, fields: list[Any], add: bool, connection: Any) -> list[Any]:
    """The fields' values as ``save()`` sends them (``pre_save``, then ``get_db_prep_save``)."""
    values = [f.pre_save(instance, add) for f in fields]
    if any(hasattr(v, "resolve_expression") for v in values):
        raise TypeError(f"{instance._meta.label}: an SQL expression is saved with save()")
    return [
        f.get_db_prep_save(v, connection=connection) for f, v in zip(fields, values, strict=True)
    ]


def insertable(instance: models.Model, *, overrides_save_only_for_updates: bool = False) -> bool:
    """Whether :func:`insert` does for ``instance`` what ``save()`` would: a new row (no primary
    key yet, automatic) of a model without parents, whose ``save()`` is Django's (or, said by the
    caller, overridden only to refuse updates), holding no SQL expression."""
    meta = instance._meta
    return not (
        meta.parents
        or meta.proxy
        or meta.auto_created
        or meta.order_with_respect_to
        or meta.auto_field is None
        or not meta.auto_field.primary_key
        or not instance._state.adding
        or instance.pk is not None
        or (type(instance).save is not models.Model.save and not overrides_save_only_for_updates)
        or any(hasattr(v, "resolve_expression") for v in instance.__dict__.values())
    )


def insert(
    instance: models.Model, *, using: str = "default", overrides_save_only_for_updates: bool = False
) -> None:
    """Insert the new ``instance`` as ``instance.save()`` would (see :func:`insertable`), with
    SQL compiled once per connection; its primary key (any returned column) is set on it."""
    if not insertable(instance, overrides_save_only_for_updates=overrides_save_only_for_updates):
        raise TypeError(f"{instance._meta.label}: not a row insert() saves as save() would")
    instance._prepare_related_fields_for_save(operation_name="save")  # type: ignore[attr-defined]
    connection, origin = connections[using], type(instance)
    pre_save.send(sender=origin, instance=instance, raw=False, using=using, update_fields=None)
    plans = _plans(connection, "_cordtrack_inserts")
    plan: _InsertPlan = plans.get(origin) or plans.setdefault(origin, _InsertPlan(instance, using))
    params = _prepped(instance, plan.fields, True, connection)
    with transaction.mark_for_rollback_on_error(using=using), connection.cursor() as cursor:
        cursor.execute(plan.sql, params)
        returned = [connection.ops.fetch_returned_insert_columns(cursor, ())]
    if plan.converters:
        returned = list(plan.compiler.apply_converters(returned, plan.converters))
    for value, field in zip(returned[0], plan.returning, strict=True):
        setattr(instance, field.attname, value)
    instance._state.db = using
    instance._state.adding = False
    post_save.send(
        sender=origin, instance=instance, created=True, update_fields=None, raw=False, using=using
    )


def update(instance: models.Model, *names: str, using: str = "default") -> None:
    """``instance.save(update_fields=names)`` with SQL compiled once per connection; as
    ``save()``, a ``DatabaseError`` when no row has the instance's primary key."""
    meta = instance._meta
    if meta.parents or meta.proxy or not names or instance.pk is None:
        raise TypeError(f"{meta.label}: update() saves columns of a stored row without parents")
    if type(instance).save is not models.Model.save:
        raise TypeError(f"{meta.label}: overrides save(), which update() would not call")
    connection, origin, update_fields = connections[using], type(instance), frozenset(names)
    pre_save.send(
        sender=origin, instance=instance, raw=False, using=using, update_fields=update_fields
    )
    plans = _plans(connection, "_cordtrack_updates")
    plan: _UpdatePlan = plans.get((origin, names)) or plans.setdefault(
        (origin, names), _UpdatePlan(instance, names, using)
    )
    params = _prepped(instance, plan.fields, False, connection)
    params.append(meta.pk.get_db_prep_value(instance.pk, connection))
    with transaction.mark_for_rollback_on_error(using=using), connection.cursor() as cursor:
        cursor.execute(plan.sql, params)
        updated = cursor.rowcount
    if updated < 1:
        raise DatabaseError("Save with update_fields did not affect any rows.")
    instance._state.db = using
    post_save.send(
        sender=origin, instance=instance, created=False, update_fields=update_fields, raw=False,
        using=using,
    )  # fmt: skip
