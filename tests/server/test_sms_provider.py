"""The HTTP SMS adapter against a local fake of a Twilio-compatible API (tests/server/sms_fake):
a message sent, a refusal failed at once, a 5xx or a timeout retried, and a retry after a timeout
that the provider had already taken sends nothing twice (the idempotency key)."""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from cordtrack.server.accounts.models import Site, User
from cordtrack.server.intake.models import Protocol
from cordtrack.server.outbox.models import OutboxMessage, OutboxStatus
from cordtrack.server.patients.models import Patient
from cordtrack.server.reminders import engine
from cordtrack.server.reminders.models import ReminderLog
from cordtrack.server.reminders.sms import (
    SmsRefusedError,
    SmsUnavailableError,
    TextMessage,
    get_backend,
)
from cordtrack.server.reminders.sms_provider import HttpBackend
from cordtrack.server.services import followup
from cordtrack.server.services import reminders as reminder_services

from .sms_fake import ACCOUNT, SENDER, TOKEN, FakeProvider, fake_provider

PHONE = "+447700900123"
MESSAGE = TextMessage(to=PHONE, body="Reminder: see the portal", key="cordtrack-key-1")


@pytest.fixture
def provider() -> Iterator[FakeProvider]:
    with fake_provider() as fake:
        yield fake


def _backend(url: str, timeout: float = 5.0) -> HttpBackend:
    return HttpBackend(url=url, account=ACCOUNT, token=TOKEN, sender=SENDER, timeout=timeout)


def test_a_message_is_posted_with_its_key_and_the_providers_id_returned(
    provider: FakeProvider,
) -> None:
    backend = _backend(provider.url)
    sid = backend.send(MESSAGE)
    backend.close()

    assert sid == "SM" + "1".zfill(32)
    taken = provider.accepted["cordtrack-key-1"]
    assert (taken["to"], taken["from"], taken["body"]) == (PHONE, SENDER, MESSAGE.body)
    assert provider.requests == [
        {"path": f"/2010-04-01/Accounts/{ACCOUNT}/Messages.json", "key": "cordtrack-key-1"}
    ]  # the number and the text are in the body only, never the URL


def test_a_refusal_is_final_and_keeps_the_providers_code_not_its_message(
    provider: FakeProvider,
) -> None:
    provider.script = ["400"]
    with pytest.raises(SmsRefusedError) as refused:
        _backend(provider.url).send(MESSAGE)
    assert str(refused.value) == "HTTP 400, provider code 21211"
    assert provider.accepted == {}


@pytest.mark.parametrize("status", ["500", "503", "429", "401"])
def test_a_server_error_a_throttle_or_bad_credentials_may_succeed_later(
    provider: FakeProvider, status: str
) -> None:
    provider.script = [status]
    with pytest.raises(SmsUnavailableError, match=f"HTTP {status}"):
        _backend(provider.url).send(MESSAGE)


def test_wrong_credentials_are_not_taken_for_a_refused_message(provider: FakeProvider) -> None:
    backend = HttpBackend(url=provider.url, account=ACCOUNT, token="wrong", sender=SENDER)
    with pytest.raises(SmsUnavailableError, match="HTTP 401"):
        backend.send(MESSAGE)


def test_a_timeout_is_retried_and_the_retry_sends_nothing_twice(provider: FakeProvider) -> None:
    provider.script = ["late"]
    backend = _backend(provider.url, timeout=0.3)
    with pytest.raises(SmsUnavailableError, match="in time"):
        backend.send(MESSAGE)  # the provider took it, the answer came too late

    sid = backend.send(MESSAGE)  # the retry: same key

    assert list(provider.accepted) == ["cordtrack-key-1"]
    assert sid == provider.accepted["cordtrack-key-1"]["sid"]
    assert [r["key"] for r in provider.requests] == ["cordtrack-key-1"] * 2


def test_a_provider_that_is_down_is_retried_later() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(SmsUnavailableError, match="unreachable"):
        _backend(f"http://127.0.0.1:{port}").send(MESSAGE)


def test_the_http_backend_needs_its_account_token_and_sender(settings: Any) -> None:
    settings.SMS_HTTP_ACCOUNT, settings.SMS_HTTP_TOKEN, settings.SMS_FROM = ACCOUNT, "", ""
    with pytest.raises(ImproperlyConfigured, match="CORDTRACK_SMS_TOKEN, CORDTRACK_SMS_FROM"):
        get_backend("http")


@pytest.fixture
def http_sms(settings: Any, provider: FakeProvider) -> FakeProvider:
    settings.SMS_BACKEND = "http"
    settings.SMS_HTTP_URL = provider.url
    settings.SMS_HTTP_ACCOUNT, settings.SMS_HTTP_TOKEN, settings.SMS_FROM = ACCOUNT, TOKEN, SENDER
    settings.SMS_HTTP_TIMEOUT = 0.3
    settings.REMINDER_OPENS_DAYS, settings.REMINDER_CLOSES_DAYS = [7, 1], [2]
    return provider


@pytest.fixture
def due_patient(
    bob: User, make_patient: Callable[..., Patient], north: Site, protocol: Protocol
) -> Patient:
    """A patient with a mobile number only, a visit window opening in 5 days."""
    patient = make_patient(north)
    reminder_services.set_contact(
        bob, patient, email="", phone=PHONE, email_opt_out=False, sms_opt_out=False
    )
    followup.schedule_visits(bob, patient, protocol, timezone.localdate() - dt.timedelta(days=18))
    return patient


def test_reminders_through_the_provider_survive_an_outage_and_a_late_answer_once_each(
    http_sms: FakeProvider, due_patient: Patient
) -> None:
    http_sms.script = ["503", "late"]
    now = timezone.now()

    down = engine.run(now=now).to_dict()  # 503: queued, waiting (retry in 30 s)
    late = engine.run(now=now + dt.timedelta(minutes=2)).to_dict()  # taken, answered too late
    after = engine.run(now=now + dt.timedelta(minutes=10)).to_dict()  # the retry: same key

    assert (down["queued"], down["sent"], down["waiting"]) == (1, 0, 1)
    assert (late["queued"], late["sent"], late["waiting"]) == (0, 0, 1)
    assert (after["queued"], after["sent"], after["sms"], after["waiting"]) == (0, 1, 1, 0)
    assert len(http_sms.accepted) == 1  # three attempts, one message
    assert len({r["key"] for r in http_sms.requests}) == 1
    row = OutboxMessage.objects.get(channel="sms")
    assert (row.status, row.attempts) == (OutboxStatus.SENT, 3)
    assert ReminderLog.objects.get().outcome == "sent"


def test_a_number_the_provider_refuses_fails_once_and_is_not_retried(
    http_sms: FakeProvider, due_patient: Patient
) -> None:
    http_sms.script = ["400"]
    report = engine.run().to_dict()
    later = engine.run(now=timezone.now() + dt.timedelta(hours=2)).to_dict()

    assert (report["sent"], report["failed"], report["waiting"]) == (0, 1, 0)
    assert (later["sent"], later["failed"]) == (0, 0)
    assert len(http_sms.requests) == 1
    row = OutboxMessage.objects.get(channel="sms")
    assert row.status == OutboxStatus.FAILED
    assert row.last_error == "SmsRefusedError: HTTP 400, provider code 21211"
    assert PHONE not in row.last_error
