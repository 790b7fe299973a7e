"""``Idempotency-Key`` on POSTs: a retry with the same key and body returns the first response
and creates nothing; the same key with another body (or path) is refused with 409.

The key and the first response are stored per user in the same transaction as the write, so a
write that fails stores nothing and may be retried.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from ninja import Status
from ninja.errors import HttpError

from .models import IdempotencyRecord

F = TypeVar("F", bound=Callable[..., Any])
HEADER = "Idempotency-Key"
MAX_KEY = 200

#: The header in the OpenAPI document of every POST.
OPENAPI_EXTRA: dict[str, Any] = {
    "parameters": [
        {
            "in": "header",
            "name": HEADER,
            "required": False,
            "description": "Any unique string per intended write: a retry with the same key "
            "and body returns the first response and creates nothing new.",
            "schema": {"type": "string", "maxLength": MAX_KEY},
        }
    ]
}


def idempotent(view: F) -> F:
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        key = request.headers.get(HEADER)
        if not key:
            return view(request, *args, **kwargs)
        if len(key) > MAX_KEY:
            raise HttpError(422, f"{HEADER} is longer than {MAX_KEY} characters")
        user = request.auth  # type: ignore[attr-defined]
        body = hashlib.sha256(request.body).hexdigest()
        with transaction.atomic():
            first = IdempotencyRecord.objects.filter(user=user, key=key).first()
            if first is not None:
                if first.body_sha256 != body or first.path != request.path:
                    raise HttpError(
                        409,
                        f"{HEADER} {key!r} was already used for another request; "
                        "use a new key for a new write",
                    )
                replay = HttpResponse(
                    json.dumps(first.response),
                    status=first.status,
                    content_type="application/json",
                )
                replay["Idempotent-Replayed"] = "true"
                return replay
            result: Status[dict[str, Any]] = view(request, *args, **kwargs)
            try:
                with transaction.atomic():
                    IdempotencyRecord.objects.create(
                        user=user,
                        key=key,
                        method=request.method or "POST",
                        path=request.path,
                        body_sha256=body,
                        status=result.status_code,
                        response=result.value,
                    )
            except IntegrityError:
                # Another request with this key committed first; the write above is rolled
                # back with this error, and a retry is answered with the first response.
                raise HttpError(409, f"a request with {HEADER} {key!r} is in progress") from None
            return result

    return wrapper  # type: ignore[return-value]
