"""Reminder runs at the same moment (two workers, or a worker and `cordtrack reminders run`)
send each reminder once: PostgreSQL only (SQLite serialises writers)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.db import connection

from cordtrack.server.accounts.models import Site, User
from cordtrack.server.intake.models import Protocol
from cordtrack.server.patients.models import Patient
from cordtrack.server.reminders import engine, sms
from cordtrack.server.reminders.models import ReminderLog

from .test_concurrent_retries import _together
from .test_reminders import PHONE, _visits
from .test_reminders import sms_locmem as sms_locmem  # the autouse fixture

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="races need concurrent writers (PostgreSQL)"
    ),
]


def test_runs_at_the_same_moment_send_each_reminder_once(
    bob: User, make_patient: Callable[..., Patient], north: Site, protocol: Protocol,
    caplog: Any,
) -> None:  # fmt: skip
    from cordtrack.server.services import reminders as reminder_services

    patients = [make_patient(north) for _ in range(3)]
    for p in patients:
        reminder_services.set_contact(
            bob, p, email=f"p{p.pk}@example.org", phone=PHONE, email_opt_out=False,
            sms_opt_out=False,
        )  # fmt: skip
        _visits(bob, p, protocol, 5)

    with caplog.at_level(logging.DEBUG):
        reports = _together(4, lambda i: engine.run().to_dict())

    assert sum(r["queued"] for r in reports) == 6
    assert sum(r["sent"] for r in reports) == 6
    assert ReminderLog.objects.count() == 6
    assert len(mail.outbox) == 3
    assert len(sms.outbox) == 3
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert PHONE not in logged
    assert "@example.org" not in logged
