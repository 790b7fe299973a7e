"""Pages of a long list chosen by id first, then read whole: the patient list at 100,000 patients.

A page cut from an ordered queryset (``ORDER BY ... LIMIT 25 OFFSET 4975``) makes the database
build every skipped row with its joins (site, injury) before it can skip it: the deeper or the
more filtered the page, the more wide rows are read and sorted for nothing (ADR 0053: page 200
of a site took 1.6 s against 0.1 ms for the first). :func:`rows_at` asks instead for the page's
ids with the queryset's own filters and ordering, which an index on the ordering answers from
its entries alone, and reads the rows (with their ``select_related`` joins) for those ids only:
one statement, ``WHERE id IN (SELECT id ... ORDER BY ... LIMIT n OFFSET m) ORDER BY ...``
(ADR 0058). The rows, their order and the count are the queryset's own;
``tests/server/test_paging.py`` compares them with plain slicing.

:class:`IdsFirst` gives Django's ``Paginator`` (and the API's ``Pages``) that slicing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Generic, TypeVar, overload

from django.core.exceptions import FieldDoesNotExist
from django.db import models

M = TypeVar("M", bound=models.Model)


def _plain(queryset: models.QuerySet[Any]) -> bool:
    """Whether the page can be read by id: a queryset of model instances without what a second
    reading by id would not repeat (annotations, ``extra``, ``distinct``, a union)."""
    query = queryset.query
    return (
        queryset._iterable_class is models.query.ModelIterable
        and not query.annotations
        and not query.extra
        and not query.distinct
        and not query.combinator
        and not query.is_sliced
    )


def rows_at(queryset: models.QuerySet[M], start: int, stop: int) -> list[M]:
    """``list(queryset[start:stop])``, the page's ids chosen first (see the module)."""
    if stop <= start:
        return []
    if not _plain(queryset):
        return list(queryset[start:stop])
    ids = queryset.order_by(*_ordering(queryset)).values("pk")[start:stop]
    rows = queryset.model._base_manager.using(queryset.db).filter(pk__in=ids)
    rows.query.select_related = queryset.query.select_related
    rows.query.deferred_loading = queryset.query.deferred_loading
    rows = rows.prefetch_related(*getattr(queryset, "_prefetch_related_lookups", ()))
    return list(rows.order_by(*_ordering(queryset)))


def _ordering(queryset: models.QuerySet[Any]) -> tuple[Any, ...]:
    """The queryset's ordering, with the primary key last unless a unique field of the model
    already decides it, so that equal keys keep one order in both readings (as the paginator's
    pages need anyway)."""
    query = queryset.query
    if query.order_by:
        given = tuple(query.order_by)
    elif query.default_ordering:
        given = tuple(queryset.model._meta.ordering)
    else:
        given = ()
    meta = queryset.model._meta
    for term in given:
        name = term.lstrip("-") if isinstance(term, str) else ""
        if name == "pk" or (name and "__" not in name and _unique(meta, name)):
            return given[: given.index(term) + 1]
    return (*given, "pk")


def _unique(meta: Any, name: str) -> bool:
    """Whether no two rows share a value of the field ``name`` (unique, and never null)."""
    try:
        field = meta.get_field(name)
    except FieldDoesNotExist:  # not a field of the model (an annotation's name)
        return False
    return bool(getattr(field, "unique", False) and not getattr(field, "null", True))


class IdsFirst(Generic[M]):
    """A queryset as the paginators read it (``count()``, ``len()``, slices), each slice read by
    :func:`rows_at`."""

    def __init__(self, queryset: models.QuerySet[M]) -> None:
        self.queryset = queryset
        self.ordered = True  # ``_ordering`` always orders (the paginator warns otherwise)

    def count(self) -> int:
        return self.queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __iter__(self) -> Iterator[M]:
        return iter(self.queryset)

    @overload
    def __getitem__(self, index: int) -> M: ...
    @overload
    def __getitem__(self, index: slice) -> list[M]: ...
    def __getitem__(self, index: int | slice) -> M | list[M]:
        if isinstance(index, int):
            return self.queryset[index]
        start, stop = index.start or 0, index.stop
        if stop is None or index.step not in (None, 1):
            return list(self.queryset[index])
        return rows_at(self.queryset, start, stop)
