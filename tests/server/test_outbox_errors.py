"""A failed delivery's error is kept (``last_error``, shown by ``cordtrack outbox status``)
without the recipient's address or number. Found by the adversary pass: a mail server refusing
a recipient names the address in its answer ("550 5.1.1 <someone@example.org>: Recipient
address rejected"), and that text was stored whole. Tested against a real SMTP conversation with
a local server that refuses every recipient, and an SMS backend whose error names the number."""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command

from cordtrack.server.logsafety import redact_contacts
from cordtrack.server.outbox import delivery
from cordtrack.server.outbox.models import Channel, OutboxMessage, OutboxStatus
from cordtrack.server.reminders.sms import SmsUnavailableError, TextMessage

pytestmark = pytest.mark.django_db

ADDRESS = "Family.Member+cord@example.org"
NUMBER = "+968 9123 4567"


class RefusingSmtp(socketserver.StreamRequestHandler):
    """Just enough SMTP for smtplib: every RCPT TO is refused, naming the address as real
    servers do (Postfix: ``550 5.1.1 <addr>: Recipient address rejected: User unknown``)."""

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        self.reply("220 fake.example ESMTP")
        for raw in self.rfile:
            command = raw.decode(errors="replace").strip()
            verb = command.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 fake.example")
            elif verb == "RCPT":
                address = command.partition("<")[2].partition(">")[0]
                self.reply(f"550 5.1.1 <{address}>: Recipient address rejected: User unknown")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:  # MAIL, RSET, NOOP
                self.reply("250 ok")


@pytest.fixture
def refusing_mail_server(settings: Any) -> Iterator[None]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), RefusingSmtp)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.server_address[1]
    settings.EMAIL_TIMEOUT, settings.EMAIL_USE_TLS = 5, False
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()


def test_a_refused_recipient_is_not_kept_in_the_error_nor_shown_by_the_status_command(
    refusing_mail_server: None, capsys: pytest.CaptureFixture[str]
) -> None:
    delivery.enqueue("test", [ADDRESS], "Subject", "Body")

    report = delivery.deliver_due()

    assert report.retrying == 1
    row = OutboxMessage.objects.get()
    assert row.status == OutboxStatus.PENDING
    assert "SMTPRecipientsRefused" in row.last_error  # what failed is still said
    assert "550" in row.last_error
    assert "Recipient address rejected" in row.last_error
    assert "@" not in row.last_error
    assert "example.org" not in row.last_error
    call_command("outbox", "status")
    assert ADDRESS.lower() not in capsys.readouterr().out.lower()


class NamingSms:
    """An SMS backend whose error repeats the number, as some gateways' messages do."""

    def send(self, message: TextMessage) -> str:
        raise SmsUnavailableError(f"gateway busy, {message.to} not reached; retry later")

    def close(self) -> None:
        pass


def test_an_sms_error_naming_the_number_is_kept_without_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(delivery, "_sms_connection", NamingSms)
    delivery.enqueue("test", [NUMBER], "", "Body", channel=Channel.SMS)

    assert delivery.deliver_due().retrying == 1

    error = OutboxMessage.objects.get().last_error
    assert error.startswith("SmsUnavailableError: gateway busy,")
    assert "9123" not in error
    assert "4567" not in error


@pytest.mark.parametrize(
    ("text", "contact"),
    [
        ("{'a.b-c+tag@mail.example.co.uk': (550, b'5.1.1 <a.b-c+tag@mail.example.co.uk>')}",
         "a.b-c+tag@mail.example.co.uk"),
        ("monitor@nth refused", "monitor@nth"),
        ("to +968 9123 4567 failed", "+968 9123 4567"),
        ("to +1 (555) 010-0199 failed", "+1 (555) 010-0199"),
        ("to 0044 20 7946 0958 failed", "0044 20 7946 0958"),
        ("to 07700900123 failed", "07700900123"),
        ("to +66812345678 failed", "+66812345678"),
        ("to 01.23.45.67.89 failed", "01.23.45.67.89"),
    ],
)  # fmt: skip
def test_addresses_and_numbers_of_every_usual_form_are_redacted(text: str, contact: str) -> None:
    redacted = redact_contacts(text)
    assert "@" not in redacted
    assert contact not in redacted
    # Only the contact is replaced: the words and punctuation around it are kept.
    placeholder = "[e-mail]" if "@" in contact else "[phone]"
    assert redacted == text.replace(contact, placeholder)


def test_codes_and_hosts_an_operator_needs_are_kept() -> None:
    text = "SMTPRecipientsRefused: (550, b'5.1.1 User unknown') [Errno 111] smtp.example.org:587"
    assert redact_contacts(text) == text
    assert redact_contacts("ConnectionRefusedError: 127.0.0.1 port 2525") == (
        "ConnectionRefusedError: 127.0.0.1 port 2525"
    )
