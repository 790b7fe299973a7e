"""Randomisation: an eligible, consented patient gets the next arm of their stratum's concealed
list, once (409 after); a patient who cannot be randomised gets 422 naming why; only the unblinded
role reads the list, and its seed is in no audit entry."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable

import pytest

from cordtrack.outcomes.randomisation import max_imbalance
from cordtrack.server.accounts.models import Role, Site, User
from cordtrack.server.audit.models import AuditEntry
from cordtrack.server.intake.models import AllocationList, Protocol, Randomisation
from cordtrack.server.intake.protocols import DEMO_RANDOMISED
from cordtrack.server.patients.models import Patient
from cordtrack.server.services import consent, intake, patients, signatures

from .conftest import TODAY
from .test_api_helpers import ApiClient

PASSWORD = "randomise-with-care-2026"
FIT = {"medically_stable": True, "active_infection": False, "malignancy": False,
       "pregnancy": False}  # fmt: skip


def body_for(patient: Patient) -> dict[str, object]:
    """The body of a randomisation: the patient and the randomiser's password."""
    return {"patient_id": patient.pk, "password": PASSWORD}


@pytest.fixture
def rct(db: None) -> Protocol:
    d = DEMO_RANDOMISED
    return Protocol.objects.create(
        code=d["code"], version="1", title=d["name"], criteria=d["criteria"],
        schedule=d["schedule"], arms=d["arms"], design="randomised",
        randomisation=d["randomisation"],
    )  # fmt: skip


@pytest.fixture
def screened(
    alice: User, bob: User, rct: Protocol, make_patient: Callable[..., Patient], north: Site
) -> Callable[..., Patient]:
    """A screened patient; the proposal confirmed by alice's signature unless ``confirm=False``.
    Alice (clinician) and Bob (coordinator) sign with ``PASSWORD``."""
    for user in (alice, bob):
        user.set_password(PASSWORD)
        user.save()
    signing = signatures.reauthenticate(alice, PASSWORD, None)

    def make(
        level: str = "T6", ais: str = "A", withdrawn: bool = False, confirm: bool = True
    ) -> Patient:
        p = make_patient(north)
        patients.record_injury(
            alice, p, injury_date=TODAY - dt.timedelta(days=60), etiology="traumatic",
            cause="fall", level=level, baseline_ais=ais,
        )  # fmt: skip
        screening = intake.screen_eligibility(alice, p, rct, FIT)
        if confirm:
            intake.confirm_eligibility(
                alice, screening, decision=screening.decision, password=signing
            )
        if withdrawn:  # after screening (screening itself needs a valid consent)
            consent.withdraw(alice, p, scope="treatment", reason="changed their mind",
                             password=PASSWORD)  # fmt: skip
        return p

    return make


def test_a_coordinator_randomises_an_eligible_consented_patient_once(
    bob: User, screened: Callable[..., Patient]
) -> None:
    patient = screened()
    response = ApiClient(bob).post("/randomisations", body_for(patient))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["arm"] in ("MSC-IT", "SHAM-IT")
    assert body["stratum"] == "ais=A|level_group=T1-T9"
    assert body["protocol_id"] == "CT-MSC-RCT"
    again = ApiClient(bob).post("/randomisations", body_for(patient))
    assert again.status_code == 409
    assert "already randomised" in again.json()["detail"]
    assert Randomisation.objects.filter(patient=patient).count() == 1
    signed = AuditEntry.objects.filter(model="intake.randomisation", action="sign")
    assert signed.count() == 1
    made = Randomisation.objects.get(patient=patient)
    (state,) = signatures.states(made)  # a Signature like every other sign-off (ADR 0042)
    assert (state.signature.signer, state.meaning, state.valid) == (bob, "authored", True)


