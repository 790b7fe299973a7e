"""Error bodies of the API: one shape for every 4xx, with the fields named.

``{"detail": "...", "errors": [{"field": "c5RightMotor", "value": "6",
"message": "'6' is not a motor grade"}]}`` — 422 for invalid input (ours and the schema's), 403 when
the role does not allow the write, 404 for records outside the user's sites, 409 for a reused
Idempotency-Key, 415 for a body that is not JSON and 400 for JSON that does not parse
(``bodies.py``; field ``body``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError

from cordtrack import isncsci

from .bodies import UnreadableBodyError


class FieldErrorOut(Schema):
    field: str
    message: str
    value: str | None = None


class ErrorOut(Schema):
    detail: str
    errors: list[FieldErrorOut] = Field(default_factory=list)


ERROR_CODES = (400, 401, 403, 404, 409, 415, 422)


def responses(code: int, schema: Any) -> dict[int, Any]:
    """The response map of one operation: its success plus every error status we answer."""
    return {code: schema, **dict.fromkeys(ERROR_CODES, ErrorOut)}


def _body(detail: str, errors: Iterable[dict[str, Any]] = ()) -> dict[str, Any]:
    return {"detail": detail, "errors": list(errors)}


def django_errors(exc: ValidationError) -> list[dict[str, Any]]:
    if hasattr(exc, "error_dict"):
        return [
            {"field": field, "message": message, "value": None}
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    return [{"field": "__all__", "message": m, "value": None} for m in exc.messages]


def exam_errors(exc: isncsci.ExamValidationError) -> list[dict[str, Any]]:
    return [
        {"field": e.field, "message": e.message, "value": None if e.value is None else str(e.value)}
        for e in exc.errors
    ]


def invalid(errors: list[dict[str, Any]]) -> str:
    parts = [
        f"{e['field']}: {e['message']}" if e["field"] != "__all__" else e["message"]
        for e in errors[:5]
    ]
    more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
    return "; ".join(parts) + more


def install(api: NinjaAPI) -> None:
    """Register the handlers that turn exceptions into the bodies above."""

    def reply(request: HttpRequest, status: int, body: dict[str, Any]) -> HttpResponse:
        return api.create_response(request, body, status=status)

    @api.exception_handler(ValidationError)
    def on_invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = django_errors(exc)
        return reply(request, 422, _body(invalid(errors), errors))

    @api.exception_handler(isncsci.ExamValidationError)
    def on_invalid_exam(request: HttpRequest, exc: isncsci.ExamValidationError) -> HttpResponse:
        errors = exam_errors(exc)
        return reply(request, 422, _body(invalid(errors), errors))

    @api.exception_handler(SchemaValidationError)
    def on_schema(request: HttpRequest, exc: SchemaValidationError) -> HttpResponse:
        errors = []
        for e in exc.errors:
            loc = [str(p) for p in e.get("loc", ()) if p not in ("body", "payload", "query")]
            errors.append(
                {
                    "field": ".".join(loc) or "body",
                    "message": str(e.get("msg", "invalid")),
                    "value": None,
                }
            )
        return reply(request, 422, _body(invalid(errors), errors))

    @api.exception_handler(PermissionDenied)
    def on_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return reply(request, 403, _body(str(exc) or "not allowed"))

    @api.exception_handler(AuthenticationError)
    def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return reply(request, 401, _body("a valid 'Authorization: Bearer <token>' is required"))

    @api.exception_handler(HttpError)
    def on_http(request: HttpRequest, exc: HttpError) -> HttpResponse:
        cause = exc.__cause__  # ninja raises its 400 "from" the parser's error (bodies.py)
        if isinstance(cause, UnreadableBodyError):
            field = {"field": "body", "message": cause.detail, "value": None}
            return reply(request, cause.status, _body(cause.detail, [field]))
        return reply(request, exc.status_code, _body(str(exc)))
