"""Rows of the registry's tables built as plain dicts and inserted in bulk: ``COPY`` on PostgreSQL.

The generator writes millions of rows. Building a Django model instance per row (its
``__init__``, descriptors, ``post_init`` signal) and letting ``bulk_create`` compile multi-row
``INSERT`` statements cost most of its time (cProfile, docs/synthetic-data.md). A :class:`Row`
is a dict of column values keyed by attribute name (``patient_id``) with its primary key reserved
at once, so children can name their parents before anything is sent; :meth:`Tables.flush`
writes each model's rows in one ``COPY ... FROM STDIN`` (psycopg 3's ``Cursor.copy``) on
PostgreSQL, or one ``executemany`` on SQLite. Values are what the model would hold: fields left
out take the model field's default (``auto_now_add`` the chunk's time), a foreign key given as a
row or an instance becomes its key, JSON is sent as ``Jsonb`` (PostgreSQL) or through the field's
``get_db_prep_save`` (SQLite), as Django's own insert does.

Keys: PostgreSQL reserves them from the table's identity sequence in blocks (``nextval`` over
``generate_series``); SQLite, whose writers are serialised (``transaction_mode IMMEDIATE``), counts
on from the table's largest key. Row triggers fire for ``COPY`` as for ``INSERT``.
"""

from __future__ import annotations

import enum
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

import orjson
from django.db import connection, models
from django.utils import timezone
from psycopg.types.json import Jsonb

__all__ = ["Row", "Tables"]

_KEY_BLOCK: Final = 5000


class Row(dict[str, Any]):
    """One row to insert: column values by attribute name; ``row.patient_id``, ``row.pk``."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def pk(self) -> int:
        key: int = self["id"]
        return key


def _json_dumps(encoder: type[json.JSONEncoder] | None) -> Callable[[Any], str]:
    def dumps(value: Any) -> str:
        if encoder is None:
            try:
                return orjson.dumps(value).decode()
            except TypeError:  # a type orjson does not know: the field's own way
                pass
        return json.dumps(value, cls=encoder)

    return dumps


_PLAIN_FIELDS: Final = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.DateField,
    models.DecimalField,
    models.FloatField,
    models.ForeignKey,
    models.AutoField,
    models.BigAutoField,
)  # fmt: skip  (DateTimeField is a DateField; every integer field an IntegerField)


def _copy_value(field: models.Field[Any, Any]) -> Callable[[Any], Any] | None:
    """How a field's value becomes what ``COPY`` sends (None: as it is, adapted by psycopg as in
    an INSERT). A choices member is sent as its value (psycopg sends an Enum's name)."""
    if isinstance(field, models.JSONField):
        dumps = _json_dumps(field.encoder)
        return lambda value: None if value is None else Jsonb(value, dumps=dumps)
    if isinstance(field, _PLAIN_FIELDS):
        if field.choices:
            return lambda value: value.value if isinstance(value, enum.Enum) else value
        return None
    return lambda value: field.get_db_prep_save(value, connection)


@dataclass
class _Plan:
    """What a model's rows need: columns, foreign keys by name, defaults of fields left out."""

    model: type[models.Model]
    fields: list[models.Field[Any, Any]]
    relations: dict[str, str]  # "patient" -> "patient_id"
    constants: dict[str, Any]
    factories: dict[str, Callable[[], Any]]

    @classmethod
    def of(cls, model: type[models.Model], now: Any) -> _Plan:
        fields = list(model._meta.concrete_fields)
        if model._meta.pk.attname != "id":
            raise TypeError(f"{model._meta.label}: rows need an 'id' primary key")
        relations = {f.name: f.attname for f in fields if f.is_relation}
        constants: dict[str, Any] = {}
        factories: dict[str, Callable[[], Any]] = {}
        for f in fields:
            if f.primary_key:
                continue
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                constants[f.attname] = now
            elif f.has_default() and callable(f.default):
                factories[f.attname] = f.default
            else:
                constants[f.attname] = f.get_default()
        return cls(model, fields, relations, constants, factories)


class Tables:
    """Rows waiting to be inserted, by model, in the order their models were first used."""

    def __init__(self) -> None:
        self.now = timezone.now()
        self._plans: dict[type[models.Model], _Plan] = {}
        self._keys: dict[type[models.Model], list[int]] = {}
        self._rows: dict[type[models.Model], list[Row]] = {}

    @property
    def filled(self) -> list[type[models.Model]]:
        """The models rows were made for, in the order first used."""
        return list(self._plans)

    def new(self, model: type[models.Model], **values: Any) -> Row:
        """A row of ``model`` with ``values`` (foreign keys by name, as a row or an instance, or
        by ``..._id``); its key is reserved now."""
        plan = self._plans.get(model)
        if plan is None:
            plan = self._plans[model] = _Plan.of(model, self.now)
            self._rows[model] = []
        row = Row(plan.constants)
        for name, factory in plan.factories.items():
            row[name] = factory()
        relations = plan.relations
        for name, value in values.items():
            attname = relations.get(name)
            if attname is None:
                row[name] = value
            else:
                row[attname] = None if value is None else value.pk
        row["id"] = self._key(model)
        self._rows[model].append(row)
        return row

    def _key(self, model: type[models.Model]) -> int:
        keys = self._keys.get(model)
        if not keys:
            keys = self._keys[model] = self._reserve(model)
        return keys.pop()

    def _reserve(self, model: type[models.Model]) -> list[int]:
        """A block of unused keys, smallest last (popped first)."""
        table = connection.ops.quote_name(model._meta.db_table)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [table, _KEY_BLOCK],
                )
                return sorted((row[0] for row in cursor.fetchall()), reverse=True)
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
            (largest,) = cursor.fetchone()
            pending = self._rows.get(model) or []
            start = max([largest, *(r["id"] for r in pending[-1:])]) + 1
            return list(range(start + _KEY_BLOCK - 1, start - 1, -1))

    def flush(self) -> Counter[str]:
        """Insert every waiting row (inside the caller's transaction); rows per model label."""
        counts: Counter[str] = Counter()
        for model, rows in self._rows.items():
            if rows:
                plan = self._plans[model]
                if connection.vendor == "postgresql":
                    _copy(plan, rows)
                else:
                    _executemany(plan, rows)
                counts[model._meta.label_lower] += len(rows)
            self._rows[model] = []
        return counts


def _copy(plan: _Plan, rows: list[Row]) -> None:
    quote = connection.ops.quote_name
    columns = [(f.attname, _copy_value(f)) for f in plan.fields]
    statement = (
        f"COPY {quote(plan.model._meta.db_table)} "
        f"({', '.join(quote(f.column) for f in plan.fields)}) FROM STDIN"
    )
    connection.ensure_connection()
    with connection.connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(
                [row[name] if convert is None else convert(row[name]) for name, convert in columns]
            )


def _executemany(plan: _Plan, rows: list[Row]) -> None:
    quote = connection.ops.quote_name
    names = ", ".join(quote(f.column) for f in plan.fields)
    marks = ", ".join(["%s"] * len(plan.fields))
    statement = f"INSERT INTO {quote(plan.model._meta.db_table)} ({names}) VALUES ({marks})"
    params = [[f.get_db_prep_save(row[f.attname], connection) for f in plan.fields] for row in rows]
    with connection.cursor() as cursor:
        cursor.executemany(statement, params)
