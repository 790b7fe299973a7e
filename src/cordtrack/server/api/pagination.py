"""Pagination of the list operations: ``?limit=``, ``?offset=``, body ``{"count", "items"}``.

Its own module so that the routers and the API object both import it, and not each other.
"""

# No ``from __future__ import annotations`` here: django-ninja reads the schemas' annotations.

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import PaginationBase

from ..paging import rows_at


@dataclass(frozen=True)
class Paged:
    """What a list operation returns: its scoped queryset and how to render one record
    (``prepare``, if given, is called once with the page's records first, e.g. to fetch what
    they all need in one query)."""

    queryset: QuerySet[Any]
    render: Callable[[Any], dict[str, Any]]
    prepare: Callable[[list[Any]], None] | None = None


class Pages(PaginationBase):
    """``?limit=`` (1-500, default 50) and ``?offset=``; the body is ``{"count", "items"}``."""

    class Input(Schema):
        limit: int = Field(50, ge=1, le=500)
        offset: int = Field(0, ge=0, le=10**9)

    class Output(Schema):
        count: int
        items: list[Any]

    items_attribute: str = "items"

    def paginate_queryset(
        self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any
    ) -> dict[str, Any]:
        assert isinstance(queryset, Paged), "list operations return Paged"
        offset, limit = pagination.offset, pagination.limit
        # The page's ids first, then its rows (``paging``: a deep page reads no skipped row).
        page = rows_at(queryset.queryset, offset, offset + limit)
        if queryset.prepare is not None:
            queryset.prepare(page)
        return {"count": queryset.queryset.count(), "items": [queryset.render(o) for o in page]}
