"""Sending text messages: a backend interface like Django's e-mail backends (ADR 0046).

``CORDTRACK_SMS_BACKEND`` names the backend: ``console`` (printed on standard output), ``file``
(one file per message in ``var/sms/``, the default in demo and debug mode), ``http`` (a
Twilio-compatible REST API, :mod:`.sms_provider`), ``locmem`` (kept in :data:`outbox`, for
tests), or the dotted path of a class with the same interface. Unset
outside demo and debug mode: SMS is off and reminders go by e-mail only (nothing is queued for
a channel that cannot send).

A backend's :meth:`~SmsBackend.send` returns the provider's id of the message, raises
:class:`SmsRefusedError` when the provider refuses it for good (an invalid number: marked failed at
once) and :class:`SmsUnavailableError` when a later attempt may succeed (a timeout, a 5xx): the
outbox retries it with the same idempotency key, so a provider that already took it does not
send it twice.
"""

from __future__ import annotations

import re
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from ..outbox.delivery import UndeliverableError

#: An international number as providers take it: "+", country code, 7 to 15 digits (ITU E.164).
E164 = re.compile(r"^\+[1-9]\d{6,14}$")

ALIASES = {
    "console": "cordtrack.server.reminders.sms.ConsoleBackend",
    "file": "cordtrack.server.reminders.sms.FileBackend",
    "locmem": "cordtrack.server.reminders.sms.LocmemBackend",
    "http": "cordtrack.server.reminders.sms_provider.HttpBackend",
}


def validate_phone(value: str) -> None:
    if not E164.match(value):
        raise ValidationError(
            _(
                "Enter the number in international form: + then the country code and number, "
                "digits only (e.g. +447700900123)."
            ),
            code="phone",
        )


def normalise_phone(value: str) -> str:
    """Spaces, dashes, dots and brackets dropped; a leading 00 becomes +."""
    digits = re.sub(r"[\s\-().]", "", value or "")
    return "+" + digits[2:] if digits.startswith("00") else digits


@dataclass(frozen=True)
class TextMessage:
    to: str  # E.164
    body: str
    key: str  # the same on every attempt of one message (the outbox's idempotency key)


class SmsUnavailableError(Exception):
    """The message was not taken; a later attempt may succeed (retried by the outbox)."""


class SmsRefusedError(UndeliverableError):
    """The provider refused the message for good (marked failed, not retried)."""


class SmsDisabledError(ImproperlyConfigured):
    """No SMS backend is configured."""


class SmsBackend:
    """The interface: ``send`` one message, ``close`` when done."""

    def send(self, message: TextMessage) -> str:
        raise NotImplementedError

    def close(self) -> None:
        return None


class ConsoleBackend(SmsBackend):
    """Prints each message (development): recipient, key and text."""

    def __init__(self, stream: IO[str] | None = None) -> None:
        self.stream = stream or sys.stdout
        self._lock = threading.Lock()

    def send(self, message: TextMessage) -> str:
        with self._lock:
            self.stream.write(
                f"SMS to {message.to} (key {message.key})\n{message.body}\n{'-' * 60}\n"
            )
            self.stream.flush()
        return f"console-{message.key}"


class FileBackend(SmsBackend):
    """One file per message in ``SMS_FILE_PATH`` (``var/sms/``), named by the message's key:
    a second attempt of the same message finds its file and writes nothing (as a provider
    honouring the idempotency key would)."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path or settings.SMS_FILE_PATH)

    def send(self, message: TextMessage) -> str:
        self.path.mkdir(parents=True, exist_ok=True)
        stamp = timezone.now().strftime("%Y-%m-%dT%H:%M:%S%z")
        try:
            with (self.path / f"{message.key}.sms").open("x", encoding="utf-8") as out:
                out.write(f"To: {message.to}\nDate: {stamp}\nKey: {message.key}\n\n")
                out.write(f"{message.body}\n")
        except FileExistsError:
            pass  # sent before: the same message, not a second one
        return f"file-{message.key}"


#: Messages "sent" by :class:`LocmemBackend` (tests empty it).
outbox: list[TextMessage] = []


class LocmemBackend(SmsBackend):
    """Keeps messages in :data:`outbox` (tests)."""

    def send(self, message: TextMessage) -> str:
        outbox.append(message)
        return f"locmem-{len(outbox)}"


def enabled() -> bool:
    return bool(getattr(settings, "SMS_BACKEND", ""))


def get_backend(backend: str | None = None, **kwargs: Any) -> SmsBackend:
    """The configured backend (or the one ``backend`` names), built with ``kwargs``."""
    name = backend if backend is not None else getattr(settings, "SMS_BACKEND", "")
    if not name:
        raise SmsDisabledError("no SMS backend: set CORDTRACK_SMS_BACKEND")
    try:
        cls = import_string(ALIASES.get(name, name))
    except ImportError as exc:
        raise ImproperlyConfigured(f"CORDTRACK_SMS_BACKEND: cannot import {name!r}") from exc
    made: SmsBackend = cls(**kwargs)
    return made
