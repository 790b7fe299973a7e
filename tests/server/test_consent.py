"""Electronic consent (issue 17 item 2): documents published once per version and language with
an error per bad field; signing after a comprehension check (portal and clinic), with its PDF;
withdrawals with nested scopes respected by services, reminders, exports and reports; re-consent
when a new version is published."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cordtrack.server.accounts.models import Membership, Role, Site, User
from cordtrack.server.consent import scopes
from cordtrack.server.consent.models import Consent, ConsentDocument, Scope, Withdrawal
from cordtrack.server.intake.models import Document, DocumentKind, Protocol
from cordtrack.server.patients.models import ConsentStatus, Patient
from cordtrack.server.reminders.plan import due_reminders
from cordtrack.server.services import (
    consent,
    consent_documents,
    documents,
    followup,
    history,
    intake,
    safety,
)
from cordtrack.server.services import patients as patient_services
from cordtrack.server.signatures.models import Signature

PASSWORD = "a long test password 17c"
TODAY = timezone.localdate()
FIT = {"medically_stable": True, "active_infection": False, "malignancy": False,
       "pregnancy": False}  # fmt: skip


def doc(protocol: Protocol, **over: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "protocol": protocol.code, "version": "3.0", "language": "en", "title": "Consent",
        "text": "You may withdraw at any time.", "witness_required": False,
        "questions": [
            {"question": "May you withdraw?", "choices": ["No", "Yes, at any time"], "answer": 1},
            {"question": "Is it proven?", "choices": ["Yes", "No"], "answer": "No"},
        ],
    }  # fmt: skip
    base.update(over)
    return base


RIGHT = {"q0": 1, "q1": 1}


@pytest.fixture
def users(dora: User, alice: User, bob: User) -> dict[str, User]:
    for u in (dora, alice, bob):
        u.set_password(PASSWORD)
        u.save()
    return {"dm": dora, "clinician": alice, "coordinator": bob}


@pytest.fixture
def published(users: dict[str, User], protocol: Protocol) -> ConsentDocument:
    return consent_documents.publish(users["dm"], doc(protocol))


@pytest.fixture
def portal_patient(
    make_patient: Callable[..., Patient], north: Site, make_user: Callable[..., User],
    users: dict[str, User],
) -> tuple[Patient, User]:  # fmt: skip
    """A North patient with a portal account (not consented yet)."""
    patient = make_patient(north, consented=False)
    account = make_user("pat", Role.PATIENT, north)
    account.set_password(PASSWORD)
    account.save()
    admin = make_user("admin", Role.SITE_ADMIN, north)
    patient_services.link_patient_user(admin, patient, account)
    return patient, account


# --- documents -------------------------------------------------------------------------------


def test_a_document_is_published_once_per_version_and_language_and_never_changed(
    users: dict[str, User], published: ConsentDocument, protocol: Protocol
) -> None:
    assert published.questions[1]["answer"] == 1  # an answer by text is stored as its index
    assert consent_documents.current_version(protocol.code) == "3.0"
    with pytest.raises(ValidationError) as err:
        consent_documents.publish(users["dm"], doc(protocol))
    assert "never changed" in err.value.message_dict["version"][0]
    arabic = consent_documents.publish(users["dm"], doc(protocol, language="ar", title="موافقة"))
    assert consent_documents.current_document(protocol.code, "ar") == arabic
    assert consent_documents.current_document(protocol.code, "th") == published  # English
    published.title = "edited"
    with pytest.raises(TypeError):
        published.save()
    with pytest.raises(TypeError):
        published.delete()


def test_a_bad_document_gets_an_error_per_field_and_nothing_is_published(
    users: dict[str, User], protocol: Protocol
) -> None:
    bad = doc(protocol, language="xx", witness_required="maybe", colour="red", text=" ")
    bad["questions"] = [
        {"question": "Q?", "choices": ["a", "b"], "answer": 5},
        {"question": "", "choices": ["only one"], "answer": 0},
        {"question": "R?", "choices": ["a", "b"], "answer": "c"},
    ]
    with pytest.raises(ValidationError) as err:
        consent_documents.publish(users["dm"], bad)
    problems = err.value.message_dict
    assert set(problems) >= {
        "language", "witness_required", "colour", "text", "questions[0].answer",
        "questions[1].choices", "questions[1].question", "questions[2].answer",
    }  # fmt: skip
    assert "between 0 and 1" in problems["questions[0].answer"][0]
    with pytest.raises(ValidationError) as err:
        consent_documents.publish(users["dm"], {**doc(protocol), "protocol": "NOPE"})
    assert "no protocol has the code 'NOPE'" in err.value.message_dict["protocol"][0]
    with pytest.raises(ValidationError) as err:
        consent_documents.publish(users["dm"], "version: [unclosed")
    assert "document" in err.value.message_dict
    assert not ConsentDocument.objects.exists()


def test_only_a_data_manager_publishes(users: dict[str, User], protocol: Protocol) -> None:
    with pytest.raises(PermissionDenied):
        consent_documents.publish(users["coordinator"], doc(protocol))


def test_the_import_command_publishes_good_files_and_names_each_bad_field(
    users: dict[str, User], protocol: Protocol, tmp_path: Path
) -> None:
    from io import StringIO

    import yaml
    from django.core.management import CommandError, call_command

    good, bad = tmp_path / "en.yaml", tmp_path / "bad.yaml"
    good.write_text(yaml.safe_dump(doc(protocol)), encoding="utf-8")
    bad.write_text(yaml.safe_dump(doc(protocol, language="ar", questions=[
        {"question": "Q?", "choices": ["a", "b"], "answer": 7}])), encoding="utf-8")  # fmt: skip
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError):
        call_command("consent_documents", "import", str(good), str(bad), user="dora",
                     stdout=out, stderr=err)  # fmt: skip
    assert "published CT-TEST consent 3.0 (en)" in out.getvalue()
    assert f"{bad}: questions[0].answer: must be between 0 and 1" in err.getvalue()
    assert list(ConsentDocument.objects.values_list("language", flat=True)) == ["en"]


# --- signing ---------------------------------------------------------------------------------


def test_a_wrong_answer_names_the_question_saves_nothing_and_the_patient_retries(
    published: ConsentDocument, portal_patient: tuple[Patient, User]
) -> None:
    patient, account = portal_patient
    with pytest.raises(ValidationError) as err:
        consent.sign_in_portal(account, published, {"q0": 1, "q1": 0}, PASSWORD)
    assert set(err.value.message_dict) == {"q1"}
    assert "Not quite" in err.value.message_dict["q1"][0]
    assert not Consent.objects.exists()
    assert not Document.objects.exists()

    signed = consent.sign_in_portal(account, published, RIGHT, PASSWORD, attempts=2)
    patient.refresh_from_db()
    assert (patient.consent_status, patient.consent_version) == ("consented", "3.0")
    assert patient.consent_date == TODAY
    assert signed.comprehension_attempts == 2
    assert signed.setting == "portal"
    (signature,) = Signature.objects.filter(model="consent.consent", object_id=str(signed.pk))
    assert (signature.signer, signature.meaning) == (account, "authored")
    assert signed.pdf is not None
    assert signed.pdf.kind == DocumentKind.CONSENT_FORM
    assert signed.pdf.patient == patient
    data = documents.read_document(signed.pdf)
    assert data.startswith(b"%PDF-")
    assert consent.state(patient).valid


def test_a_wrong_password_signs_nothing(
    published: ConsentDocument, portal_patient: tuple[Patient, User]
) -> None:
    _, account = portal_patient
    with pytest.raises(ValidationError) as err:
        consent.sign_in_portal(account, published, RIGHT, "wrong")
    assert "password" in err.value.message_dict
    assert not Consent.objects.exists()
    assert not Document.objects.exists()


def test_staff_cannot_sign_in_the_portal_for_a_patient(
    published: ConsentDocument, users: dict[str, User]
) -> None:
    with pytest.raises(PermissionDenied):
        consent.sign_in_portal(users["coordinator"], published, RIGHT, PASSWORD)


def test_in_clinic_a_witness_is_required_when_the_document_says_so(
    users: dict[str, User], protocol: Protocol, make_patient: Callable[..., Patient], north: Site
) -> None:
    witnessed = consent_documents.publish(users["dm"], doc(protocol, witness_required=True))
    patient = make_patient(north, consented=False)
    with pytest.raises(ValidationError) as err:
        consent.sign_in_clinic(users["coordinator"], patient, witnessed, RIGHT,
                               patient_name="", password=PASSWORD)  # fmt: skip
    assert set(err.value.message_dict) == {"patient_name", "witness_name"}
    signed = consent.sign_in_clinic(
        users["coordinator"], patient, witnessed, RIGHT, patient_name="A. B.",
        witness_name="Wendy Witness", password=PASSWORD,
    )  # fmt: skip
    assert (signed.setting, signed.staff, signed.witness_name) == (
        "clinic", users["coordinator"], "Wendy Witness")  # fmt: skip
    (signature,) = Signature.objects.filter(model="consent.consent", object_id=str(signed.pk))
    assert (signature.signer, signature.meaning) == (users["coordinator"], "reviewed")


def test_another_sites_staff_cannot_take_a_consent(
    published: ConsentDocument, charlie: User, make_patient: Callable[..., Patient], north: Site
) -> None:
    patient = make_patient(north, consented=False)
    with pytest.raises(PermissionDenied):
        consent.sign_in_clinic(charlie, patient, published, RIGHT, patient_name="AB",
                               password=PASSWORD)  # fmt: skip


# --- valid consent, re-consent -----------------------------------------------------------------


def test_screening_needs_a_consent_and_a_new_version_needs_re_consent(
    users: dict[str, User], published: ConsentDocument, protocol: Protocol,
    make_patient: Callable[..., Patient], north: Site,
) -> None:  # fmt: skip
    never = make_patient(north, consented=False)
    with pytest.raises(ValidationError) as err:
        intake.screen_eligibility(users["clinician"], never, protocol, FIT)
    assert "has not consented to CT-TEST (consent version 3.0)" in err.value.message_dict[
        "patient"][0]  # fmt: skip

    patient = make_patient(north, consented=False)
    consent.sign_in_clinic(users["coordinator"], patient, published, RIGHT, patient_name="AB",
                           password=PASSWORD)  # fmt: skip
    intake.screen_eligibility(users["clinician"], patient, protocol, FIT)  # accepted

    newer = consent_documents.publish(users["dm"], doc(protocol, version="3.1"))
    patient.refresh_from_db()
    assert consent.state(patient).needs_reconsent
    assert list(consent.reconsent_patients()) == [patient]
    with pytest.raises(ValidationError) as err:
        intake.screen_eligibility(users["clinician"], patient, protocol, FIT)
    assert "must re-consent" in err.value.message_dict["patient"][0]
    with pytest.raises(ValidationError) as err:  # the old version can no longer be signed
        consent.sign_in_clinic(users["coordinator"], patient, published, RIGHT,
                               patient_name="AB", password=PASSWORD)  # fmt: skip
    assert "no longer current" in err.value.message_dict["document"][0]
    consent.sign_in_clinic(users["coordinator"], patient, newer, RIGHT, patient_name="AB",
                           password=PASSWORD)  # fmt: skip
    patient.refresh_from_db()
    assert consent.state(patient).valid
    assert not consent.reconsent_patients().exists()
    intake.screen_eligibility(users["clinician"], patient, protocol, FIT)


def test_a_paper_consent_of_the_current_version_still_counts(
    users: dict[str, User], protocol: Protocol, make_patient: Callable[..., Patient], north: Site
) -> None:
    consent_documents.publish(users["dm"], doc(protocol, version="2.1"))
    patient = make_patient(north)  # recorded on the status form, version 2.1
    assert consent.state(patient, protocol.code).valid
    intake.screen_eligibility(users["clinician"], patient, protocol, FIT)


# --- withdrawal ------------------------------------------------------------------------------


@pytest.fixture
def followed(
    users: dict[str, User], make_patient: Callable[..., Patient], north: Site, protocol: Protocol
) -> Patient:
    """A consented North patient with a visit schedule (month 1 opening in 5 days)."""
    patient = make_patient(north)
    followup.schedule_visits(users["coordinator"], patient, protocol, TODAY - dt.timedelta(
        days=18))  # fmt: skip
    return patient


def _withdraw(users: dict[str, User], patient: Patient, scope: str) -> Withdrawal:
    return consent.withdraw(users["coordinator"], patient, scope=scope,
                            reason="participant's decision", password=PASSWORD)  # fmt: skip


def test_scopes_are_nested_and_each_refusal_names_the_withdrawal(
    users: dict[str, User], followed: Patient
) -> None:
    _withdraw(users, followed, Scope.TREATMENT)
    assert not scopes.allows(followed, "treatment")
    assert scopes.allows(followed, "visit")
    assert scopes.allows(followed, "data_entry")
    with pytest.raises(ValidationError) as err:
        intake.screen_eligibility(users["clinician"], followed, Protocol.objects.get(), FIT)
    assert f"the patient withdrew on {TODAY:%Y-%m-%d} (stop treatment)" in str(err.value)
    visit = followed.visits.order_by("target_date").first()
    assert visit is not None
    followup.complete_visit(users["coordinator"], visit, TODAY)  # visits continue

    _withdraw(users, followed, Scope.VISITS)
    followed.refresh_from_db()
    assert followed.consent_status == ConsentStatus.WITHDRAWN
    with pytest.raises(ValidationError) as err:
        followup.record_instrument(users["clinician"], followed, "pain_nrs",
                                   {"nrs_pain_intensity": 3}, recorded_on=TODAY)  # fmt: skip
    assert "(stop treatment and visits)" in err.value.message_dict["patient"][0]
    history.add_medical_history(users["clinician"], followed, condition="Asthma")  # data: yes

    _withdraw(users, followed, Scope.DATA_USE)
    with pytest.raises(ValidationError) as err:
        history.add_medical_history(users["clinician"], followed, condition="Gout")
    assert "withdraw from further data use" in err.value.message_dict["patient"][0]
    # Safety follow-up continues after any withdrawal.
    event = safety.report_adverse_event(
        users["clinician"], followed, term="Headache", onset_date=TODAY, ctcae_grade=1,
        relatedness="possible", expected=True, action="none", outcome="recovering",
    )  # fmt: skip
    assert event.pk


def test_a_withdrawal_can_only_be_widened_and_needs_a_reason(
    users: dict[str, User], followed: Patient
) -> None:
    with pytest.raises(ValidationError) as err:
        consent.withdraw(users["coordinator"], followed, scope="visits", reason=" ",
                         password=PASSWORD)  # fmt: skip
    assert "reason" in err.value.message_dict
    _withdraw(users, followed, Scope.VISITS)
    with pytest.raises(ValidationError) as err:
        _withdraw(users, followed, Scope.TREATMENT)
    assert "can only be widened" in err.value.message_dict["scope"][0]
    assert Withdrawal.objects.count() == 1
    (signature,) = Signature.objects.filter(model="consent.withdrawal")
    assert signature.signer == users["coordinator"]


def test_a_patient_withdraws_in_the_portal_and_cannot_sign_again(
    published: ConsentDocument, portal_patient: tuple[Patient, User]
) -> None:
    patient, account = portal_patient
    consent.sign_in_portal(account, published, RIGHT, PASSWORD)
    w = consent.withdraw(account, patient, scope="data_use", reason="I moved abroad",
                         password=PASSWORD)  # fmt: skip
    assert w.by_patient
    assert w.recorded_by == account
    with pytest.raises(ValidationError) as err:
        consent.sign_in_portal(account, published, RIGHT, PASSWORD)
    assert "not undone" in err.value.message_dict["__all__"][0]


def test_a_stranger_cannot_withdraw_a_patient(
    users: dict[str, User], followed: Patient, charlie: User
) -> None:
    with pytest.raises(PermissionDenied):
        consent.withdraw(charlie, followed, scope="visits", reason="x", password=PASSWORD)


def test_reminders_stop_for_visits_and_data_use_but_not_for_treatment_only(
    users: dict[str, User], followed: Patient, settings: Any
) -> None:
    settings.REMINDER_OPENS_DAYS = [7, 1]
    settings.REMINDER_CLOSES_DAYS = [2]
    patient_ids = {d.patient.pk for d in due_reminders(TODAY)}
    assert followed.pk in patient_ids
    _withdraw(users, followed, Scope.TREATMENT)
    assert followed.pk in {d.patient.pk for d in due_reminders(TODAY)}
    _withdraw(users, followed, Scope.VISITS)
    assert followed.pk not in {d.patient.pk for d in due_reminders(TODAY)}


def test_exports_leave_out_patients_withdrawn_from_data_use_only(
    users: dict[str, User], make_patient: Callable[..., Patient], north: Site, tmp_path: Path
) -> None:
    from cordtrack.server.interop import deidentify

    stays, stopped, gone, legacy = (make_patient(north) for _ in range(4))
    _withdraw(users, stopped, Scope.VISITS)
    _withdraw(users, gone, Scope.DATA_USE)
    patient_services.record_consent(users["coordinator"], legacy, status="withdrawn",
                                    consent_date=TODAY, version="2.1")  # fmt: skip
    everyone = Patient.objects.all()
    assert set(scopes.withdrawn_patient_ids()) == {gone.pk, legacy.pk}
    assert set(scopes.without_withdrawn(everyone)) == {stays, stopped}
    assert set(scopes.usable_for_research(everyone)) == {stays, stopped}
    counts = deidentify.export(everyone, tmp_path)
    assert counts["patients.csv"] == 2
    assert scopes.count_by_scope() == {"treatment": 0, "visits": 1, "data_use": 2}
    assert scopes.count_by_scope([stopped.pk, stays.pk]) == {
        "treatment": 0, "visits": 1, "data_use": 0}  # fmt: skip


def test_the_cli_export_leaves_out_patients_withdrawn_from_data_use(
    users: dict[str, User], make_patient: Callable[..., Patient], north: Site
) -> None:
    import argparse

    from cordtrack.commands.export import patients_for

    stays, gone = make_patient(north), make_patient(north)
    _withdraw(users, gone, Scope.DATA_USE)
    args = argparse.Namespace(username=None, site="NTH")
    assert list(patients_for(args)) == [stays]


def test_admin_shows_consent_records_read_only(users: dict[str, User]) -> None:
    from django.contrib import admin

    for model in (ConsentDocument, Consent, Withdrawal):
        model_admin = admin.site._registry[model]
        assert not model_admin.has_add_permission(None)  # type: ignore[arg-type]
        assert not model_admin.has_change_permission(None)  # type: ignore[arg-type]
        assert not model_admin.has_delete_permission(None)  # type: ignore[arg-type]


def test_site_membership_is_what_lets_a_clinician_withdraw(
    users: dict[str, User], followed: Patient, make_user: Callable[..., User], south: Site
) -> None:
    elsewhere = make_user("eve", Role.CLINICIAN, south)
    assert not consent.may_withdraw(elsewhere, followed)
    Membership.objects.create(user=elsewhere, site=followed.site, role=Role.CLINICIAN)
    elsewhere = User.objects.get(pk=elsewhere.pk)  # capabilities are cached per user object
    assert consent.may_withdraw(elsewhere, followed)
