"""Security settings: Argon2, throttled logins, secure cookies, CSRF, CSP, TOTP, safe logs."""

from __future__ import annotations

import logging
import os
import string
import subprocess
import sys
from collections.abc import Callable

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from cordtrack.server.accounts.models import Role, Site, User
from cordtrack.server.env import env_bool, env_int, env_str
from cordtrack.server.logsafety import StripQueryStrings

PASSWORD = "a-long-enough-test-password"


@pytest.fixture
def erin(make_user: Callable[..., User], north: Site) -> User:
    user = make_user("erin", Role.CLINICIAN, north)
    user.set_password(PASSWORD)
    user.save()
    return user


def test_passwords_are_hashed_with_argon2(erin: User) -> None:
    assert settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert erin.password.startswith("argon2$")


def test_the_standard_login_form_signs_in(client: Client, erin: User) -> None:
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    assert 'name="username"' in page.content.decode()

    response = client.post("/accounts/login/", {"username": "erin", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/")["Location"] == "/patients/"


def test_repeated_failed_logins_lock_the_account(client: Client, erin: User) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "erin", "password": "wrong"})

    response = client.post("/accounts/login/", {"username": "erin", "password": PASSWORD})

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_login_posts_need_a_csrf_token(erin: User) -> None:
    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/accounts/login/", {"username": "erin", "password": PASSWORD})
    assert response.status_code == 403


def test_pages_carry_a_strict_content_security_policy(client: Client) -> None:
    policy = client.get("/accounts/login/")["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


def test_cookies_are_secure_and_http_only_when_not_debugging() -> None:
    assert not settings.DEBUG
    assert settings.SESSION_COOKIE_SECURE
    assert settings.CSRF_COOKIE_SECURE
    assert settings.SESSION_COOKIE_HTTPONLY


def test_a_user_with_a_totp_device_must_give_a_token(client: Client, erin: User) -> None:
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=erin, name="phone", confirmed=True)
    client.post("/accounts/login/", {"username": "erin", "password": PASSWORD})

    blocked = client.get("/patients/")
    assert blocked.status_code == 302
    assert blocked["Location"].startswith("/accounts/otp/")

    token = f"{totp(device.bin_key):06d}"
    client.post("/accounts/otp/?next=/patients/", {"token": token})
    assert client.get("/patients/").status_code == 200


