"""Write forms carry a one-time token: the same form posted twice (double click, retry after a
timeout) saves once, and the second post is redirected where the first went."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.test import Client

from cordtrack.server import formtokens
from cordtrack.server.accounts.models import Role, Site, User
from cordtrack.server.outbox.models import OutboxMessage
from cordtrack.server.patients.models import Patient
from cordtrack.server.safety import views as safety_views
from cordtrack.server.safety.models import AdverseEvent

from .conftest import TODAY

TEMPLATES = Path(formtokens.__file__).parent / "templates"
#: Forms that write no record: signing in and out, two-factor set-up and verification.
NOT_WRITE_FORMS = {"base.html", "registration/login.html", "accounts/otp_setup.html",
                   "accounts/otp_verify.html"}  # fmt: skip
SERIOUS = {
    "term": "Meningitis", "onset_date": TODAY.isoformat(), "ctcae_grade": "3",
    "hospitalisation": "on", "relatedness": "possible", "action": "none", "outcome": "recovering",
}  # fmt: skip


def _token(client: Client, url: str) -> str:
    page = client.get(url).content.decode()
    found = re.search(rf'name="{formtokens.FIELD}" value="([^"]+)"', page)
    assert found, f"no form token on {url}"
    return found.group(1)


def test_every_write_form_template_carries_a_form_token() -> None:
    missing = []
    for path in TEMPLATES.rglob("*.html"):
        name = path.relative_to(TEMPLATES).as_posix()
        text = path.read_text()
        if name not in NOT_WRITE_FORMS and text.count("{% csrf_token %}") != text.count(
            "{% csrf_token %}{% form_token %}"
        ):
            missing.append(name)
    assert missing == []


def test_a_form_posted_twice_saves_once_and_the_second_post_goes_where_the_first_went(
    client: Client, alice: User, make_patient: Callable[..., Patient], north: Site,
    make_user: Callable[..., User],
) -> None:  # fmt: skip
    make_user("monitor@nth", Role.MONITOR, north)
    patient = make_patient(north)
    client.force_login(alice)
    url = f"/patients/{patient.pk}/adverse-events/new/"
    body = {**SERIOUS, formtokens.FIELD: _token(client, url)}

    first = client.post(url, body)
    second = client.post(url, body)

    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"]
    assert AdverseEvent.objects.filter(patient=patient).count() == 1
    assert OutboxMessage.objects.count() == 1
    shown = client.get(second["Location"]).content.decode()
    assert formtokens.ALREADY_SAVED in shown


def test_a_refused_post_keeps_its_token_usable_for_the_corrected_form(
    client: Client, alice: User, make_patient: Callable[..., Patient], north: Site
) -> None:
    patient = make_patient(north)
    client.force_login(alice)
    url = f"/patients/{patient.pk}/adverse-events/new/"
    token = _token(client, url)

    refused = client.post(url, {**SERIOUS, "ctcae_grade": "5", formtokens.FIELD: token})
    assert refused.status_code == 200
    saved = client.post(url, {**SERIOUS, formtokens.FIELD: token})
    assert saved.status_code == 302
    assert AdverseEvent.objects.filter(patient=patient).count() == 1


def test_a_token_is_per_user_and_per_form(
    client: Client, alice: User, make_patient: Callable[..., Patient], north: Site,
    make_user: Callable[..., User],
) -> None:  # fmt: skip
    first, other = make_patient(north), make_patient(north)
    client.force_login(alice)
    url = f"/patients/{first.pk}/adverse-events/new/"
    token = _token(client, url)
    assert client.post(url, {**SERIOUS, formtokens.FIELD: token}).status_code == 302

    elsewhere = client.post(
        f"/patients/{other.pk}/adverse-events/new/", {**SERIOUS, formtokens.FIELD: token}
    )
    assert elsewhere.status_code == 400
    assert not AdverseEvent.objects.filter(patient=other).exists()

    colleague = make_user("alma", Role.CLINICIAN, north)
    client.force_login(colleague)
    assert client.post(url, {**SERIOUS, formtokens.FIELD: token}).status_code == 302
    assert AdverseEvent.objects.filter(patient=first).count() == 2


def test_a_malformed_token_is_refused_and_saves_nothing(
    client: Client, alice: User, make_patient: Callable[..., Patient], north: Site
) -> None:
    patient = make_patient(north)
    client.force_login(alice)
    response = client.post(
        f"/patients/{patient.pk}/adverse-events/new/", {**SERIOUS, formtokens.FIELD: "x' OR 1"}
    )
    assert response.status_code == 400
    assert not AdverseEvent.objects.exists()


def test_the_same_form_sent_back_with_other_content_is_a_new_submission(
    client: Client, alice: User, make_patient: Callable[..., Patient], north: Site
) -> None:
    patient = make_patient(north)
    client.force_login(alice)
    url = f"/patients/{patient.pk}/adverse-events/new/"
    token = _token(client, url)
    assert client.post(url, {**SERIOUS, formtokens.FIELD: token}).status_code == 302
    edited = {**SERIOUS, "term": "Headache", formtokens.FIELD: token}
    assert client.post(url, edited).status_code == 302
    assert client.post(url, edited).status_code == 302
    assert sorted(AdverseEvent.objects.values_list("term", flat=True)) == ["Headache", "Meningitis"]


def test_a_post_that_fails_after_saving_is_rolled_back_whole_and_its_retry_saves_once(
    alice: User, make_patient: Callable[..., Patient], north: Site, monkeypatch: Any
) -> None:
    patient = make_patient(north)
    client = Client(raise_request_exception=False)
    client.force_login(alice)
    url = f"/patients/{patient.pk}/adverse-events/new/"
    body = {**SERIOUS, formtokens.FIELD: _token(client, url)}

    def broken(*args: object, **kwargs: object) -> None:  # after the service committed its part
        raise RuntimeError("the page broke after the save")

    monkeypatch.setattr(safety_views.messages, "warning", broken)
    assert client.post(url, body).status_code == 500
    assert not AdverseEvent.objects.exists()  # not saved behind an error page

    monkeypatch.undo()
    assert client.post(url, body).status_code == 302
    assert client.post(url, body).status_code == 302
    assert AdverseEvent.objects.filter(patient=patient).count() == 1
