"""Patient reminders (issue 17 item 3): due once per channel, again when the visit moves, never
to a patient who opted out or withdrew, never lost when the mail server is down, and with
nothing about the patient's health in the text."""

from __future__ import annotations

import datetime as dt
import json
import logging
import socket
from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from cordtrack.server.accounts.models import Role, Site, User
from cordtrack.server.followup.models import Visit
from cordtrack.server.intake.models import Protocol
from cordtrack.server.outbox import delivery
from cordtrack.server.outbox.models import OutboxMessage, OutboxStatus
from cordtrack.server.patients.models import ConsentStatus, Patient
from cordtrack.server.reminders import engine, sms
from cordtrack.server.reminders.models import ContactPreference, ReminderLog, Template
from cordtrack.server.reminders.plan import due_reminders, stage
from cordtrack.server.reminders.tasks import send_reminders
from cordtrack.server.services import followup, portal
from cordtrack.server.services import patients as patient_services
from cordtrack.server.services import reminders as reminder_services

TODAY = timezone.localdate()
PHONE = "+447700900123"  # a number Ofcom reserves for drama: never a real phone


@pytest.fixture(autouse=True)
def sms_locmem(settings: Any) -> None:
    settings.SMS_BACKEND = "locmem"
    settings.REMINDER_OPENS_DAYS = [7, 1]
    settings.REMINDER_CLOSES_DAYS = [2]
    settings.REMINDER_QUESTIONNAIRE_DAYS = 3
    sms.outbox.clear()


def _visits(bob: User, patient: Patient, protocol: Protocol, opens_in: int) -> Visit:
    """The demo schedule placed so that the month-1 visit's window opens in ``opens_in`` days
    (its earlier visits' windows are closed); returns that visit."""
    reference = TODAY + dt.timedelta(days=opens_in - 23)  # m1: day 30, window -7
    followup.schedule_visits(bob, patient, protocol, reference)
    visit = patient.visits.get(code="m1")
    assert visit.window_open == TODAY + dt.timedelta(days=opens_in)
    return visit


@pytest.fixture
def reminded(
    bob: User, make_patient: Callable[..., Patient], north: Site, protocol: Protocol
) -> tuple[Patient, Visit]:
    """A North patient with an e-mail and a mobile number, month 1 opening in 5 days."""
    patient = make_patient(north)
    reminder_services.set_contact(
        bob, patient, email="p1@example.org", phone="+44 7700 900123",
        email_opt_out=False, sms_opt_out=False,
    )  # fmt: skip
    return patient, _visits(bob, patient, protocol, 5)


def test_the_latest_stage_reached_is_due_never_an_earlier_one_as_well() -> None:
    assert stage(9, [7, 1]) is None
    assert stage(7, [7, 1]) == 7
    assert stage(3, [7, 1]) == 7
    assert stage(1, [7, 1]) == 1
    assert stage(0, [7, 1]) == 1
    assert stage(-1, [7, 1]) is None


def test_a_due_visit_is_reminded_once_by_email_and_sms_and_a_second_run_sends_nothing(
    reminded: tuple[Patient, Visit],
) -> None:
    patient, visit = reminded

    first = engine.run().to_dict()
    second = engine.run().to_dict()

    assert (first["sent"], first["email"], first["sms"], first["queued"]) == (2, 1, 1, 2)
    assert (second["sent"], second["queued"]) == (0, 0)
    assert second["skipped"] == {"already_sent": 2}
    assert len(mail.outbox) == 1
    assert len(sms.outbox) == 1
    assert mail.outbox[0].to == ["p1@example.org"]
    assert sms.outbox[0].to == PHONE
    logs = ReminderLog.objects.filter(patient=patient)
    assert {(r.channel, r.template, r.outcome, r.language) for r in logs} == {
        ("email", Template.VISIT_OPENS, "sent", "en"),
        ("sms", Template.VISIT_OPENS, "sent", "en"),
    }
    assert all(r.visit == visit and r.due_on == visit.window_open - dt.timedelta(7) for r in logs)


