"""Saves that never break on a side effect: a serious adverse event writes its monitors' e-mail
to the outbox in the save's transaction, and delivery (retried, claimed, at least once) sends it
later, on pages and API alike."""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from cordtrack.server.accounts.models import Role, Site, User
from cordtrack.server.outbox import delivery
from cordtrack.server.outbox.models import OutboxMessage, OutboxStatus
from cordtrack.server.patients.models import Patient
from cordtrack.server.safety.models import AdverseEvent
from cordtrack.server.services import safety

from .conftest import TODAY
from .test_api_helpers import ApiClient

SERIOUS_FORM = {
    "term": "Meningitis", "onset_date": TODAY.isoformat(), "ctcae_grade": "3",
    "hospitalisation": "on", "relatedness": "possible", "action": "none", "outcome": "recovering",
}  # fmt: skip


@pytest.fixture
def monitor(make_user: Callable[..., User], north: Site) -> User:
    return make_user("monitor@nth", Role.MONITOR, north)


@pytest.fixture
def no_mail_server(settings: Any) -> None:
    """SMTP to a local port nobody listens on: every send is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2


def _serious(actor: User, patient: Patient, **kw: Any) -> AdverseEvent:
    values: dict[str, Any] = {
        "term": "Meningitis", "onset_date": TODAY, "ctcae_grade": 3, "hospitalisation": True,
        "relatedness": "possible", "expected": False, "action": "none", "outcome": "recovering",
    }  # fmt: skip
    return safety.report_adverse_event(actor, patient, **{**values, **kw})


def test_a_serious_event_with_no_mail_server_is_saved_and_its_monitor_notified_once_delivered(
    client: Client, alice: User, monitor: User, make_patient: Callable[..., Patient],
    north: Site, no_mail_server: None, settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    patient = make_patient(north)
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/patients/{patient.pk}/adverse-events/new/", SERIOUS_FORM)

    assert response.status_code == 302
    assert AdverseEvent.objects.filter(patient=patient).count() == 1
    queued = OutboxMessage.objects.get()
    assert queued.status == OutboxStatus.PENDING
    assert queued.recipients == ["monitor@nth"]

    refused = delivery.deliver_due()
    assert (refused.sent, refused.retrying) == (0, 1)
    queued.refresh_from_db()
    assert (queued.status, queued.attempts) == (OutboxStatus.PENDING, 1)
    assert "ConnectionRefusedError" in queued.last_error
    assert delivery.deliver_due().claimed == 0  # not due again before its backoff

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    later = timezone.now() + delivery.backoff(1) + dt.timedelta(seconds=1)
    assert delivery.deliver_due(now=later).sent == 1
    assert delivery.deliver_due(now=later + dt.timedelta(hours=1)).claimed == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["monitor@nth"]
    assert patient.study_id in mail.outbox[0].subject
    assert mail.outbox[0].extra_headers["Message-ID"].startswith(f"<outbox-{queued.pk}@")


def test_an_api_report_of_a_serious_event_queues_the_same_notification(
    alice: User, monitor: User, make_patient: Callable[..., Patient], north: Site,
    no_mail_server: None,
) -> None:  # fmt: skip
    patient = make_patient(north)
    body = {"patient_id": patient.pk, "term": "Sepsis", "onset_date": TODAY.isoformat(),
            "ctcae_grade": 3, "hospitalisation": True, "relatedness": "possible",
            "expected": False, "action": "none", "outcome": "recovering"}  # fmt: skip
    response = ApiClient(alice).post("/adverse-events", body)
    assert response.status_code == 201, response.content
    assert OutboxMessage.objects.get().recipients == ["monitor@nth"]


def test_a_refused_report_queues_nothing_and_a_non_serious_one_notifies_nobody(
    alice: User, monitor: User, make_patient: Callable[..., Patient], north: Site
) -> None:
    patient = make_patient(north)
    with pytest.raises(ValidationError):
        _serious(alice, patient, ctcae_grade=5)  # grade 5 needs a fatal outcome
    _serious(alice, patient, hospitalisation=False)
    assert not OutboxMessage.objects.exists()


def test_an_event_that_becomes_serious_on_correction_is_notified_once(
    alice: User, monitor: User, make_patient: Callable[..., Patient], north: Site
) -> None:
    event = _serious(alice, make_patient(north), hospitalisation=False)
    safety.correct_adverse_event(alice, event, hospitalisation=True)
    safety.correct_adverse_event(alice, event, term="Bacterial meningitis")
    assert OutboxMessage.objects.filter(dedupe_key=f"sae:{event.pk}").count() == 1


def test_a_message_claimed_by_a_live_worker_is_not_sent_by_another_and_a_dead_ones_is(
    alice: User, monitor: User, make_patient: Callable[..., Patient], north: Site
) -> None:
    _serious(alice, make_patient(north))
    now = timezone.now()
    _, claimed = delivery._claim(now, 10)  # a worker that dies before sending
    assert len(claimed) == 1

    assert delivery.deliver_due(now=now + dt.timedelta(seconds=1)).claimed == 0
    assert mail.outbox == []
    after_lease = now + delivery.LEASE + dt.timedelta(seconds=1)
    assert delivery.deliver_due(now=after_lease).sent == 1
    row = OutboxMessage.objects.get()
    assert (row.status, row.attempts, len(mail.outbox)) == (OutboxStatus.SENT, 2, 1)


def test_a_message_fails_for_good_after_the_last_attempt_and_can_be_requeued(
    alice: User, monitor: User, make_patient: Callable[..., Patient], north: Site,
    no_mail_server: None, settings: Any,
) -> None:  # fmt: skip
    _serious(alice, make_patient(north))
    now = timezone.now()
    reports = []
    for _ in range(delivery.MAX_ATTEMPTS):
        reports.append(delivery.deliver_due(now=now))
        now += delivery.LONGEST_WAIT
    assert [r.retrying for r in reports] == [1] * (delivery.MAX_ATTEMPTS - 1) + [0]
    assert reports[-1].failed == 1
    row = OutboxMessage.objects.get()
    assert (row.status, row.attempts) == (OutboxStatus.FAILED, delivery.MAX_ATTEMPTS)
    assert delivery.deliver_due(now=now + dt.timedelta(days=1)).claimed == 0

    call_command("outbox", "requeue", str(row.pk))
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("outbox", "deliver")
    row.refresh_from_db()
    assert (row.status, len(mail.outbox)) == (OutboxStatus.SENT, 1)


def test_the_wait_between_attempts_doubles_up_to_an_hour() -> None:
    waits = [delivery.backoff(n).total_seconds() for n in range(1, 10)]
    assert waits == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]


def test_the_deliver_command_reports_and_exits_1_when_a_message_fails_for_good(
    alice: User, monitor: User, make_patient: Callable[..., Patient], north: Site,
    no_mail_server: None, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    _serious(alice, make_patient(north))
    OutboxMessage.objects.update(attempts=delivery.MAX_ATTEMPTS - 1)
    with pytest.raises(CommandError) as failed:
        call_command("outbox", "deliver")
    assert failed.value.returncode == 1
    call_command("outbox", "status")
    out = capsys.readouterr().out
    assert "0 sent, 0 to retry, 1 failed" in out
    assert "serious_adverse_event failed attempts=10" in out
    assert "NTH-" not in out  # the status never shows a message's study id
