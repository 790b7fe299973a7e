"""HTTP hygiene: no cache keeps what a signed-in user saw, and an oversized request body is
refused with 413 before anything reads it.

``Cache-Control: no-store`` (RFC 9111 §5.2.2.5) on every response to a signed-in user (pages,
downloads, CSV and PDF files) and on every API response: a shared or browser cache must not keep
patient data for the next person at the same computer (OWASP ASVS 4.0.3, V8.2.1).

A body larger than the limit is answered ``413 Content Too Large`` (RFC 9110 §15.5.14) with the
API's error shape (``{"detail", "errors": [{"field": "body", ...}]}``), debug or not: Django's own
answer is a 400 that, with ``CORDTRACK_DEBUG=1``, is a page with a traceback.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.html import escape

Handler = Callable[[HttpRequest], HttpResponseBase]


def body_limit(request: HttpRequest) -> int:
    """The largest body accepted: a page's upload (the document limit plus its form fields) or
    any other body (Django's in-memory limit, which it enforces when the body is read; the API
    takes no uploads)."""
    fields = int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    if request.content_type == "multipart/form-data" and not is_api(request):
        return int(settings.MAX_UPLOAD_BYTES) + fields
    return fields


def is_api(request: HttpRequest) -> bool:
    """A request to the JSON API (bearer tokens, JSON bodies), not to a page."""
    return request.path.startswith("/api/")


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def too_large(request: HttpRequest, size: int | None, limit: int) -> HttpResponse:
    """413 in the API's error shape; a browser posting a form gets the same words on a page."""
    sent = "" if size is None else f" ({_megabytes(size)})"
    message = f"the request body{sent} is larger than the {_megabytes(limit)} limit"
    wants_page = not is_api(request) and "text/html" in request.headers.get("Accept", "")
    if wants_page:
        page = (
            "<!doctype html><title>Too large · CordTrack</title><h1>Too large</h1>"
            f'<p>{escape(message.capitalize())}.</p><p><a href="javascript:history.back()">'
            "Back</a></p>"
        )
        return HttpResponse(page, status=413, content_type="text/html; charset=utf-8")
    body = {
        "detail": f"Request body too large: {message}",
        "errors": [{"field": "body", "message": message, "value": None}],
    }
    return HttpResponse(json.dumps(body), status=413, content_type="application/json")


def _length(request: HttpRequest) -> int | None:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None  # Django reads no body at all when the length is not a number


class RequestBodyLimit:
    """First in the chain: refuse by ``Content-Length`` before anything reads the body; then
    parse a form post here, so that too much form data (Django's ``RequestDataTooBig``) is a
    413 too, not a 400 page with a traceback."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        size, limit = _length(request), body_limit(request)
        if size is not None and size > limit:
            return too_large(request, size, limit)
        # The API reads its own (JSON) bodies, within the limit checked above.
        if (
            request.method == "POST"
            and not is_api(request)
            and request.content_type
            in (
                "multipart/form-data",
                "application/x-www-form-urlencoded",
            )
        ):
            try:
                request.POST  # noqa: B018 (parsed now; cached for the view)
            except RequestDataTooBig:
                return too_large(request, size, int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE))
        return self.get_response(request)


def _private(request: HttpRequest) -> bool:
    if is_api(request):
        return True
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


class NoStoreWhenSignedIn:
    """``Cache-Control: no-store, private`` on every response to a signed-in user or the API
    (replacing whatever a view set: nothing private may be cached)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if _private(request) and not request.path.startswith(str(settings.STATIC_URL)):
            response.headers["Cache-Control"] = "no-store, private"
            response.headers.pop("Expires", None)
        return response
