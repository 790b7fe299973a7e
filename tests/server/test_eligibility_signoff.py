"""The eligibility decision is the clinician's, signed: the screening's proposal is confirmed (or
overridden with a reason) with the password re-entered, meaning "approved"; on the page and
through the API; a later change of the screening invalidates the signature."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from cordtrack.server.accounts.models import Site, User
from cordtrack.server.audit.models import AuditEntry
from cordtrack.server.intake.models import EligibilityScreening
from cordtrack.server.patients.models import Patient
from cordtrack.server.services import intake, signatures
from cordtrack.server.services import patients as patient_services
from cordtrack.server.signatures.models import Meaning, Signature

from .conftest import TODAY, signing
from .test_api_helpers import ApiClient

PASSWORD = "pw-alice-sign-1"
FIT = {"medically_stable": True, "active_infection": False, "malignancy": False, "pregnancy": False}


@pytest.fixture
def screening(
    alice: User, make_patient: Callable[..., Patient], north: Site, protocol: Any
) -> EligibilityScreening:
    alice.first_name, alice.last_name = "Alice", "Martin"
    alice.set_password(PASSWORD)
    alice.save()
    patient = make_patient(north)
    patient_services.record_injury(
        alice, patient, injury_date=TODAY - dt.timedelta(days=60), etiology="traumatic",
        cause="fall", level="T6", baseline_ais="A",
    )  # fmt: skip
    return intake.screen_eligibility(alice, patient, protocol, FIT)


def test_the_clinician_confirms_the_proposal_with_a_signature_on_the_page(
    client: Client, alice: User, screening: EligibilityScreening
) -> None:
    client.force_login(alice)
    page = client.get(f"/screenings/{screening.pk}/").content.decode()
    assert 'data-decision="unconfirmed"' in page
    assert "Confirm the decision" in page

    wrong = client.post(
        f"/screenings/{screening.pk}/confirm/", {"decision": "eligible", "password": "nope"}
    )
    assert wrong.status_code == 422
    assert "Password is not correct" in wrong.content.decode()
    screening.refresh_from_db()
    assert screening.confirmed_decision == ""

    done = client.post(
        f"/screenings/{screening.pk}/confirm/", {"decision": "eligible", "password": PASSWORD}
    )

    assert done.status_code == 302
    screening.refresh_from_db()
    assert screening.confirmed_decision == "eligible"
    state = signatures.current(screening, Meaning.APPROVED)
    assert state is not None
    assert (state.printed_name, state.state) == ("Alice Martin", "valid")
    page = client.get(f"/screenings/{screening.pk}/").content.decode()
    assert 'data-decision="eligible"' in page
    assert "signed by Alice Martin (approved)" in page
    assert "Confirm the decision" not in page
    patient_page = client.get(f"/patients/{screening.patient_id}/").content.decode()
    assert "decision: <strong>Eligible</strong> (signed)" in patient_page
    assert AuditEntry.objects.filter(
        action="sign", model="intake.eligibilityscreening", object_id=str(screening.pk)
    ).exists()


def test_overriding_the_proposal_needs_a_reason(
    alice: User, screening: EligibilityScreening
) -> None:
    with pytest.raises(ValidationError) as raised:
        intake.confirm_eligibility(alice, screening, decision="not_eligible", password=PASSWORD)
    assert "differs from the proposal" in raised.value.message_dict["reason"][0]
    assert not Signature.objects.exists()

    intake.confirm_eligibility(
        alice, screening, decision="not_eligible", reason="MRI shows syrinx", password=PASSWORD
    )

    screening.refresh_from_db()
    assert (screening.confirmed_decision, screening.confirmation_reason) == (
        "not_eligible", "MRI shows syrinx",
    )  # fmt: skip
    with pytest.raises(ValidationError) as again:
        intake.confirm_eligibility(alice, screening, decision="eligible", password=PASSWORD)
    assert "already confirmed" in again.value.message_dict["decision"][0]


def test_a_proposal_needing_review_is_decided_only_with_a_reason(
    alice: User, make_patient: Callable[..., Patient], north: Site, protocol: Any
) -> None:
    unknown = intake.screen_eligibility(alice, make_patient(north), protocol, FIT)  # no injury
    assert unknown.decision == "needs_review"
    with pytest.raises(ValidationError) as raised:
        intake.confirm_eligibility(alice, unknown, decision="eligible", password=signing(alice))
    assert "needs review" in raised.value.message_dict["reason"][0]
    with pytest.raises(ValidationError) as bad:
        intake.confirm_eligibility(alice, unknown, decision="maybe", password=signing(alice))
    assert "decision" in bad.value.message_dict


def test_a_later_change_of_the_screening_invalidates_the_decision(
    client: Client, alice: User, screening: EligibilityScreening
) -> None:
    intake.confirm_eligibility(alice, screening, decision="eligible", password=PASSWORD)
    EligibilityScreening.objects.filter(pk=screening.pk).update(decision="not_eligible")

    client.force_login(alice)
    page = client.get(f"/screenings/{screening.pk}/").content.decode()

    assert 'data-meaning="approved" data-state="invalidated"' in page
    assert "Confirm the decision" in page  # to be signed again


def test_the_api_confirms_with_decision_and_password(
    alice: User, bob: User, charlie: User, screening: EligibilityScreening
) -> None:
    url = f"/screenings/{screening.pk}/confirm"
    assert ApiClient(bob).post(url, {"decision": "eligible", "password": "x"}).status_code == 403
    assert (
        ApiClient(charlie).post(url, {"decision": "eligible", "password": "x"}).status_code == 404
    )
    api = ApiClient(alice)
    refused = api.post(url, {"decision": "eligible", "password": "nope"})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "password"

    done = api.post(url, {"decision": "eligible", "password": PASSWORD})

    assert done.status_code == 200
    body = done.json()
    assert body["decision"] == "eligible"
    assert body["confirmed_decision"] == "eligible"
    assert body["signature"]["meaning"] == "approved"
    assert body["signature"]["printed_name"] == "Alice Martin"
    listed = api.get("/screenings").json()["items"]
    assert listed[0]["signature"]["state"] == "valid"


def test_the_confirmation_page_refuses_other_roles_and_sites(
    client: Client, screening: EligibilityScreening, make_user: Callable[..., User],
    north: Site, south: Site,
) -> None:  # fmt: skip
    client.force_login(make_user("mona", "monitor", north))
    url = f"/screenings/{screening.pk}/confirm/"
    assert client.post(url, {"decision": "eligible", "password": "x"}).status_code == 403
    assert "Confirm the decision" not in client.get(f"/screenings/{screening.pk}/").content.decode()
    client.force_login(make_user("sam", "clinician", south))
    assert client.post(url, {"decision": "eligible", "password": "x"}).status_code == 404
    assert client.get(f"/screenings/{screening.pk}/").status_code == 404
    screening.refresh_from_db()
    assert screening.confirmed_decision == ""
