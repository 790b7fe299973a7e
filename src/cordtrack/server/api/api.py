"""The API object: bearer authentication, error handlers and the routers.

The routers (``routes/*``) import nothing from here: pagination lives in :mod:`.pagination`, so
this module imports them at the top like any other dependency (no import cycle).
"""

# No ``from __future__ import annotations`` here: django-ninja reads the operations' annotations
# at import time (Query[...], pagination), and string annotations break that.

import functools
from typing import Any

from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.security import HttpBearer

from .. import blinding, fences
from ..accounts.models import User
from ..services import api_tokens
from . import errors
from .bodies import JsonBodies
from .routes import (
    adverse_events,
    fhir,
    followup,
    history,
    monitoring,
    protocols,
    randomisations,
    records,
    signing,
    sponsor,
    therapy,
)


class BearerAuth(HttpBearer):
    """``Authorization: Bearer <token>`` from ``cordtrack token create``."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        if not token or len(token) > 200:
            return None
        user = api_tokens.authenticate(token)
        if user is not None:
            request.user = user
            # 403 outside the routes of a fenced role (assessor, sponsor; ADR 0052), per operation.
            fences.check_api(request, user)
            blinding.blind_api_request(user)  # treatment rows hidden (ADR 0040)
        return user


api = NinjaAPI(
    title="CordTrack API",
    version="1",
    description="The registry's REST API: the same roles and site scoping as the pages. "
    "Authenticate with `Authorization: Bearer <token>` (`cordtrack token create USERNAME`). "
    "See docs/api.md.",
    auth=BearerAuth(),
    parser=JsonBodies(),  # 415/400 for a body that is not JSON, never a 500 (bodies.py)
    urls_namespace="api-v1",
    openapi_url="/openapi.json",
    docs_url=None,  # Swagger UI would load assets from a CDN; the CSP refuses them
)
errors.install(api)


def _named(run: Any) -> Any:
    """Each operation names itself on the request before authentication, so the route fence
    (``fences.check_api``) judges the operation, not the first route of its path (GET and POST
    of ``/patients`` are one Django route)."""
    operation = run.__self__
    name = f"api-v1:{getattr(operation, 'url_name', None) or operation.view_func.__name__}"

    @functools.wraps(run)
    def named(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        request.cordtrack_operation = name  # type: ignore[attr-defined]
        return run(request, *args, **kwargs)

    return named


api.add_decorator(_named, mode="view")
for _module in (
    records,
    therapy,
    followup,
    history,
    monitoring,
    adverse_events,
    fhir,
    signing,
    protocols,
    randomisations,
    sponsor,
):
    api.add_router("", _module.router)
