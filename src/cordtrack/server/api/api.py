"""The API object: bearer authentication, pagination, error handlers and the routers."""

# No ``from __future__ import annotations`` here: django-ninja reads the operations' annotations
# at import time (Query[...], pagination), and string annotations break that.

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field as NinjaField
from ninja import NinjaAPI, Schema
from ninja.pagination import PaginationBase
from ninja.security import HttpBearer

from ..accounts.models import User
from ..services import api_tokens
from . import errors


class BearerAuth(HttpBearer):
    """``Authorization: Bearer <token>`` from ``cordtrack token create``."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        if not token or len(token) > 200:
            return None
        user = api_tokens.authenticate(token)
        if user is not None:
            request.user = user
        return user


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
        limit: int = NinjaField(50, ge=1, le=500)
        offset: int = NinjaField(0, ge=0, le=10**9)

    class Output(Schema):
        count: int
        items: list[Any]

    items_attribute: str = "items"

    def paginate_queryset(
        self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any
    ) -> dict[str, Any]:
        assert isinstance(queryset, Paged), "list operations return Paged"
        offset, limit = pagination.offset, pagination.limit
        page = list(queryset.queryset[offset : offset + limit])
        if queryset.prepare is not None:
            queryset.prepare(page)
        return {"count": queryset.queryset.count(), "items": [queryset.render(o) for o in page]}


api = NinjaAPI(
    title="CordTrack API",
    version="1",
    description="The registry's REST API: the same roles and site scoping as the pages. "
    "Authenticate with `Authorization: Bearer <token>` (`cordtrack token create USERNAME`). "
    "See docs/api.md.",
    auth=BearerAuth(),
    urls_namespace="api-v1",
    openapi_url="/openapi.json",
    docs_url=None,  # Swagger UI would load assets from a CDN; the CSP refuses them
)
errors.install(api)


def _register() -> None:
    from .routes import (
        adverse_events,
        fhir,
        followup,
        history,
        monitoring,
        records,
        signing,
        therapy,
    )

    api.add_router("", records.router)
    api.add_router("", therapy.router)
    api.add_router("", followup.router)
    api.add_router("", history.router)
    api.add_router("", monitoring.router)
    api.add_router("", adverse_events.router)
    api.add_router("", fhir.router)
    api.add_router("", signing.router)


_register()
