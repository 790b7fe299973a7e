"""A cell product lot is released with a signature (meaning "approved") before any use: on its
page and through the API, refused without passing tests, and invalidated by a later change."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from cordtrack.server.accounts.models import Site, User
from cordtrack.server.patients.models import Patient
from cordtrack.server.services import signatures, therapy
from cordtrack.server.signatures.models import Meaning, Signature
from cordtrack.server.therapy.models import CellProductLot

from .conftest import VITALS, signing
from .test_api_helpers import ApiClient

PASSWORD = "pw-bob-release-1"


@pytest.fixture
def releaser(bob: User) -> User:
    bob.first_name, bob.last_name = "Bob", "Okafor"
    bob.set_password(PASSWORD)
    bob.save()
    return bob


@pytest.fixture
def lot(make_lot: Callable[..., Any], north: Site, releaser: User) -> CellProductLot:
    made: CellProductLot = make_lot(north, released=False)
    return made


def _give(actor: User, patient: Patient, lot: CellProductLot) -> Any:
    return therapy.administer(
        actor, patient, lot, administered_at=timezone.now(), route="intravenous",
        dose_total_cells=10**7, weight_kg=Decimal("70"), vitals=VITALS,
    )  # fmt: skip


def test_a_lot_is_given_only_once_released_with_a_signature_on_its_page(
    client: Client, lot: CellProductLot, releaser: User, alice: User,
    make_patient: Callable[..., Patient], north: Site,
) -> None:  # fmt: skip
    patient = make_patient(north)
    with pytest.raises(ValidationError) as refused:
        _give(alice, patient, lot)
    assert "this lot has not been released (a signed release)" in refused.value.message_dict["lot"]
    client.force_login(releaser)
    assert "Release the lot" in client.get(f"/lots/{lot.pk}/").content.decode()

    wrong = client.post(f"/lots/{lot.pk}/release/", {"password": "nope"})
    assert wrong.status_code == 422
    assert "Password is not correct" in wrong.content.decode()
    lot.refresh_from_db()
    assert not lot.released
    assert client.post(f"/lots/{lot.pk}/release/", {"password": PASSWORD}).status_code == 302

    lot.refresh_from_db()
    assert lot.released
    assert lot.released_by == releaser
    page = client.get(f"/lots/{lot.pk}/").content.decode()
    assert 'data-released="yes"' in page
    assert "Bob Okafor (approved)" in page
    assert 'data-meaning="approved" data-state="valid"' in page
    assert _give(alice, patient, lot).lot == lot


def test_a_lot_whose_tests_failed_cannot_be_released(
    make_lot: Callable[..., Any], north: Site, releaser: User
) -> None:
    failing = make_lot(north, release_tests=[{"test": "sterility", "result": "growth",
                                              "passed": False}])  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        therapy.release_lot(releaser, failing, password=PASSWORD)
    assert "release_tests" in refused.value.message_dict
    assert not Signature.objects.exists()


def test_a_change_after_release_invalidates_it_until_released_again(
    client: Client, lot: CellProductLot, releaser: User, alice: User,
    make_patient: Callable[..., Patient], north: Site,
) -> None:  # fmt: skip
    therapy.release_lot(releaser, lot, password=signing(releaser))
    CellProductLot.objects.filter(pk=lot.pk).update(cell_count=5 * 10**8)  # outside the services
    lot.refresh_from_db()

    with pytest.raises(ValidationError) as refused:
        _give(alice, make_patient(north), lot)
    assert "changed after its release" in refused.value.message_dict["lot"][0]
    client.force_login(releaser)
    page = client.get(f"/lots/{lot.pk}/").content.decode()
    assert 'data-meaning="approved" data-state="invalidated"' in page
    assert "Release again" in page

    therapy.release_lot(releaser, lot, password=PASSWORD)
    assert signatures.is_signed(lot, Meaning.APPROVED)


def test_the_api_releases_with_the_password_in_the_body(
    lot: CellProductLot, releaser: User, alice: User, make_user: Callable[..., User], south: Site
) -> None:
    url = f"/products/{lot.pk}/release"
    assert ApiClient(alice).post(url, {"password": "x"}).status_code == 403
    stranger = make_user("sc", "coordinator", south)
    assert ApiClient(stranger).post(url, {"password": "x"}).status_code == 404
    api = ApiClient(releaser)
    refused = api.post(url, {"password": "nope"})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "password"
    before = api.get("/products").json()["items"][0]
    assert (before["tests_passed"], before["released"], before["release"]) == (True, False, None)

    done = api.post(url, {"password": PASSWORD})

    assert done.status_code == 200
    body = done.json()
    assert body["released"] is True
    assert body["release"]["printed_name"] == "Bob Okafor"
    assert body["release"]["meaning"] == "approved"
    assert body["release"]["state"] == "valid"


def test_the_release_page_refuses_other_roles_and_sites(
    client: Client, lot: CellProductLot, alice: User, make_user: Callable[..., User], south: Site
) -> None:
    client.force_login(alice)
    assert client.post(f"/lots/{lot.pk}/release/", {"password": "x"}).status_code == 403
    assert "Release the lot" not in client.get(f"/lots/{lot.pk}/").content.decode()
    client.force_login(make_user("sc", "coordinator", south))
    assert client.post(f"/lots/{lot.pk}/release/", {"password": "x"}).status_code == 404
    assert client.get(f"/lots/{lot.pk}/").status_code == 404
    lot.refresh_from_db()
    assert lot.released_at is None
