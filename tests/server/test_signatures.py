"""Electronic signatures with meaning (21 CFR 11.50, 11.70, 11.200): the password re-entered,
printed name, date-time and meaning shown, a later change invalidating the signature; exams on
their page and through the API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.utils import timezone

from cordtrack.server.accounts.models import Site, User
from cordtrack.server.audit.chain import verify
from cordtrack.server.audit.models import AuditEntry
from cordtrack.server.exams.models import IsncsciExam
from cordtrack.server.patients.models import Patient
from cordtrack.server.services import exams, signatures
from cordtrack.server.signatures.models import Meaning, Signature

from .conftest import TODAY, complete_t6_exam, normal_exam
from .test_api_helpers import ApiClient

PASSWORD = "pw-alice-sign-1"


@pytest.fixture
def signer(alice: User) -> User:
    alice.first_name, alice.last_name = "Alice", "Martin"
    alice.set_password(PASSWORD)
    alice.save()
    return alice


@pytest.fixture
def exam(signer: User, make_patient: Callable[..., Patient], north: Site) -> IsncsciExam:
    return exams.record_exam(signer, make_patient(north), normal_exam(), exam_date=TODAY)


def _sign_page(client: Client, exam: IsncsciExam, password: str) -> str:
    return client.post(f"/exams/{exam.pk}/sign/", {"password": password}).content.decode()


def test_a_wrong_password_is_a_field_error_and_signs_nothing(
    client: Client, signer: User, exam: IsncsciExam
) -> None:
    client.force_login(signer)
    entries = AuditEntry.objects.count()

    response = client.post(f"/exams/{exam.pk}/sign/", {"password": "not-it"})

    assert response.status_code == 422
    page = response.content.decode()
    assert 'data-field="password"' in page
    assert "Password is not correct: nothing was signed" in page
    exam.refresh_from_db()
    assert not exam.locked
    assert not Signature.objects.exists()
    assert AuditEntry.objects.count() == entries


def test_signing_shows_printed_name_meaning_and_time_and_audits_them(
    client: Client, signer: User, exam: IsncsciExam
) -> None:
    client.force_login(signer)
    before = timezone.now()

    _sign_page(client, exam, PASSWORD)

    signature = Signature.objects.get()
    assert (signature.printed_name, signature.meaning) == ("Alice Martin", Meaning.AUTHORED)
    assert signature.signer == signer
    assert signature.signed_at >= before
    assert signature.content_hash == signatures.content_hash(exam)
    page = client.get(f"/exams/{exam.pk}/").content.decode()
    assert f'data-signature="{signature.pk}" data-meaning="authored" data-state="valid"' in page
    assert "Alice Martin" in page
    assert "Authored" in page
    assert signature.signed_at.strftime("%Y-%m-%d %H:%M:%S") in page
    entry = AuditEntry.objects.filter(action="sign", object_id=str(exam.pk)).get()
    assert entry.changes["signature.meaning"] == [None, "authored"]
    assert entry.changes["signature.printed_name"] == [None, "Alice Martin"]
    assert entry.changes["signature.content_sha256"] == [None, signature.content_hash]
    assert "signed_at" in entry.changes
    assert not list(verify())


def test_a_later_correction_invalidates_the_signature_until_signed_again(
    client: Client, signer: User, exam: IsncsciExam
) -> None:
    client.force_login(signer)
    _sign_page(client, exam, PASSWORD)
    first = Signature.objects.get()
    exam.refresh_from_db()

    exams.amend_exam(signer, exam, complete_t6_exam(), reason="T7 misread")

    assert not signatures.is_signed(exam, Meaning.AUTHORED)
    page = client.get(f"/exams/{exam.pk}/").content.decode()
    assert f'data-signature="{first.pk}" data-meaning="authored" data-state="invalidated"' in page
    assert 'data-needs-resigning="yes"' in page
    assert "Sign again" in page

    _sign_page(client, exam, PASSWORD)

    assert signatures.is_signed(exam, Meaning.AUTHORED)
    states = {s.signature.pk: s.state for s in signatures.states(exam)}
    assert states[first.pk] == "superseded"
    assert sorted(states.values()) == ["superseded", "valid"]


def test_an_exam_with_a_valid_signature_is_not_signed_twice(
    signer: User, exam: IsncsciExam
) -> None:
    exams.sign_exam(signer, exam, password=PASSWORD)
    with pytest.raises(ValidationError) as raised:
        exams.sign_exam(signer, exam, password=PASSWORD)
    assert "signed_at" in raised.value.message_dict
    assert Signature.objects.count() == 1


def test_a_reclassification_by_a_new_engine_does_not_invalidate_the_signature(
    signer: User, exam: IsncsciExam
) -> None:
    exams.sign_exam(signer, exam, password=PASSWORD)
    IsncsciExam.objects.filter(pk=exam.pk).update(ais="X", engine_version="old")
    exam.refresh_from_db()

    assert exams.recompute_exam(signer, exam)
    assert signatures.is_signed(exam, Meaning.AUTHORED)


def test_a_change_made_outside_the_services_is_detected(signer: User, exam: IsncsciExam) -> None:
    exams.sign_exam(signer, exam, password=PASSWORD)
    IsncsciExam.objects.filter(pk=exam.pk).update(exam_date=TODAY - dt.timedelta(days=1))

    assert signatures.current(exam, Meaning.AUTHORED).state == "invalidated"  # type: ignore[union-attr]


def test_signatures_are_never_changed_or_deleted(signer: User, exam: IsncsciExam) -> None:
    exams.sign_exam(signer, exam, password=PASSWORD)
    signature = Signature.objects.get()
    with pytest.raises(TypeError):
        signature.save()
    with pytest.raises(TypeError):
        signature.delete()
    with pytest.raises(TypeError):
        Signature.objects.all().update(meaning="approved")
    with pytest.raises(TypeError):
        Signature.objects.all().delete()


def test_a_series_reauthentication_expires(signer: User, exam: IsncsciExam) -> None:
    stale = signatures.Reauthentication(signer.pk, timezone.now() - dt.timedelta(minutes=11))
    with pytest.raises(ValidationError) as raised:
        exams.sign_exam(signer, exam, password=stale)
    assert "password" in raised.value.message_dict
    someone_else = signatures.Reauthentication(signer.pk + 1000, timezone.now())
    with pytest.raises(ValidationError):
        exams.sign_exam(signer, exam, password=someone_else)
    assert not Signature.objects.exists()


@override_settings(AXES_FAILURE_LIMIT=3)
def test_failed_signing_passwords_lock_signing_and_sign_in_like_failed_logins(
    client: Client, signer: User, exam: IsncsciExam
) -> None:
    client.force_login(signer)
    for _ in range(3):
        _sign_page(client, exam, "guess")

    page = _sign_page(client, exam, PASSWORD)  # the right one, too late

    assert "too many failed attempts: signing and sign-in are locked" in page
    assert not Signature.objects.exists()
    other = Client()
    other.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert "_auth_user_id" not in other.session


def test_the_api_signs_with_the_password_in_the_body(signer: User, exam: IsncsciExam) -> None:
    api = ApiClient(signer)

    refused = api.post(f"/exams/{exam.pk}/sign", {"password": "nope"})
    missing = api.post(f"/exams/{exam.pk}/sign", {})
    done = api.post(f"/exams/{exam.pk}/sign", {"password": PASSWORD})

    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "password"
    assert missing.status_code == 422
    assert done.status_code == 200
    body = done.json()
    assert body["status"] == "signed"
    assert body["signature"]["printed_name"] == "Alice Martin"
    assert body["signature"]["meaning"] == "authored"
    assert body["signature"]["state"] == "valid"
    assert api.get(f"/exams/{exam.pk}").json()["signature"]["valid"] is True
    listed = api.get("/exams").json()["items"]
    assert [e["signature"]["state"] for e in listed] == ["valid"]


def test_the_api_refuses_signing_to_other_roles_and_sites(
    exam: IsncsciExam, make_user: Callable[..., User], north: Site, south: Site
) -> None:
    monitor = make_user("mona", "monitor", north)
    stranger = make_user("sam", "clinician", south)
    for user in (monitor, stranger):
        user.set_password(PASSWORD)
        user.save()

    assert (
        ApiClient(monitor).post(f"/exams/{exam.pk}/sign", {"password": PASSWORD}).status_code == 403
    )
    assert (
        ApiClient(stranger).post(f"/exams/{exam.pk}/sign", {"password": PASSWORD}).status_code
        == 404
    )
    assert not Signature.objects.exists()
