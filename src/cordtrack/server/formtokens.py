"""One-time tokens in write forms: a form posted twice (a double click, a retry after a timeout,
the browser's "resend") saves once, and the second post is answered with the first's result.

``{% form_token %}`` (a template builtin, next to ``{% csrf_token %}``) puts a fresh random token
in each rendered form. :class:`FormTokenMiddleware` runs a signed-in user's POST that carries one
in a transaction that first records the token and a digest of the content (the API's
``IdempotencyRecord``, key ``form:<token>:<digest>``; the same form sent back with other content
is a new submission): a post that ends in a redirect keeps the record, with its target; a
post answered otherwise (form errors, refusal) deletes it, so the corrected form may be sent; a
server error rolls the whole post back. A second post with the same token waits for the first
(the record's unique key) and is redirected where the first went, with a message, and changes
nothing.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable

from django import template
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.utils.html import format_html
from django.utils.safestring import SafeString

from .api.models import IdempotencyRecord
from .hygiene import is_api

FIELD = "_form_token"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
ALREADY_SAVED = "This form had already been sent; it was saved once, not twice."

register = template.Library()


@register.simple_tag
def form_token() -> SafeString:
    """A hidden input with a new one-time token for this form."""
    return format_html(
        '<input type="hidden" name="{}" value="{}">', FIELD, secrets.token_urlsafe(24)
    )


def _body_digest(request: HttpRequest) -> str:
    fields = sorted(
        (k, v) for k, values in request.POST.lists() if k != "csrfmiddlewaretoken" for v in values
    )
    files = sorted(
        (k, f.name or "", f.size or 0) for k, values in request.FILES.lists() for f in values
    )
    return hashlib.sha256(repr((fields, files)).encode()).hexdigest()


class FormTokenMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Pages' forms only: the API takes JSON bodies (reading them as a form here consumed a
        # form-encoded body, and the API's own read of it then failed with a 500) and has its
        # own retry key, Idempotency-Key (api/idempotency.py).
        page_post = request.method == "POST" and not is_api(request)
        token = request.POST.get(FIELD, "") if page_post else ""
        if not token or not request.user.is_authenticated:
            return self.get_response(request)
        if not _TOKEN.match(token):
            return HttpResponseBadRequest("malformed form token", content_type="text/plain")
        digest = _body_digest(request)
        # The content is part of the key: a retry sends the same content; a form sent back
        # with other content (back button, edit, send) is a new submission.
        key = f"form:{token}:{digest[:32]}"
        with transaction.atomic():
            try:
                with transaction.atomic():
                    record = IdempotencyRecord.objects.create(
                        user_id=request.user.pk, key=key, method="POST", path=request.path,
                        body_sha256=digest, status=0, response={},
                    )  # fmt: skip
            except IntegrityError:
                record = None
            if record is not None:
                response = self.get_response(request)
                if response.status_code >= 500:
                    transaction.set_rollback(True)
                elif response.status_code in _REDIRECTS:
                    record.status = response.status_code
                    record.response = {"location": response["Location"]}
                    record.save(update_fields=["status", "response"])
                else:
                    record.delete()
                return response
        return self._replay(request, key)

    def _replay(self, request: HttpRequest, key: str) -> HttpResponse:
        user_id = request.user.pk or 0  # signed in: checked by the caller
        first = IdempotencyRecord.objects.filter(user_id=user_id, key=key).first()
        if first is None or first.path != request.path or first.status not in _REDIRECTS:
            return HttpResponseBadRequest(
                "this form token belongs to another form", content_type="text/plain"
            )
        messages.info(request, ALREADY_SAVED)
        return HttpResponseRedirect(str(first.response["location"]))
