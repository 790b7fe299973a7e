"""Protocols as versioned data: drafting (page, import), diff, signed activation, screenings that
keep the version they followed, and the protocol API."""

from __future__ import annotations

import copy
import datetime as dt
import html
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cordtrack.server.accounts.models import Role, Site, User
from cordtrack.server.audit.models import AuditEntry
from cordtrack.server.intake.models import EligibilityScreening, Protocol, ProtocolStatus
from cordtrack.server.intake.protocols import DEMO_RANDOMISED, DEMO_UNCONTROLLED
from cordtrack.server.patients.models import Patient
from cordtrack.server.services import intake, patients, signatures
from cordtrack.server.services import protocols as protocol_services

from .conftest import TODAY
from .test_api_helpers import ApiClient

FIT = {"medically_stable": True, "active_infection": False, "malignancy": False,
       "pregnancy": False}  # fmt: skip
PASSWORD = "correct horse battery staple"


@pytest.fixture
def manager(dora: User) -> User:
    dora.set_password(PASSWORD)
    dora.save()
    return dora


@pytest.fixture
def v1(db: None) -> Protocol:
    d = DEMO_UNCONTROLLED
    return Protocol.objects.create(
        code=d["code"], version="1", title=d["name"], criteria=d["criteria"],
        schedule=d["schedule"], arms=d["arms"], instruments=d["instruments"],
        treatment_plan=d["treatment_plan"],
    )  # fmt: skip


def v2_document(grades: list[str]) -> dict[str, Any]:
    d = copy.deepcopy(DEMO_UNCONTROLLED)
    d["version"] = "2"
    d["criteria"][1]["params"]["grades"] = grades
    return d


def _ais_d_patient(alice: User, make_patient: Callable[..., Patient], site: Site) -> Patient:
    p = make_patient(site)
    patients.record_injury(
        alice, p, injury_date=TODAY - dt.timedelta(days=60), etiology="traumatic",
        cause="fall", level="T6", baseline_ais="D",
    )  # fmt: skip
    return p


def test_activation_makes_screening_apply_the_new_criteria_and_old_screenings_keep_theirs(
    manager: User, alice: User, v1: Protocol, make_patient: Callable[..., Patient], north: Site
) -> None:
    patient = _ais_d_patient(alice, make_patient, north)
    old = intake.screen_eligibility(alice, patient, v1, FIT)
    assert old.decision == "not_eligible"  # v1 takes AIS A-C only
    draft = protocol_services.draft_version(manager, v2_document(["A", "B", "C", "D"]))
    assert draft.status == ProtocolStatus.DRAFT
    assert draft.based_on == v1
    with pytest.raises(ValidationError) as refused:
        intake.screen_eligibility(alice, patient, draft, FIT)
    assert "draft" in str(refused.value.message_dict["protocol"])
    protocol_services.activate_version(manager, draft, reason="Add AIS D", password=PASSWORD)
    v1.refresh_from_db()
    assert (v1.status, draft.status) == (ProtocolStatus.RETIRED, ProtocolStatus.ACTIVE)
    new = intake.screen_eligibility(alice, patient, draft, FIT)
    assert new.decision == "eligible"
    old.refresh_from_db()
    assert (old.protocol_id, old.decision) == (v1.pk, "not_eligible")
    signed = AuditEntry.objects.get(model="intake.protocol", object_id=draft.pk, action="sign")
    assert signed.reason == "Add AIS D"
    (state,) = signatures.states(draft)  # a Signature like every other sign-off (ADR 0042)
    assert (state.signature.signer, state.meaning, state.valid) == (manager, "approved", True)
    assert state.signature.site_id is None  # a protocol belongs to no one site
    assert signatures.states(v1) == []  # v1 was made active outside the service (a fixture)
    with pytest.raises(ValidationError, match="retired"):
        intake.screen_eligibility(alice, patient, v1, FIT)


@pytest.mark.parametrize(
    ("reason", "password", "field"),
    [("", PASSWORD, "reason"), ("why", "wrong", "password"), ("why", "", "password")],
)
def test_activation_needs_a_reason_and_the_password(
    manager: User, v1: Protocol, reason: str, password: str, field: str
) -> None:
    draft = protocol_services.draft_version(manager, v2_document(["A"]))
    with pytest.raises(ValidationError) as exc:
        protocol_services.activate_version(manager, draft, reason=reason, password=password)
    assert list(exc.value.message_dict) == [field]
    draft.refresh_from_db()
    v1.refresh_from_db()
    assert (draft.status, v1.status) == (ProtocolStatus.DRAFT, ProtocolStatus.ACTIVE)


def test_only_a_draft_is_activated_and_only_by_a_data_manager(
    manager: User, alice: User, v1: Protocol
) -> None:
    with pytest.raises(ValidationError, match="only a draft"):
        protocol_services.activate_version(manager, v1, reason="again", password=PASSWORD)
    with pytest.raises(PermissionDenied):
        protocol_services.draft_version(alice, v2_document(["A"]))


def test_a_bad_document_saves_nothing_and_names_every_field(manager: User, v1: Protocol) -> None:
    bad = v2_document(["Z"])
    bad["design"] = "observational"
    bad["instruments"] = {"m99": ["pain_nrs"]}
    with pytest.raises(ValidationError) as exc:
        protocol_services.draft_version(manager, bad)
    assert {"criteria[completeness].grades", "design", "instruments.m99"} <= set(
        exc.value.message_dict
    )
    assert Protocol.objects.count() == 1


