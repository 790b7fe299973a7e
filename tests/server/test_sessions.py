"""The session store reads a session as Django's database store does (``accounts.sessions``,
ADR 0062): its own row by key, nothing once it has expired or is gone."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.contrib.sessions.backends.db import SessionStore as DjangoStore
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from cordtrack.server.accounts.models import Role, Site, User
from cordtrack.server.accounts.sessions import SessionStore

pytestmark = pytest.mark.django_db


def test_a_saved_session_is_read_back_as_djangos_store_reads_it() -> None:
    mine = SessionStore()
    mine["user"] = "erin"
    mine.save()
    assert SessionStore(mine.session_key).load() == {"user": "erin"}
    assert DjangoStore(mine.session_key).load() == {"user": "erin"}


def test_an_expired_session_is_not_found_and_loses_its_key() -> None:
    store = SessionStore()
    store["user"] = "erin"
    store.save()
    Session.objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    again = SessionStore(store.session_key)
    assert again.load() == {}
    assert again.session_key is None
    assert DjangoStore(store.session_key).load() == {}


def test_an_unknown_or_missing_key_is_an_empty_session() -> None:
    for key in ("x" * 32, None, ""):
        store = SessionStore(key)
        assert store.load() == {}
        assert not store.session_key


def test_a_signed_in_user_reads_pages_with_the_store(
    client: Client, make_user: Callable[..., User], north: Site
) -> None:
    client.force_login(make_user("erin", Role.CLINICIAN, north))
    assert client.get("/patients/").status_code == 200
    Session.objects.all().delete()  # signed out everywhere (a revocation)
    assert client.get("/patients/").status_code == 302