def test_the_texts_carry_dates_and_the_portal_link_and_nothing_about_the_patient(
    reminded: tuple[Patient, Visit], caplog: Any,
) -> None:  # fmt: skip
    patient, visit = reminded
    with caplog.at_level(logging.DEBUG):
        engine.run()

    text = sms.outbox[0].body
    email = mail.outbox[0]
    for words in (text, email.subject, email.body):
        for secret in (patient.study_id, "North", "Month 1", "m1", "MSC", "cell", "spinal",
                       "injury", "CT-"):  # fmt: skip
            assert secret.lower() not in words.lower(), (secret, words)
    assert "http://127.0.0.1:8000/portal/" in text
    assert len(text) <= 306
    assert "/portal/reminders/" in email.body
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for secret in (PHONE, "p1@example.org", patient.study_id, text):
        assert secret not in logged
    assert visit.window_open.strftime("%Y") in email.body


def test_moving_a_visit_to_other_dates_makes_it_due_again(
    reminded: tuple[Patient, Visit], bob: User,
) -> None:  # fmt: skip
    _, visit = reminded
    engine.run()
    assert engine.run().to_dict()["sent"] == 0

    followup.reschedule_visit(
        bob, visit, visit.target_date + dt.timedelta(days=-1), reason="patient's flight moved"
    )
    again = engine.run().to_dict()

    assert (again["sent"], again["email"], again["sms"]) == (2, 1, 1)
    assert engine.run().to_dict()["sent"] == 0


def test_a_later_stage_is_a_new_reminder(reminded: tuple[Patient, Visit]) -> None:
    _, visit = reminded
    engine.run()
    tomorrow_of_window = timezone.now() + dt.timedelta(days=4)  # 1 day before it opens

    later = engine.run(now=tomorrow_of_window).to_dict()

    assert later["sent"] == 2
    causes = set(ReminderLog.objects.values_list("cause", flat=True))
    assert causes == {
        f"visit:{visit.pk}:opens:{visit.window_open.isoformat()}:7",
        f"visit:{visit.pk}:opens:{visit.window_open.isoformat()}:1",
    }


def test_an_opted_out_channel_is_not_used_and_the_other_still_is(
    reminded: tuple[Patient, Visit], bob: User,
) -> None:  # fmt: skip
    patient, _ = reminded
    reminder_services.set_contact(
        bob, patient, email="p1@example.org", phone=PHONE, email_opt_out=False, sms_opt_out=True
    )

    report = engine.run().to_dict()

    assert (report["email"], report["sms"]) == (1, 0)
    assert report["skipped"] == {"opted_out": 1}
    assert sms.outbox == []


def test_reminders_stop_for_a_patient_who_withdrew_consent(
    reminded: tuple[Patient, Visit], bob: User,
) -> None:  # fmt: skip
    patient, _ = reminded
    patient_services.record_consent(
        bob, patient, status=ConsentStatus.WITHDRAWN, consent_date=TODAY, version="2.1",
        reason="participant decision",
    )  # fmt: skip

    assert due_reminders(TODAY) == []
    assert engine.run().to_dict()["sent"] == 0
    assert mail.outbox == []
    assert sms.outbox == []


def test_without_an_sms_backend_reminders_go_by_email_only(
    reminded: tuple[Patient, Visit], settings: Any,
) -> None:  # fmt: skip
    settings.SMS_BACKEND = ""
    report = engine.run().to_dict()
    assert (report["email"], report["sms"], report["skipped"]) == (1, 0, {"sms_off": 1})
    assert not OutboxMessage.objects.filter(channel="sms").exists()


@pytest.fixture
def no_mail_server(settings: Any) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2


