"""An SMS provider over HTTP: the Twilio-compatible Messages API (ADR 0047).

``POST {CORDTRACK_SMS_URL}/2010-04-01/Accounts/{account}/Messages.json`` with the form fields
``To``, ``From`` and ``Body``, HTTP basic authentication (account id and token), answered
``201`` with the message as JSON (its ``sid``). Twilio speaks it, and so do several providers
and gateways that copy it. The URL carries the account id only: the number and the text go in
the body, never in a URL or a log line.

Each request carries ``Idempotency-Key`` (the outbox's key, the same on every attempt of one
message): a provider that honours it answers a repeated key with the message it already took
instead of sending a second one, which makes a retry after a timeout safe. (Twilio's own
Messages API does not document such a header: behind it, a timeout after Twilio took the
message can still mean a second copy, the outbox's at-least-once, ADR 0036.)

What the answer means for the outbox:

* 2xx: sent; the provider's id is returned;
* 400, 404, 422 and other 4xx: refused for good (an invalid or unreachable number, a body
  refused): :class:`~.sms.SmsRefusedError`, the row fails at once; the provider's numeric error
  code is kept, never its message (which often repeats the number);
* 401 and 403 (credentials), 408, 409, 425, 429, 5xx, a timeout, a connection that fails:
  :class:`~.sms.SmsUnavailableError`, retried with backoff (a fixed configuration or a
  provider back up delivers it; nothing is lost meanwhile).
"""

from __future__ import annotations

from typing import Any

import httpx
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .sms import SmsBackend, SmsRefusedError, SmsUnavailableError, TextMessage

#: 4xx answers that a later attempt may get past.
RETRYABLE_4XX = frozenset({401, 403, 408, 409, 425, 429})


class HttpBackend(SmsBackend):
    def __init__(
        self,
        url: str | None = None,
        account: str | None = None,
        token: str | None = None,
        sender: str | None = None,
        timeout: float | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.account = account if account is not None else settings.SMS_HTTP_ACCOUNT
        token = token if token is not None else settings.SMS_HTTP_TOKEN
        self.sender = sender if sender is not None else settings.SMS_FROM
        missing = [
            name
            for name, value in (
                ("CORDTRACK_SMS_ACCOUNT", self.account),
                ("CORDTRACK_SMS_TOKEN", token),
                ("CORDTRACK_SMS_FROM", self.sender),
            )
            if not value
        ]
        if missing:
            raise ImproperlyConfigured(f"CORDTRACK_SMS_BACKEND=http needs {', '.join(missing)}")
        self.client = httpx.Client(
            base_url=(url or settings.SMS_HTTP_URL).rstrip("/"),
            auth=(self.account, token),
            timeout=timeout if timeout is not None else settings.SMS_HTTP_TIMEOUT,
            transport=transport,
            headers={"User-Agent": "CordTrack reminders"},
        )

    def send(self, message: TextMessage) -> str:
        path = f"/2010-04-01/Accounts/{self.account}/Messages.json"
        data = {"To": message.to, "From": self.sender, "Body": message.body}
        try:
            answer = self.client.post(path, data=data, headers={"Idempotency-Key": message.key})
        except httpx.TimeoutException as exc:
            raise SmsUnavailableError(f"no answer in time ({type(exc).__name__})") from None
        except httpx.TransportError as exc:
            raise SmsUnavailableError(f"provider unreachable ({type(exc).__name__})") from None
        status = answer.status_code
        if 200 <= status < 300:
            sid = _json(answer).get("sid")
            return str(sid) if sid else ""
        if status >= 500 or status in RETRYABLE_4XX or status < 200 or 300 <= status < 400:
            raise SmsUnavailableError(f"HTTP {status}")
        # The provider's numeric code only: its message often quotes the number.
        code = _json(answer).get("code")
        raise SmsRefusedError(
            f"HTTP {status}, provider code {code if isinstance(code, int) else '-'}"
        )

    def close(self) -> None:
        self.client.close()


def _json(answer: httpx.Response) -> dict[str, Any]:
    try:
        body = answer.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
