"""A request id for every request, and one structured log line per request without patient data.

The id comes from the ``X-Request-ID`` header a proxy in front sets (when it is a plain token),
else a new one; it is returned in the response's ``X-Request-ID``, and every log record made while
the request is handled carries it (:class:`RequestIdFilter`), so a proxy's, the application's and
the worker's lines about one request can be found together.

The request line names the method, the path (ids only: study ids and names are never in a path;
the query string, where a search box may hold anything, is left out), the resolved route, the
status and the duration. Who made the request is in the audit trail, not the log.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponseBase

_REQUEST_ID: ContextVar[str] = ContextVar("cordtrack_request_id", default="-")
# A proxy's id is taken only when it is a plain token: no spaces, quotes or control characters.
_VALID_ID = re.compile(r"[A-Za-z0-9._:-]{8,64}")
logger = logging.getLogger("cordtrack.request")


def current_request_id() -> str:
    """The id of the request being handled in this thread, or ``-``."""
    return _REQUEST_ID.get()


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = _REQUEST_ID.get()
        return True


class RequestLogMiddleware:
    """Outermost middleware: sets the request id, logs the request line when done."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        offered = request.headers.get("X-Request-ID", "")
        request_id = offered if _VALID_ID.fullmatch(offered) else uuid.uuid4().hex
        # Not reset on the way out: Django logs a 4xx/5xx response (django.request) after the
        # middleware has returned, and that line must carry the id too. The next request on this
        # thread sets its own.
        _REQUEST_ID.set(request_id)
        started = time.perf_counter()
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        match = request.resolver_match
        logger.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "method": request.method,
                "path": request.path,
                "route": match.route if match is not None else None,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
        return response