def test_a_mail_server_that_is_down_loses_no_reminder(
    reminded: tuple[Patient, Visit], no_mail_server: None, settings: Any,
) -> None:  # fmt: skip
    down = engine.run().to_dict()
    again = engine.run().to_dict()  # before the retry is due: nothing new, nothing lost
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    back = engine.run(now=timezone.now() + delivery.backoff(1)).to_dict()

    assert (down["sent"], down["sms"], down["queued"], down["waiting"]) == (1, 1, 2, 1)
    assert (again["sent"], again["queued"], again["waiting"]) == (0, 0, 1)
    assert (back["sent"], back["email"], back["queued"], back["waiting"]) == (1, 1, 0, 0)
    assert len(mail.outbox) == 1
    email_log = ReminderLog.objects.get(channel="email")
    assert email_log.outcome == "sent"
    assert email_log.message is not None
    assert email_log.message.attempts == 2


def test_a_provider_refusal_fails_the_message_at_once_without_retrying(
    reminded: tuple[Patient, Visit], settings: Any,
) -> None:  # fmt: skip
    settings.SMS_BACKEND = "tests.server.test_reminders.RefusingBackend"
    report = engine.run().to_dict()
    assert (report["sent"], report["email"], report["failed"], report["waiting"]) == (1, 1, 1, 0)
    refused = OutboxMessage.objects.get(channel="sms")
    assert refused.status == OutboxStatus.FAILED
    assert refused.attempts == 1
    assert PHONE not in refused.last_error
    assert ReminderLog.objects.get(channel="sms").outcome == "failed"


class RefusingBackend(sms.SmsBackend):
    def send(self, message: sms.TextMessage) -> str:
        raise sms.SmsRefusedError("HTTP 400, provider code 21211")


def test_questionnaires_still_to_answer_are_reminded_before_the_visit_then_no_more(
    bob: User, make_patient: Callable[..., Patient], north: Site, protocol: Protocol,
    make_user: Callable[..., User],
) -> None:  # fmt: skip
    patient = make_patient(north)
    user = make_user("pat", Role.PATIENT, north)
    user.email = "pat@example.org"
    user.save()
    patient_services.link_patient_user(make_user("sadmin", Role.SITE_ADMIN, north), patient, user)
    visit = _visits(bob, patient, protocol, 2)

    templates = {d.template for d in due_reminders(TODAY)}
    report = engine.run().to_dict()
    for code, answers in (("pain_nrs", {"nrs_pain_intensity": 4}),):
        portal.submit_questionnaire(user, code, answers)

    assert templates == {Template.VISIT_OPENS, Template.QUESTIONNAIRE}
    assert (report["email"], report["sms"]) == (2, 0)  # the account's address; no phone
    assert {m.to[0] for m in mail.outbox} == {"pat@example.org"}
    assert portal.assigned(patient, visit)  # three still to answer: reminded once only
    assert Template.QUESTIONNAIRE in {d.template for d in due_reminders(TODAY)}
    assert engine.run().to_dict()["sent"] == 0


def test_the_command_prints_what_it_sent_as_json_and_a_second_run_sends_nothing(
    reminded: tuple[Patient, Visit],
) -> None:
    out, again = StringIO(), StringIO()
    call_command("reminders", "run", "--json", stdout=out)
    call_command("reminders", "run", stdout=again)

    report = json.loads(out.getvalue())
    assert (report["sent"], report["email"], report["sms"]) == (2, 1, 1)
    assert {m["template"] for m in report["messages"]} == {"visit_opens"}
    assert "p1@example.org" not in out.getvalue()
    assert PHONE not in out.getvalue()
    assert again.getvalue().startswith("reminders: 0 sent")


def test_the_worker_job_sends_the_reminders_due(reminded: tuple[Patient, Visit]) -> None:
    result = send_reminders.call()
    assert (result["sent"], result["email"], result["sms"]) == (2, 1, 1)
    assert "messages" not in result


def test_the_file_backend_writes_one_file_per_message_even_when_sent_twice(
    tmp_path: Path,
) -> None:
    backend = sms.get_backend("file", path=tmp_path)
    message = sms.TextMessage(to=PHONE, body="Reminder: see the portal", key="cordtrack-abc")
    backend.send(message)
    backend.send(message)
    files = list(tmp_path.iterdir())
    assert [f.name for f in files] == ["cordtrack-abc.sms"]
    assert "Reminder: see the portal" in files[0].read_text()