@pytest.mark.parametrize("password", ["not-my-password", ""])
def test_a_randomisation_without_the_right_password_allocates_nothing(
    bob: User, screened: Callable[..., Patient], password: str
) -> None:
    patient = screened()
    response = ApiClient(bob).post(
        "/randomisations", {"patient_id": patient.pk, "password": password}
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["password"]
    assert not Randomisation.objects.exists()
    assert not AllocationList.objects.exists()


def test_a_clinician_randomises_too_but_not_a_data_manager_or_another_site(
    alice: User, dora: User, charlie: User, screened: Callable[..., Patient]
) -> None:
    patient = screened()
    assert ApiClient(dora).post("/randomisations", body_for(patient)).status_code == 403
    other = ApiClient(charlie).post("/randomisations", body_for(patient))
    assert other.status_code == 422  # not a patient they may see: nothing leaks
    assert ApiClient(alice).post("/randomisations", body_for(patient)).status_code == 201


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"withdrawn": True}, "the patient withdrew on"),
        ({"ais": "D"}, "not eligible"),  # the protocol takes AIS A-C
        ({"level": "C2"}, "not eligible"),  # C4 to T12
        ({"confirm": False}, "no clinician has confirmed it"),  # a proposal is not a decision
    ],
)
def test_a_patient_who_cannot_be_randomised_gets_422_naming_why(
    bob: User, screened: Callable[..., Patient], kwargs: dict[str, object], reason: str
) -> None:
    patient = screened(**kwargs)
    response = ApiClient(bob).post("/randomisations", body_for(patient))
    assert response.status_code == 422
    messages = [e["message"] for e in response.json()["errors"] if e["field"] == "patient_id"]
    assert any(reason in m for m in messages), messages
    assert not Randomisation.objects.exists()


def test_a_patient_never_screened_for_a_randomised_protocol_is_refused(
    bob: User, make_patient: Callable[..., Patient], north: Site
) -> None:
    patient = make_patient(north)
    response = ApiClient(bob).post("/randomisations", body_for(patient))
    assert response.status_code == 422
    assert "no eligibility screening against a randomised protocol" in response.text


def test_allocations_stay_balanced_within_each_stratum(
    bob: User, screened: Callable[..., Patient]
) -> None:
    given: dict[str, list[str]] = {}
    for level in ["T6"] * 14 + ["C5"] * 9:
        p = screened(level=level)
        r = ApiClient(bob).post("/randomisations", body_for(p)).json()
        given.setdefault(r["stratum"], []).append(r["arm"])
        # At any moment the arms of a stratum differ by at most half the largest block (6 / 2).
        assert max_imbalance(["MSC-IT", "SHAM-IT"], given[r["stratum"]]) <= 3
    assert set(given) == {"ais=A|level_group=T1-T9", "ais=A|level_group=cervical"}
    assert Counter(given["ais=A|level_group=T1-T9"]).keys() == {"MSC-IT", "SHAM-IT"}


def test_only_the_unblinded_role_reads_the_list_and_the_seed_is_in_no_audit_entry(
    bob: User, alice: User, dora: User, screened: Callable[..., Patient],
    make_user: Callable[..., User], north: Site,
) -> None:  # fmt: skip
    patient = screened()
    arm = ApiClient(bob).post("/randomisations", body_for(patient)).json()["arm"]
    seed = AllocationList.objects.get().seed
    monitor = make_user("mona", Role.MONITOR, north)
    admin = make_user("sam", Role.SITE_ADMIN, north)
    for user in (bob, alice, dora, monitor, admin):
        response = ApiClient(user).get("/protocols/CT-MSC-RCT/allocation-list")
        assert response.status_code == 403, user
        assert str(seed) not in response.text
    for entry in AuditEntry.objects.all():
        assert str(seed) not in json.dumps(entry.changes), entry.model
    stats = make_user("stella", Role.UNBLINDED, north)
    listed = ApiClient(stats).get("/protocols/CT-MSC-RCT/allocation-list")
    assert listed.status_code == 200
    body = listed.json()
    assert body["seed"] == seed
    used = [r for r in body["rows"] if r["used"]]
    assert [r["arm"] for r in used] == [arm]
    assert patient.study_id not in listed.text
    assert AuditEntry.objects.filter(model="intake.allocationlist", action="view").count() == 1


def test_the_admin_shows_stewards_an_allocation_list_without_its_seed(
    bob: User, dora: User, screened: Callable[..., Patient]
) -> None:
    from django.test import Client

    ApiClient(bob).post("/randomisations", body_for(screened()))
    lst = AllocationList.objects.get()
    dora.is_staff = True
    dora.save()
    client = Client()
    client.force_login(dora)
    page = client.get(f"/admin/intake/allocationlist/{lst.pk}/change/")
    assert page.status_code == 200
    assert "CT-MSC-RCT" in page.content.decode()
    assert str(lst.seed) not in page.content.decode()
