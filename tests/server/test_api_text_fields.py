"""The API reads text fields as the pages' forms do: spaces around a value are not part of it, and
a value made only of spaces is blank, refused where the field is required, with a field error and
nothing written. Found by the adversary pass: a lot numbered "   ", a lot whose manufacturer was
"  " (so the same lot number was registered twice for "one" manufacturer), an adverse event whose
term was "   ", all answered 201."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from cordtrack.server.accounts.models import Site, User
from cordtrack.server.audit.models import AuditEntry
from cordtrack.server.patients.models import Patient
from cordtrack.server.safety.models import AdverseEvent
from cordtrack.server.therapy.models import CellProductLot

from .conftest import TODAY
from .test_api_helpers import ApiClient


@pytest.fixture
def north_patient(make_patient: Callable[..., Patient], north: Site) -> Patient:
    return make_patient(north)


def lot_body(**overrides: Any) -> dict[str, Any]:
    return {
        "site": "NTH", "lot_number": "QA-1", "manufacturer": "Lab", "cell_type": "uc_msc",
        "source": "allogeneic", "donor_code": "D-1",
        "manufactured_on": (TODAY - dt.timedelta(days=5)).isoformat(),
        "expires_on": (TODAY + dt.timedelta(days=90)).isoformat(), "viability_pct": "95",
        "cell_count": 10**9, "release_tests": [{"test": "sterility", "passed": True}],
        **overrides,
    }  # fmt: skip


def event_body(patient: Patient, **overrides: Any) -> dict[str, Any]:
    return {
        "patient_id": patient.pk, "term": "Headache", "onset_date": TODAY.isoformat(),
        "ctcae_grade": 1, "relatedness": "unrelated", "expected": False, "action": "none",
        "outcome": "recovering", **overrides,
    }  # fmt: skip


def _fields(answer: Any) -> set[str]:
    return {error["field"] for error in answer.json()["errors"]}


@pytest.mark.parametrize("field", ["lot_number", "manufacturer"])
def test_a_lot_field_of_spaces_is_blank_and_refused(bob: User, field: str) -> None:
    api = ApiClient(bob)
    entries = AuditEntry.objects.count()
    answer = api.post("/products", lot_body(**{field: "   "}))
    assert answer.status_code == 422, answer.content
    assert field in _fields(answer)
    assert not CellProductLot.objects.exists()
    assert AuditEntry.objects.count() == entries


def test_spaces_around_a_lot_number_are_not_part_of_it(bob: User) -> None:
    api = ApiClient(bob)
    first = api.post("/products", lot_body(lot_number="  QA-7 ", manufacturer=" Lab "))
    assert first.status_code == 201, first.content
    assert first.json()["lot_number"] == "QA-7"
    assert first.json()["manufacturer"] == "Lab"
    # The same lot of the same manufacturer, typed without the spaces: refused, one lot kept.
    again = api.post("/products", lot_body(lot_number="QA-7"))
    assert again.status_code == 422, again.content
    assert CellProductLot.objects.filter(lot_number="QA-7").count() == 1


def test_a_lot_manufactured_in_the_future_is_refused(bob: User) -> None:
    answer = ApiClient(bob).post(
        "/products",
        lot_body(
            manufactured_on=(TODAY + dt.timedelta(days=30)).isoformat(),
            expires_on=(TODAY + dt.timedelta(days=300)).isoformat(),
        ),
    )
    assert answer.status_code == 422, answer.content
    assert _fields(answer) == {"manufactured_on"}
    assert not CellProductLot.objects.exists()


def test_an_adverse_event_term_of_spaces_is_refused(alice: User, north_patient: Patient) -> None:
    answer = ApiClient(alice).post("/adverse-events", event_body(north_patient, term="   "))
    assert answer.status_code == 422, answer.content
    assert "term" in _fields(answer)
    assert not AdverseEvent.objects.exists()


def test_a_password_is_kept_as_typed() -> None:
    """Signing with the password plus a space is a wrong password, not the password."""
    from cordtrack.server.api.schemas import AS_TYPED, SignIn

    assert "password" in AS_TYPED
    assert SignIn(password=" secret ").password == " secret "
