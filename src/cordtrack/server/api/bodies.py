"""Reading a request's JSON body: a body the API cannot read is the client's error, never a 500.

django-ninja parses a body with ``api.parser`` and turns *any* failure into ``HttpError(400,
"Cannot parse request body")`` raised ``from`` the parser's exception
(``ninja.params.models.BodyModel``). :class:`JsonBodies` raises :class:`UnreadableBodyError`,
which says what is wrong and with which status, and ``errors.install`` answers with it:

* **415** when the body is not declared as JSON (a form post, multipart, text): every write of
  the API takes ``Content-Type: application/json`` (or a ``+json`` type), as the OpenAPI
  document says;
* **400** when a JSON body does not parse (with the line and column) or is not UTF-8.

A JSON body of the wrong shape (a list, a missing field) parses and is the schema's 422, with the
field named (``errors.py``).
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest
from ninja.parser import Parser


class UnreadableBodyError(Exception):
    """A body the API cannot read: ``status`` (415, 400) and the ``detail`` to answer."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def is_json(content_type: str | None) -> bool:
    """``application/json`` or a ``+json`` type (``application/merge-patch+json``)."""
    kind = (content_type or "").lower()
    return kind == "application/json" or (
        kind.startswith("application/") and kind.endswith("+json")
    )


class JsonBodies(Parser):
    """ninja's parser, with the Content-Type checked and a parse error explained."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        if not is_json(request.content_type):
            sent = request.content_type or "no Content-Type"
            raise UnreadableBodyError(
                415, f"the body must be JSON with 'Content-Type: application/json' (sent: {sent})"
            )
        try:
            data: dict[str, Any] = json.loads(request.body)
        except json.JSONDecodeError as e:
            raise UnreadableBodyError(
                400, f"the body is not valid JSON: {e.msg} at line {e.lineno} column {e.colno}"
            ) from None
        except UnicodeDecodeError:
            raise UnreadableBodyError(400, "the body is not valid JSON: it is not UTF-8") from None
        return data
