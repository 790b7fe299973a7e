"""Concurrency on PostgreSQL (SQLite serialises writers, so these races cannot happen there):
workers delivering the outbox at once send each message once, the same form posted twice at
once saves once, and posts to the public form at once are each counted against its limit."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client, override_settings

from cordtrack.server import formtokens, ratelimit
from cordtrack.server.accounts.models import Role, Site, User
from cordtrack.server.api.models import PostCount
from cordtrack.server.intake.models import Inquiry
from cordtrack.server.outbox import delivery
from cordtrack.server.outbox.models import OutboxMessage, OutboxStatus
from cordtrack.server.patients.models import Patient
from cordtrack.server.safety.models import AdverseEvent

from .test_form_tokens import SERIOUS, _token
from .test_public_inquiry import _form as inquiry_form
from .test_public_inquiry import _token as inquiry_token

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="races need concurrent writers (PostgreSQL)"
    ),
]


def _together(n: int, work: Callable[[int], Any]) -> list[Any]:
    """Run ``work(i)`` in ``n`` threads started at once; their results, in order."""
    start = threading.Barrier(n)
    results: list[Any] = [None] * n
    failures: list[BaseException] = []

    def run(i: int) -> None:
        try:
            start.wait()
            results[i] = work(i)
        except BaseException as exc:  # reported below, in the test's thread
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    return results


def test_workers_delivering_at_once_send_every_message_once() -> None:
    for i in range(40):
        delivery.enqueue("test", [f"m{i}@example.org"], f"message {i}", "body")
    reports = _together(4, lambda i: delivery.deliver_due(limit=15))
    assert sum(r.sent for r in reports) == 40
    ids = sorted(m.extra_headers["Message-ID"] for m in mail.outbox)
    assert len(ids) == 40
    assert len(set(ids)) == 40
    assert set(OutboxMessage.objects.values_list("status", "attempts")) == {(OutboxStatus.SENT, 1)}


def test_the_same_form_posted_twice_at_once_saves_once(
    make_patient: Callable[..., Patient], north: Site, make_user: Callable[..., User]
) -> None:
    alice = make_user("alice@nth", Role.CLINICIAN, north)
    make_user("monitor@nth", Role.MONITOR, north)
    patient = make_patient(north)
    url = f"/patients/{patient.pk}/adverse-events/new/"
    first = Client()
    first.force_login(alice)
    body = {**SERIOUS, formtokens.FIELD: _token(first, url)}

    def post(i: int) -> tuple[int, str]:
        client = Client()
        client.force_login(alice)
        response = client.post(url, body)
        return response.status_code, response.get("Location", "")

    answers = _together(2, post)
    assert [a[0] for a in answers] == [302, 302]
    assert answers[0][1] == answers[1][1]
    assert AdverseEvent.objects.filter(patient=patient).count() == 1
    assert OutboxMessage.objects.count() == 1


def test_posts_counted_at_once_for_one_client_are_each_counted_once() -> None:
    counts = _together(6, lambda i: ratelimit.count_post("inquire:same", dt.timedelta(hours=1)))
    assert sorted(counts) == [1, 2, 3, 4, 5, 6]
    assert PostCount.objects.get().count == 6


@override_settings(INQUIRY_RATE_LIMIT=3)
def test_refused_inquiries_posted_at_once_from_one_address_meet_the_limit(north: Site) -> None:
    def post(i: int) -> int:
        return Client().post("/inquire/", inquiry_form(contact_email="")).status_code

    statuses = _together(6, post)
    assert sorted(statuses) == [400, 400, 400, 429, 429, 429]


def test_the_same_inquiry_posted_at_once_from_several_browsers_is_saved_once(
    north: Site, tmp_path: Path
) -> None:
    token = inquiry_token(Client().get("/inquire/").content.decode())
    form = inquiry_form(_form_token=token)

    def post(i: int) -> str:
        client = Client()
        sent = client.post("/inquire/", form)
        assert sent.status_code == 302
        return client.get(sent["Location"]).content.decode()

    with override_settings(DOCUMENTS_DIR=tmp_path):
        pages = _together(3, post)
    reference = Inquiry.objects.get().reference
    assert reference
    assert all(reference in page for page in pages)
    assert Patient.objects.count() == 1
