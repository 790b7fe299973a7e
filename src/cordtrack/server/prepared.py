"""Queries compiled to SQL once per database connection, then run with new values (ADR 0057).

Django compiles a queryset to SQL every time it runs: it resolves the filters, the selected
columns, the joins of ``select_related``, the ordering, and quotes every name. On the exam save
path (``POST /api/v1/exams``) that compilation was the largest single cost of the request, more
than the classification and the database together (``make bench-save --profile``), for queries
whose SQL never changes: only their values do (which token, which patient).

A :class:`Prepared` query is declared once with a function that builds the queryset from its
arguments. On a connection's first use it is built with probe values, compiled by Django as
usual, and the position of each argument among the SQL parameters is noted; later calls run the
same SQL with the arguments in those positions, and turn the rows into model instances (or
tuples) exactly as Django's own iterables do (the same converters, ``from_db``,
``select_related`` populators). The cache lives on the connection object (one per thread), so
nothing compiled for one database or thread is used by another.

Only for querysets whose shape does not depend on anything but the arguments: a manager that
filters by request state (``blinding.HiddenWhenBlinded``) must not be used here (its filter
would be frozen at the first call); the plain and ``_base_manager`` managers are fine.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.db import connections, models
from django.db.models.query import (  # type: ignore[attr-defined]  # populators: not in the stubs
    FlatValuesListIterable,
    ModelIterable,
    ValuesListIterable,
    get_related_populators,
)
from django.db.transaction import TransactionManagementError

T = TypeVar("T")

#: Probe values by argument kind: unlike any value a caller passes, and within every column's
#: range (Django refuses an integer lookup outside its field's range before compiling it).
_PROBES: dict[type, Callable[[int], Any]] = {
    int: lambda i: 2_000_000_011 + i,
    str: lambda i: f"\x1ecordtrack-probe-{i}\x1e",
}


class _Plan:
    """One query compiled for one connection: its SQL, where each argument goes, and how rows
    become results."""

    __slots__ = (
        "annotations",
        "compiler",
        "converters",
        "flat",
        "for_update",
        "init_list",
        "model",
        "model_slice",
        "populators",
        "sql",
        "template",
        "values",
    )

    def __init__(self, queryset: models.QuerySet[Any], probes: tuple[Any, ...], db: str) -> None:
        query = queryset.query
        if query.extra_select or (
            queryset._iterable_class is not ModelIterable and query.annotation_select
        ):
            raise TypeError("a prepared values_list() query has no extra or annotated columns")
        if getattr(queryset, "_prefetch_related_lookups", ()) or getattr(
            queryset, "_known_related_objects", {}
        ):
            raise TypeError("a prepared query has no prefetch_related and no related manager")
        self.compiler = compiler = query.get_compiler(using=db)
        sql, params = compiler.as_sql()
        template: list[tuple[int | None, Any]] = []
        for value in params:
            found = [i for i, p in enumerate(probes) if type(p) is type(value) and p == value]
            template.append((found[0], None) if found else (None, value))
        placed = sorted(i for i, _ in template if i is not None)
        if placed != list(range(len(probes))):
            raise TypeError(f"each argument must be one SQL parameter of {sql!r}")
        self.sql, self.template = sql, tuple(template)
        # Django refuses a row lock outside a transaction each time it compiles; said here.
        self.for_update = (
            bool(query.select_for_update) and compiler.connection.features.has_select_for_update
        )
        fields = [s[0] for s in compiler.select[0 : compiler.col_count]]
        self.converters = compiler.get_converters(fields)
        self.values = queryset._iterable_class is not ModelIterable
        self.flat = queryset._iterable_class is FlatValuesListIterable
        if self.values:
            if queryset._iterable_class not in (ValuesListIterable, FlatValuesListIterable):
                raise TypeError("a prepared query yields model instances or values_list() rows")
            return
        klass_info = compiler.klass_info
        assert klass_info is not None
        self.model = klass_info["model"]
        select_fields = klass_info["select_fields"]
        self.model_slice = slice(select_fields[0], select_fields[-1] + 1)
        self.init_list = [f[0].target.attname for f in compiler.select[self.model_slice]]
        self.populators = get_related_populators(klass_info, compiler.select, db)
        self.annotations = tuple(compiler.annotation_col_map.items())

    def params(self, args: tuple[Any, ...]) -> list[Any]:
        return [value if i is None else args[i] for i, value in self.template]


class Prepared(Generic[T]):
    """A query compiled once per connection; ``build(*args)`` returns its queryset, and
    ``kinds`` (``int`` or ``str``, one per argument) say what probe stands for each argument."""

    def __init__(self, build: Callable[..., models.QuerySet[Any, Any]], *kinds: type) -> None:
        self._build = build
        self._probes = tuple(_PROBES[k](i) for i, k in enumerate(kinds))
        self._key = object()

    def _plan(self, db: str) -> _Plan:
        connection = connections[db]
        plans: dict[object, _Plan] | None = getattr(connection, "_cordtrack_prepared", None)
        if plans is None:
            plans = connection._cordtrack_prepared = {}  # type: ignore[attr-defined]
        plan = plans.get(self._key)
        if plan is None:
            plan = plans[self._key] = _Plan(self._build(*self._probes), self._probes, db)
        return plan

    def rows(self, *args: Any, using: str = "default") -> list[T]:
        """Model instances (with their ``select_related`` objects and annotations), or for a
        ``values_list()`` query its tuples (its values with ``flat=True``)."""
        if len(args) != len(self._probes):
            raise TypeError(f"expected {len(self._probes)} arguments, got {len(args)}")
        plan = self._plan(using)
        connection = connections[using]
        if plan.for_update and connection.get_autocommit():
            raise TransactionManagementError(
                "select_for_update cannot be used outside of a transaction."
            )
        with connection.cursor() as cursor:
            cursor.execute(plan.sql, plan.params(args))
            fetched: list[Any] = cursor.fetchall()
        if plan.converters:
            fetched = list(plan.compiler.apply_converters(fetched, plan.converters))
        if plan.values:
            values: list[Any] = [r[0] for r in fetched] if plan.flat else list(map(tuple, fetched))
            return values
        found: list[Any] = []
        for row in fetched:
            obj = plan.model.from_db(using, plan.init_list, row[plan.model_slice])
            for populator in plan.populators:
                populator.populate(row, obj)
            for name, position in plan.annotations:
                setattr(obj, name, row[position])
            found.append(obj)
        return found

    def first(self, *args: Any, using: str = "default") -> T | None:
        """The first row (build the queryset ordered and sliced ``[:1]``), or None."""
        found = self.rows(*args, using=using)
        return found[0] if found else None
