"""A cell product lot's expiry must be plausible: after its manufacture and at most
``MAX_SHELF_LIFE_YEARS`` after it. Found by the adversary pass: a lot expiring in 2999 was
registered, and would have stayed "unexpired" for every administration check. One rule in the
service, a field error on ``expires_on`` in the form and the API alike, nothing written. (There is
no lot import: the form and the API are the only ways in.)"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from cordtrack.server.accounts.models import Site, User
from cordtrack.server.audit.models import AuditEntry
from cordtrack.server.services import therapy
from cordtrack.server.therapy.models import CellProductLot

from .conftest import RELEASED, TODAY
from .test_api_helpers import ApiClient
from .test_api_text_fields import lot_body

MADE = TODAY - dt.timedelta(days=5)
LAST_DAY = MADE.replace(year=MADE.year + therapy.MAX_SHELF_LIFE_YEARS)


def _register(bob: User, north: Site, expires_on: dt.date) -> Any:
    return therapy.register_lot(
        bob, north, lot_number="EXP-1", manufacturer="Lab", cell_type="uc_msc",
        source="allogeneic", donor_code="D-1", manufactured_on=MADE, expires_on=expires_on,
        viability_pct=Decimal("95"), cell_count=10**9, release_tests=RELEASED,
    )  # fmt: skip


def test_an_expiry_more_than_the_longest_shelf_life_after_manufacture_is_refused(
    bob: User, north: Site
) -> None:
    with pytest.raises(ValidationError) as refused:
        _register(bob, north, LAST_DAY + dt.timedelta(days=1))
    assert list(refused.value.message_dict) == ["expires_on"]
    assert "years after manufacture" in refused.value.message_dict["expires_on"][0]
    assert not CellProductLot.objects.exists()

    assert _register(bob, north, LAST_DAY).expires_on == LAST_DAY  # the bound itself is allowed


def test_the_lot_form_refuses_an_expiry_in_2999_on_its_field(
    client: Client, bob: User, north: Site
) -> None:
    client.force_login(bob)
    form = {"site": north.pk, "lot_number": "UC-1", "manufacturer": "Biobank",
            "cell_type": "uc_msc", "source": "allogeneic", "donor_code": "D-9",
            "manufactured_on": MADE.isoformat(), "expires_on": "2999-01-01",
            "viability_pct": "93.5", "cell_count": "50000000",
            "release_tests": "sterility; negative; pass"}  # fmt: skip
    entries = AuditEntry.objects.count()

    page = client.post("/lots/new/", form)

    assert page.status_code == 200  # the form again, with the error at its field
    errors = page.context["form"].errors
    assert list(errors) == ["expires_on"]
    assert "years after manufacture" in errors["expires_on"][0]
    assert not CellProductLot.objects.exists()
    assert AuditEntry.objects.count() == entries


def test_the_api_refuses_an_expiry_in_2999_on_its_field(bob: User, north: Site) -> None:
    api = ApiClient(bob)
    entries = AuditEntry.objects.count()

    answer = api.post("/products", lot_body(expires_on="2999-01-01"))

    assert answer.status_code == 422, answer.content
    errors = answer.json()["errors"]
    assert [e["field"] for e in errors] == ["expires_on"]
    assert "years after manufacture" in errors[0]["message"]
    assert not CellProductLot.objects.exists()
    assert AuditEntry.objects.count() == entries