def test_a_device_confirmed_during_a_session_is_asked_for_at_the_next_request(
    client: Client, erin: User
) -> None:
    """Whether the user has a device is read with the user on every request (ADR 0062), so a
    device confirmed elsewhere counts at once; an unconfirmed one does not count."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.post("/accounts/login/", {"username": "erin", "password": PASSWORD})
    device = TOTPDevice.objects.create(user=erin, name="phone", confirmed=False)
    assert client.get("/patients/").status_code == 200
    device.confirmed = True
    device.save()
    blocked = client.get("/patients/")
    assert blocked.status_code == 302
    assert blocked["Location"].startswith("/accounts/otp/")


def test_a_user_without_a_device_costs_no_statement_of_its_own(client: Client, erin: User) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(erin)
    with CaptureQueriesContext(connection) as done:
        assert client.get("/patients/").status_code == 200
    device_reads = [q["sql"] for q in done.captured_queries
                    if q["sql"].startswith('SELECT "otp_totp_totpdevice"')]  # fmt: skip
    assert device_reads == []
    assert any("otp_totp_totpdevice" in q["sql"] for q in done.captured_queries)  # with the user


def test_staff_can_enrol_a_totp_device(client: Client, erin: User) -> None:
    client.force_login(erin)
    page = client.get("/accounts/otp/setup/").content.decode()
    assert 'src="data:image/svg+xml;base64,' in page


def test_request_logs_lose_their_query_strings() -> None:
    args = ("/patients/?q=NTH-0042",)
    record = logging.LogRecord(
        "django.server", logging.INFO, __file__, 1, '"GET %s HTTP/1.1" 200', args, None
    )
    StripQueryStrings().filter(record)
    assert "NTH-0042" not in record.getMessage()
    assert record.getMessage() == '"GET /patients/?… HTTP/1.1" 200'


def test_env_helpers_fail_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_BOOL", "maybe")
    monkeypatch.setenv("X_INT", "ten")
    monkeypatch.delenv("X_MISSING", raising=False)
    with pytest.raises(ImproperlyConfigured, match="X_BOOL='maybe' is not a boolean"):
        env_bool("X_BOOL")
    with pytest.raises(ImproperlyConfigured, match="X_INT='ten' is not an integer"):
        env_int("X_INT", 1)
    with pytest.raises(ImproperlyConfigured, match="X_MISSING is required"):
        env_str("X_MISSING")


def test_production_settings_refuse_to_start_without_a_secret_key() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CORDTRACK_", "DJANGO_"))}
    env["CORDTRACK_ENV_FILE"] = ""  # not the checkout's var/cordtrack.env
    result = subprocess.run(
        [sys.executable, "-c", "import cordtrack.server.settings"],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode != 0
    assert "CORDTRACK_SECRET_KEY is required" in result.stderr


def _settings_with(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("CORDTRACK_", "DJANGO_"))}
    clean["CORDTRACK_ENV_FILE"] = ""  # not the checkout's var/cordtrack.env
    code = "import cordtrack.server.settings as s; print(s.AUDIT_KEY)"
    return subprocess.run(
        [sys.executable, "-c", code], env={**clean, **env}, capture_output=True, text=True,
        check=False,
    )  # fmt: skip


def test_production_settings_refuse_to_start_without_an_audit_key_of_their_own() -> None:
    secret = string.ascii_letters
    missing = _settings_with(CORDTRACK_SECRET_KEY=secret)
    short = _settings_with(CORDTRACK_SECRET_KEY=secret, CORDTRACK_AUDIT_KEY="too-short")
    same = _settings_with(CORDTRACK_SECRET_KEY=secret, CORDTRACK_AUDIT_KEY=secret)

    assert "CORDTRACK_AUDIT_KEY is required" in missing.stderr
    dull = _settings_with(CORDTRACK_SECRET_KEY=secret, CORDTRACK_AUDIT_KEY="a" * 40)
    good = _settings_with(CORDTRACK_SECRET_KEY=secret, CORDTRACK_AUDIT_KEY=string.printable[:40])

    assert (
        "CORDTRACK_AUDIT_KEY is too weak: it needs 32+ random characters (16+ different"
        in short.stderr
    )
    assert (
        "CORDTRACK_AUDIT_KEY is too weak: it needs 32+ random characters (16+ different"
        in dull.stderr
    )
    assert "CORDTRACK_AUDIT_KEY must differ from CORDTRACK_SECRET_KEY" in same.stderr
    assert good.returncode == 0, good.stderr


def test_debug_mode_without_an_audit_key_uses_the_labelled_development_key_and_warns() -> None:
    from django.test import override_settings

    from cordtrack.server.audit.apps import audit_key_check
    from cordtrack.server.audit.keys import DEV_KEY

    debug = _settings_with(CORDTRACK_DEBUG="1")

    assert debug.stdout.strip() == DEV_KEY
    assert audit_key_check() == []
    with override_settings(AUDIT_KEY=DEV_KEY):
        (warning,) = audit_key_check()
    assert warning.id == "cordtrack.audit.W001"
    assert "public development key" in warning.msg


def test_pure_packages_do_not_import_django() -> None:
    code = (
        "import sys, cordtrack.isncsci, cordtrack.clinical.instruments, cordtrack.clinical.safety,"
        " cordtrack.clinical.visits; print('django' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_error_reports_hide_posted_values_and_local_variables() -> None:
    import sys as _sys

    from django.test import RequestFactory

    from cordtrack.server.logsafety import NoPatientDataReporterFilter

    request = RequestFactory().post("/patients/new/", {"year_of_birth": "1971", "note": "NTH-0001"})
    reporter = NoPatientDataReporterFilter()
    study_id = "NTH-0001"  # a local variable of this frame

    frame = _sys._getframe()
    variables = dict(reporter.get_traceback_frame_variables(request, frame))
    assert study_id in str(frame.f_locals.values())  # the variable is there, but not reported

    assert reporter.get_post_parameters(request) == {
        "year_of_birth": "********",
        "note": "********",
    }
    assert variables["study_id"] == "********"
