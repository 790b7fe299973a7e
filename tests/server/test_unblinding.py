"""Emergency unblinding of one patient (ADR 0041) and annotations of a randomisation.

Unblinding: a clinician of the site, signed (password), with a reason; audited without the arm;
the arm shown to the requester only; the site's monitors told by an outbox e-mail without the
arm; a mail server that is down never breaks the save. Notes: the allocation never changes, a
note explains; audited; shown to unblinded roles only.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from route_walk import text_of

from cordtrack.server.accounts.models import Role, Site, User
from cordtrack.server.audit.models import AuditEntry
from cordtrack.server.intake.models import Randomisation, RandomisationNote, Unblinding
from cordtrack.server.outbox.delivery import deliver_due
from cordtrack.server.outbox.models import OutboxMessage
from cordtrack.server.patients.models import Patient
from cordtrack.server.services import (
    api_tokens,
    patients,
    randomisation,
    signatures,
    therapy,
    unblinding,
)
from cordtrack.server.signatures.models import Signature

from .conftest import VITALS, now
from .test_randomisation import PASSWORD, rct, screened  # noqa: F401  (fixtures)

REASON = "Suspected meningitis: the treating team needs the arm to choose the lumbar work-up."


@pytest.fixture
def allocated(
    alice: User,
    screened: Callable[..., Patient],  # noqa: F811  (the fixture of test_randomisation)
    make_user: Callable[..., User],
    north: Site,
) -> Randomisation:
    make_user("monitor@nth", Role.MONITOR, north)
    patient = screened()
    return randomisation.randomise(alice, patient, password=PASSWORD)


def _everything_audited_since(seq: int) -> str:
    return json.dumps([(e.model, e.changes, e.reason) for e in AuditEntry.objects.filter(
        seq__gt=seq)], default=str)  # fmt: skip


def _last_seq() -> int:
    last = AuditEntry.objects.order_by("-seq").first()
    return int(last.seq) if last else 0


def test_a_clinician_unblinds_signed_audited_without_the_arm_and_monitors_are_told(
    alice: User, allocated: Randomisation
) -> None:
    seq = _last_seq()

    made = unblinding.unblind(alice, allocated.patient, reason=REASON, password=PASSWORD)

    assert made.randomisation == allocated
    assert signatures.is_signed(made, "authored")
    trail = _everything_audited_since(seq)
    assert "intake.unblinding" in trail
    assert REASON in trail
    assert allocated.arm not in trail  # neither the record's entry nor the signature's
    message = OutboxMessage.objects.get(topic=unblinding.TOPIC_UNBLINDING)
    assert message.recipients == ["monitor@nth"]
    assert allocated.patient.study_id in message.subject
    assert allocated.arm not in message.subject + message.body
    assert REASON not in message.body  # free text could name the arm


def test_the_arm_is_shown_to_the_requester_only(
    alice: User, allocated: Randomisation, make_user: Callable[..., User], north: Site
) -> None:
    made = unblinding.unblind(alice, allocated.patient, reason=REASON, password=PASSWORD)
    other_clinician = make_user("cleo", Role.CLINICIAN, north)
    client = Client()

    client.force_login(alice)
    page = client.get(f"/unblindings/{made.pk}/").content.decode()
    client.force_login(other_clinician)
    refused = client.get(f"/unblindings/{made.pk}/")

    assert f"<strong data-arm>{allocated.arm}</strong>" in page
    assert refused.status_code == 404


def test_the_page_form_unblinds_with_the_password_and_refuses_without(
    alice: User, allocated: Randomisation
) -> None:
    client = Client()
    client.force_login(alice)
    url = f"/patients/{allocated.patient_id}/unblind/"
    card = client.get(f"/patients/{allocated.patient_id}/").content.decode()
    assert "Sign and unblind" in card

    wrong = client.post(url, {"reason": REASON, "password": "not-it"})
    short = client.post(url, {"reason": "urgent", "password": PASSWORD})
    right = client.post(url, {"reason": REASON, "password": PASSWORD})

    assert wrong.status_code == 302
    assert short.status_code == 302
    made = Unblinding.objects.get()
    assert right["Location"] == f"/unblindings/{made.pk}/"
    assert Signature.objects.filter(model="intake.unblinding").count() == 1


def test_refused_unblindings_change_nothing(
    alice: User, bob: User, allocated: Randomisation, make_user: Callable[..., User],
    north: Site, make_patient: Callable[..., Patient],
) -> None:  # fmt: skip
    assessor = make_user("ada", Role.ASSESSOR, north)
    for who in (bob, assessor):  # a coordinator; a blinded assessor
        with pytest.raises(PermissionDenied):
            unblinding.unblind(who, allocated.patient, reason=REASON, password=PASSWORD)
    with pytest.raises(ValidationError) as short:
        unblinding.unblind(alice, allocated.patient, reason="urgent", password=PASSWORD)
    with pytest.raises(ValidationError) as not_randomised:
        unblinding.unblind(alice, make_patient(north), reason=REASON, password=PASSWORD)
    with pytest.raises(ValidationError) as wrong:
        unblinding.unblind(alice, allocated.patient, reason=REASON, password="not-it")

    assert "reason" in short.value.message_dict
    assert "patient_id" in not_randomised.value.message_dict
    assert "password" in wrong.value.message_dict
    assert not Unblinding.objects.exists()
    assert not OutboxMessage.objects.filter(topic=unblinding.TOPIC_UNBLINDING).exists()


def test_a_mail_server_that_is_down_never_breaks_the_unblinding(
    alice: User, allocated: Randomisation, settings: object
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"  # type: ignore[attr-defined]
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # type: ignore[attr-defined]

    made = unblinding.unblind(alice, allocated.patient, reason=REASON, password=PASSWORD)
    deliver_due()

    assert Unblinding.objects.filter(pk=made.pk).exists()
    message = OutboxMessage.objects.get(topic=unblinding.TOPIC_UNBLINDING)
    assert message.sent_at is None
    assert message.attempts == 1
    assert not mail.outbox


def test_a_note_annotates_without_changing_the_allocation_and_is_audited(
    alice: User, bob: User, allocated: Randomisation, make_user: Callable[..., User],
    north: Site,
) -> None:  # fmt: skip
    before = {f: getattr(allocated, f) for f in ("arm", "stratum", "sequence", "patient_id")}
    seq = _last_seq()
    client = Client()
    client.force_login(bob)

    response = client.post(
        f"/randomisations/{allocated.pk}/notes/",
        {"text": "Baseline AIS was entered as A; the source says B (stratum A kept, ITT)."},
    )

    assert response.status_code == 302
    note = RandomisationNote.objects.get()
    assert note.author == bob
    assert "intake.randomisationnote" in _everything_audited_since(seq)
    allocated.refresh_from_db()
    assert {f: getattr(allocated, f) for f in before} == before
    assert "the source says B" in client.get(f"/patients/{allocated.patient_id}/").content.decode()
    monitor = User.objects.get(username="monitor@nth")
    with pytest.raises(PermissionDenied):  # reads, enters nothing
        unblinding.annotate(monitor, allocated, "A monitor's note is a data query instead.")
    with pytest.raises(ValidationError):
        unblinding.annotate(bob, allocated, "short")


@pytest.fixture
def participant(
    alice: User, allocated: Randomisation, make_user: Callable[..., User], north: Site,
    make_lot: Callable[..., Any],
) -> tuple[User, Any]:  # fmt: skip
    """The allocated patient, treated from a lot (dose 12345678), as a signed-up patient user;
    with the lot."""
    lot = make_lot(north, suffix="trial", manufacturer="Helix Cell Labs")
    therapy.administer(
        alice, allocated.patient, lot, administered_at=now(), route="intrathecal",
        dose_total_cells=12345678, weight_kg=Decimal("70"), vitals=VITALS,
    )  # fmt: skip
    admin = make_user("sal", Role.SITE_ADMIN, north)
    user = make_user("pat", Role.PATIENT, north)
    patients.link_patient_user(admin, allocated.patient, user)
    return user, lot


def test_a_randomised_patient_sees_no_arm_product_or_lot_on_their_own_pages(
    alice: User, allocated: Randomisation, participant: tuple[User, Any]
) -> None:
    """Participant blinding: the sham arm only works if patients are blinded."""
    patient = allocated.patient
    user, lot = participant
    client = Client()
    client.force_login(user)
    forbidden = [allocated.arm, lot.lot_number, "Bone-marrow MSC", "12345678", "Helix Cell Labs"]

    for url in ("/portal/", f"/patients/{patient.pk}/", f"/patients/{patient.pk}/progress/",
                f"/reports/patients/{patient.pk}/",
                f"/reports/patients/{patient.pk}/progress.pdf"):  # fmt: skip
        response = client.get(url)
        assert response.status_code == 200, url
        text = text_of(response)
        assert not [f for f in forbidden if f in text], (url, [f for f in forbidden if f in text])
    staff = Client()
    staff.force_login(alice)
    assert lot.lot_number in staff.get(f"/patients/{patient.pk}/").content.decode()  # control


def test_a_randomised_patient_with_an_api_token_sees_no_administration_either(
    alice: User, allocated: Randomisation, participant: tuple[User, Any]
) -> None:
    """The API hides the same rows as the pages (``blinding.blind_api_request``, ADR 0052)."""
    patient = allocated.patient
    user, lot = participant

    def administrations(who: User) -> str:
        _, secret = api_tokens.create_token(who)
        response = Client().get(
            f"/api/v1/administrations?patient_id={patient.pk}",
            headers={"Authorization": f"Bearer {secret}"},
        )
        assert response.status_code == 200
        return response.content.decode()

    assert "12345678" in administrations(alice)  # the control: staff see it
    shown = administrations(user)
    assert "12345678" not in shown
    assert lot.lot_number not in shown