def test_the_console_backend_prints_the_message() -> None:
    out = StringIO()
    sms.ConsoleBackend(out).send(sms.TextMessage(to=PHONE, body="Hello", key="k1"))
    assert "Hello" in out.getvalue()
    assert "k1" in out.getvalue()


def test_a_patient_turns_sms_reminders_off_in_the_portal(
    client: Client, bob: User, make_patient: Callable[..., Patient], north: Site,
    make_user: Callable[..., User],
) -> None:  # fmt: skip
    patient = make_patient(north)
    user = make_user("pat", Role.PATIENT, north)
    patient_services.link_patient_user(make_user("sadmin", Role.SITE_ADMIN, north), patient, user)
    reminder_services.set_contact(
        bob, patient, email="p@example.org", phone=PHONE, email_opt_out=False, sms_opt_out=False
    )
    client.force_login(user)

    page = client.get("/portal/reminders/").content.decode()
    saved = client.post("/portal/reminders/", {"email": "on"})

    assert "the number ending 123" in page
    assert PHONE not in page
    assert saved.status_code == 302
    preference = ContactPreference.objects.get(patient=patient)
    assert (preference.email_opt_out, preference.sms_opt_out) == (False, True)
    client.force_login(bob)
    assert client.get("/portal/reminders/").status_code == 403


def test_a_bad_mobile_number_is_refused_with_a_field_error_and_nothing_saved(
    bob: User, make_patient: Callable[..., Patient], north: Site,
) -> None:  # fmt: skip
    from django.core.exceptions import ValidationError

    patient = make_patient(north)
    with pytest.raises(ValidationError) as refused:
        reminder_services.set_contact(
            bob, patient, email="", phone="07700 900123", email_opt_out=False, sms_opt_out=False
        )
    assert "phone" in refused.value.message_dict
    assert not ContactPreference.objects.exists()


def test_a_coordinator_records_addresses_and_opt_outs_and_sees_the_message_log(
    client: Client, reminded: tuple[Patient, Visit], bob: User,
) -> None:  # fmt: skip
    patient, _ = reminded
    engine.run()
    client.force_login(bob)

    page = client.get(f"/patients/{patient.pk}/reminders/").content.decode()
    saved = client.post(
        f"/patients/{patient.pk}/reminders/",
        {"email": "new@example.org", "phone": "0044 7700 900456", "sms_opt_out": "on",
         "reason": "patient asked by phone"},
    )  # fmt: skip

    assert page.count('data-outcome="sent"') == 2
    assert saved.status_code == 302
    preference = ContactPreference.objects.get(patient=patient)
    assert (preference.email, preference.phone) == ("new@example.org", "+447700900456")
    assert (preference.email_opt_out, preference.sms_opt_out) == (False, True)


def test_a_bad_number_on_the_staff_form_is_a_field_error_and_changes_nothing(
    client: Client, reminded: tuple[Patient, Visit], bob: User,
) -> None:  # fmt: skip
    patient, _ = reminded
    client.force_login(bob)
    refused = client.post(
        f"/patients/{patient.pk}/reminders/",
        {"email": "p1@example.org", "phone": "12345", "reason": "typo"},
    )
    assert refused.status_code == 200
    assert "international form" in refused.content.decode()
    assert ContactPreference.objects.get(patient=patient).phone == PHONE


def test_a_clinician_reads_the_reminders_page_but_cannot_change_it_and_another_site_sees_none(
    client: Client, reminded: tuple[Patient, Visit], alice: User, charlie: User,
) -> None:  # fmt: skip
    patient, _ = reminded
    client.force_login(alice)
    page = client.get(f"/patients/{patient.pk}/reminders/")
    refused = client.post(f"/patients/{patient.pk}/reminders/", {"email": "x@example.org"})
    client.force_login(charlie)
    hidden = client.get(f"/patients/{patient.pk}/reminders/")

    assert page.status_code == 200
    assert "<form" not in page.content.decode().split("Addresses and choices")[1]
    assert refused.status_code == 403
    assert hidden.status_code == 404
    assert ContactPreference.objects.get(patient=patient).email == "p1@example.org"