def test_a_version_number_is_used_once(manager: User, v1: Protocol) -> None:
    with pytest.raises(ValidationError) as exc:
        protocol_services.draft_version(manager, {**v2_document(["A"]), "version": "1"})
    assert "already has a version" in exc.value.message_dict["version"][0]


@pytest.mark.parametrize(
    ("text", "message"),
    [("{not json: [", "neither valid JSON nor YAML (line 1"), ("- a\n- b\n", "must be a mapping")],
)
def test_an_import_that_is_not_a_document_says_so(text: str, message: str) -> None:
    with pytest.raises(ValidationError) as exc:
        protocol_services.parse_document(text)
    assert message in exc.value.message_dict["document"][0]


def test_yaml_and_json_imports_give_the_same_document() -> None:
    yaml_text = "code: X\nname: Y\nversion: '3'\ncriteria: []\n"
    assert protocol_services.parse_document(yaml_text) == protocol_services.parse_document(
        json.dumps({"code": "X", "name": "Y", "version": "3", "criteria": []})
    )


def test_the_draft_page_imports_a_file_and_the_version_page_shows_the_diff(
    client: Client, manager: User, v1: Protocol
) -> None:
    client.force_login(manager)
    page = client.get(f"/protocols/{v1.code}/new/")
    assert page.status_code == 200
    # The active version's document to edit, with the version number bumped.
    assert '"version": "2"' in html.unescape(page.content.decode())
    upload = SimpleUploadedFile("v2.json", json.dumps(v2_document(["A", "B", "C", "D"])).encode())
    response = client.post(f"/protocols/{v1.code}/new/", {"document": "", "upload": upload})
    draft = Protocol.objects.get(code=v1.code, version="2")
    assert response.status_code == 302
    assert response["Location"] == f"/protocol-versions/{draft.pk}/"
    shown = client.get(response["Location"]).content.decode()
    assert "criteria[completeness].params.grades" in shown
    assert "Sign and activate" in shown


def test_the_draft_page_lists_each_bad_field_and_saves_nothing(
    client: Client, manager: User, v1: Protocol
) -> None:
    client.force_login(manager)
    bad = v2_document(["Z"])
    response = client.post(f"/protocols/{v1.code}/new/", {"document": json.dumps(bad)})
    assert response.status_code == 200
    assert "criteria[completeness].grades: is not an AIS grade" in response.content.decode()
    assert Protocol.objects.count() == 1


def test_a_clinician_reads_protocols_but_cannot_draft(
    client: Client, alice: User, v1: Protocol
) -> None:
    client.force_login(alice)
    assert client.get("/protocols/").status_code == 200
    assert client.get(f"/protocols/{v1.code}/new/").status_code == 403


def test_api_lists_each_protocol_with_its_active_version_and_arm_names(
    manager: User, alice: User, v1: Protocol
) -> None:
    d = DEMO_RANDOMISED
    Protocol.objects.create(
        code=d["code"], version="1", title=d["name"], criteria=d["criteria"],
        schedule=d["schedule"], arms=d["arms"], design="randomised",
        randomisation=d["randomisation"],
    )  # fmt: skip
    protocol_services.draft_version(manager, v2_document(["A"]))
    body = ApiClient(alice).get("/protocols").json()
    assert body["count"] == 2
    by_id = {p["id"]: p for p in body["items"]}
    rct = by_id["CT-MSC-RCT"]
    assert rct["arms"] == ["MSC-IT", "SHAM-IT"]
    assert rct["randomisation"]["block_sizes"] == [4, 6]
    assert "seed" not in json.dumps(rct)
    assert rct["criteria"] == d["criteria"]
    assert rct["schedule"]["visits"][0]["code"] == "d0"
    uncontrolled = by_id["CT-MSC-IT"]
    assert (uncontrolled["version"], uncontrolled["status"], uncontrolled["versions"]) == (
        "1", "active", 2,
    )  # fmt: skip
    versions = ApiClient(alice).get("/protocols/CT-MSC-IT/versions").json()
    assert [(v["version"], v["status"]) for v in versions["items"]] == [
        ("2", "draft"), ("1", "active"),
    ]  # fmt: skip
    assert ApiClient(alice).get("/protocols/NOPE/versions").status_code == 404


def test_a_patient_user_cannot_read_protocols(
    make_user: Callable[..., User], north: Site, v1: Protocol
) -> None:
    patient_user = make_user("pat", Role.PATIENT, north)
    assert ApiClient(patient_user).get("/protocols").status_code == 403
    assert ApiClient(None).get("/protocols").status_code == 401


def test_screenings_and_administrations_keep_their_version(
    manager: User, alice: User, v1: Protocol, make_patient: Callable[..., Patient], north: Site
) -> None:
    from cordtrack.server.services.protocols import followed_version

    patient = _ais_d_patient(alice, make_patient, north)
    draft = protocol_services.draft_version(manager, v2_document(["A", "B", "C", "D"]))
    protocol_services.activate_version(manager, draft, reason="Add AIS D", password=PASSWORD)
    intake.screen_eligibility(alice, patient, draft, FIT)
    assert followed_version(patient) == draft
    assert EligibilityScreening.objects.get(patient=patient).protocol == draft
