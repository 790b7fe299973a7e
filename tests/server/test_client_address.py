"""The client's address behind trusted proxies (``clients``, ADR 0061): per-client limits key on
the inquirer, not on the proxy every inquirer comes through; a forged ``X-Forwarded-For`` from
anyone else changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, RequestFactory, override_settings

from cordtrack.server import clients
from cordtrack.server.accounts.models import Site, User
from cordtrack.server.intake.models import Inquiry

from .test_public_inquiry import _form
from .test_security import PASSWORD
from .test_security import erin as erin  # the fixture

PROXY = "10.0.0.7"


@pytest.fixture(autouse=True)
def store(tmp_path: Path) -> Iterator[None]:
    with override_settings(DOCUMENTS_DIR=tmp_path / "documents"):
        yield


def _address(remote: str, forwarded: str | None = None) -> str:
    headers = {} if forwarded is None else {"HTTP_X_FORWARDED_FOR": forwarded}
    return clients.address(RequestFactory().get("/", REMOTE_ADDR=remote, **headers))


def test_without_trusted_proxies_the_header_is_ignored() -> None:
    assert _address("198.51.100.4", "203.0.113.5") == "198.51.100.4"


@override_settings(TRUSTED_PROXIES=[PROXY, "10.1.0.0/16"])
def test_behind_trusted_proxies_the_client_is_the_first_untrusted_hop_from_the_right() -> None:
    assert _address(PROXY, "203.0.113.5") == "203.0.113.5"
    # The client wrote its own header; the proxy appended the address it really saw.
    assert _address(PROXY, "192.0.2.1, 203.0.113.5") == "203.0.113.5"
    # Two trusted proxies in a row (one inside the trusted network).
    assert _address(PROXY, "203.0.113.5, 10.1.4.2") == "203.0.113.5"
    assert _address(PROXY, "2001:db8::5") == "2001:db8::5"


@override_settings(TRUSTED_PROXIES=[PROXY])
def test_a_header_from_an_untrusted_peer_or_one_that_does_not_parse_changes_nothing() -> None:
    assert _address("198.51.100.4", "203.0.113.5") == "198.51.100.4"
    assert _address(PROXY, "not-an-address") == PROXY
    assert _address(PROXY, "") == PROXY
    assert _address(PROXY) == PROXY
    assert _address(PROXY, f"{PROXY}") == PROXY  # only proxies: the proxy's own request


@override_settings(TRUSTED_PROXIES=[PROXY], INQUIRY_RATE_LIMIT=1)
def test_the_inquiry_limit_counts_each_client_behind_the_proxy_apart(north: Site) -> None:
    first = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.5")
    second = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.6")
    assert first.post("/inquire/", _form()).status_code == 302
    assert second.post("/inquire/", _form()).status_code == 302
    assert first.post("/inquire/", _form()).status_code == 429
    # A client forging its own header through the proxy is still counted by the proxy's view.
    forged = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="192.0.2.99, 203.0.113.5")
    assert forged.post("/inquire/", _form()).status_code == 429
    assert Inquiry.objects.count() == 2


@override_settings(INQUIRY_RATE_LIMIT=1)
def test_without_trusted_proxies_a_forged_header_does_not_escape_the_limit(north: Site) -> None:
    assert Client(HTTP_X_FORWARDED_FOR="203.0.113.5").post("/inquire/", _form()).status_code == 302
    again = Client(HTTP_X_FORWARDED_FOR="203.0.113.6").post("/inquire/", _form())
    assert again.status_code == 429


@override_settings(TRUSTED_PROXIES=[PROXY])
def test_sign_in_lock_outs_are_per_client_behind_the_proxy(erin: User) -> None:
    attacker = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.66")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attacker.post("/accounts/login/", {"username": "erin", "password": "wrong"})
    locked = attacker.post("/accounts/login/", {"username": "erin", "password": PASSWORD})
    assert locked.status_code == 429
    # Erin, elsewhere behind the same proxy, still signs in.
    erin_client = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.20")
    answer = erin_client.post("/accounts/login/", {"username": "erin", "password": PASSWORD})
    assert answer.status_code == 302


def test_an_invalid_trusted_proxy_is_refused_with_its_name() -> None:
    with pytest.raises(ImproperlyConfigured, match="CORDTRACK_TRUSTED_PROXIES"):
        clients.trusted(["10.0.0.0/33"])
