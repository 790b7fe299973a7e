"""Which language a page is in (languages.py), the picker (/language/), and Arabic right to left."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from cordtrack.server.accounts.models import Role, Site, User
from cordtrack.server.audit.models import AuditEntry
from cordtrack.server.languages import patient_language, shipped
from cordtrack.server.patients.models import Patient
from cordtrack.server.services import patients as patient_services

COOKIE = settings.LANGUAGE_COOKIE_NAME


def _html_tag(page: str) -> str:
    match = re.search(r"<html[^>]*>", page)
    assert match is not None
    return match.group(0)


@pytest.fixture
def patient_account(
    make_patient: Callable[..., Patient], make_user: Callable[..., User], north: Site
) -> tuple[Patient, User]:
    patient = make_patient(north)
    account = make_user("pat", Role.PATIENT, north)
    patient_services.link_patient_user(make_user("adm", Role.SITE_ADMIN, north), patient, account)
    return patient, account


def test_an_anonymous_page_follows_the_browser_and_arabic_is_right_to_left(client: Client) -> None:
    arabic = client.get("/accounts/login/", headers={"accept-language": "ar-SA,ar;q=0.9,en;q=0.5"})
    assert _html_tag(arabic.text) == '<html lang="ar" dir="rtl">'
    assert "<h1>تسجيل الدخول</h1>" in arabic.text
    assert arabic["Content-Language"] == "ar"
    assert "Accept-Language" in arabic["Vary"]
    english = client.get("/accounts/login/", headers={"accept-language": "de-DE,de;q=0.9"})
    assert _html_tag(english.text) == '<html lang="en" dir="ltr">'  # not offered: English
    assert "<h1>Sign in</h1>" in english.text
    spanish = client.get("/accounts/login/", headers={"accept-language": "es-MX"})
    assert _html_tag(spanish.text) == '<html lang="es" dir="ltr">'


def test_the_cookie_chosen_on_the_picker_beats_the_browser(client: Client) -> None:
    page = client.get("/language/", headers={"accept-language": "ar"})
    assert page.status_code == 200
    assert 'value="ar" checked' in page.text  # the current language is the one selected
    chosen = client.post("/language/", {"language": "en", "next": "/accounts/login/"})
    assert (chosen.status_code, chosen["Location"]) == (302, "/accounts/login/")
    assert chosen.cookies[COOKIE].value == "en"
    assert chosen.cookies[COOKIE]["httponly"]
    again = client.get("/accounts/login/", headers={"accept-language": "ar"})
    assert _html_tag(again.text) == '<html lang="en" dir="ltr">'


def test_a_bad_choice_or_a_foreign_next_changes_nothing_or_stays_on_the_site(
    client: Client,
) -> None:
    bad = client.post("/language/", {"language": "xx", "next": "/"})
    assert bad.status_code == 400
    assert COOKIE not in bad.cookies
    assert "Please choose one of the languages listed." in bad.text
    away = client.post("/language/", {"language": "ar", "next": "https://evil.example/"})
    assert away["Location"] == "/"
    scheme = client.post("/language/", {"language": "ar", "next": "//evil.example/x"})
    assert scheme["Location"] == "/"


def test_a_signed_in_users_choice_is_kept_with_the_account_on_the_audit_trail(
    client: Client, alice: User
) -> None:
    client.force_login(alice)
    response = client.post("/language/", {"language": "ar", "next": "/patients/"})
    assert response["Location"] == "/patients/"
    alice.refresh_from_db()
    assert alice.preferred_language == "ar"
    entry = AuditEntry.objects.filter(model="accounts.user", object_id=str(alice.pk)).last()
    assert entry is not None
    assert entry.changes == {"preferred_language": ["", "ar"]}
    # Another browser (no cookie) that sends English still gets the account's language.
    other = Client()
    other.force_login(alice)
    page = other.get("/language/", headers={"accept-language": "en"})
    assert _html_tag(page.text) == '<html lang="ar" dir="rtl">'


def test_a_patient_user_sees_their_records_language_until_they_choose_their_own(
    client: Client, patient_account: tuple[Patient, User], bob: User
) -> None:
    patient, account = patient_account
    patient_services.set_patient_language(bob, patient, "ar")
    client.force_login(account)
    portal = client.get("/portal/", headers={"accept-language": "en"})
    assert _html_tag(portal.text) == '<html lang="ar" dir="rtl">'
    assert "قبل زيارتك القادمة" in portal.text  # "Before your next visit"
    assert "بوابتي" in portal.text  # the menu: "My portal"
    picker = client.get("/language/")
    assert picker.status_code == 200  # a patient page: not sent back to the portal
    client.post("/language/", {"language": "en"})
    portal = client.get("/portal/")
    assert _html_tag(portal.text) == '<html lang="en" dir="ltr">'
    assert "Before your next visit" in portal.text


def test_what_is_sent_to_a_patient_uses_their_choice_then_their_record_then_english(
    patient_account: tuple[Patient, User], bob: User
) -> None:
    patient, account = patient_account
    assert patient_language(patient) == "en"
    patient_services.set_patient_language(bob, patient, "ar")
    assert patient_language(patient) == "ar"
    account.preferred_language = "es"
    assert patient_language(patient) == "es"
    patient.preferred_language, account.preferred_language = "de", ""  # not offered: skipped
    assert patient_language(patient) == "en"
    codes = (shipped("ar-EG"), shipped("AR"), shipped("pt-BR"), shipped(""))
    assert codes == ("ar", "ar", None, None)


def test_recording_a_patients_language_is_checked_and_needs_intake_staff(
    patient_account: tuple[Patient, User], bob: User, alice: User
) -> None:
    from django.core.exceptions import PermissionDenied, ValidationError

    patient, _ = patient_account
    with pytest.raises(ValidationError, match="not a language the registry offers"):
        patient_services.set_patient_language(bob, patient, "klingon")
    with pytest.raises(PermissionDenied):
        patient_services.set_patient_language(alice, patient, "ar")  # a clinician
    patient.refresh_from_db()
    assert patient.preferred_language == ""


def test_every_page_links_to_the_picker_and_back(client: Client) -> None:
    page = client.get("/accounts/login/?next=/portal/")
    assert 'href="/language/?next=/accounts/login/%3Fnext%3D/portal/"' in page.text


def test_the_style_sheets_use_logical_sides_only_so_rtl_mirrors() -> None:
    static = Path(settings.PACKAGE_DIR) / "static" / "cordtrack"
    physical = re.compile(r"(?<![\w-])(margin|padding|border)-(left|right)\b|"
                          r"text-align:\s*(left|right)|(?<![\w-])(left|right):|float:")  # fmt: skip
    found = {
        css.name: physical.findall(css.read_text()) for css in static.glob("*.css")
        if physical.search(css.read_text())
    }  # fmt: skip
    assert found == {}


def test_a_patient_reads_their_own_record_with_its_labels_and_timeline_in_arabic(
    client: Client, patient_account: tuple[Patient, User], bob: User
) -> None:
    patient, account = patient_account
    patient_services.set_patient_language(bob, patient, "ar")
    client.force_login(account)
    page = client.get(f"/patients/{patient.pk}/")
    assert page.status_code == 200
    assert "<h2>المشارك</h2>" in page.text  # "Participant"
    assert "<dd>أنثى</dd>" in page.text  # the sex, a model choice, translated
    assert "المسار الزمني" in page.text  # "Timeline"
    assert "Participant" not in page.text


def test_the_research_codebook_stays_english_whatever_the_language(db: None) -> None:
    from django.utils import translation

    from cordtrack.server.interop import codebook
    from cordtrack.server.patients.models import Sex

    with translation.override("ar"):  # as if first imported while serving an Arabic page
        assert str(Sex.FEMALE.label) == "أنثى"
        labels = dict(codebook._choices(Sex.choices))
    assert labels["F"] == "Female"


def test_the_public_what_to_expect_page_follows_an_arabic_browser(client: Client) -> None:
    page = client.get("/expect/?level=T6&ais=A&days=30", headers={"accept-language": "ar"})
    assert page.status_code == 200
    assert _html_tag(page.text) == '<html lang="ar" dir="rtl">'
    assert "ما يمكن توقعه بعد إصابة الحبل الشوكي" in page.text  # the title
    assert "أسئلة تطرحها على العيادة" in page.text  # "Questions to ask a clinic"


def test_intake_staff_record_the_language_a_patient_reads_and_bad_input_changes_nothing(
    client: Client, patient_account: tuple[Patient, User], bob: User, alice: User
) -> None:
    patient, _ = patient_account
    client.force_login(bob)  # a coordinator (intake)
    page = client.get(f"/patients/{patient.pk}/")
    assert f'href="/patients/{patient.pk}/language/"' in page.text
    bad = client.post(f"/patients/{patient.pk}/language/", {"preferred_language": "xx"})
    assert bad.status_code == 200
    assert "errorlist" in bad.text
    patient.refresh_from_db()
    assert patient.preferred_language == ""
    saved = client.post(f"/patients/{patient.pk}/language/", {"preferred_language": "ar"})
    assert saved["Location"] == f"/patients/{patient.pk}/"
    patient.refresh_from_db()
    assert patient.preferred_language == "ar"
    entry = AuditEntry.objects.filter(model="patients.patient", object_id=str(patient.pk)).last()
    assert entry is not None
    assert entry.changes == {"preferred_language": ["", "ar"]}
    client.force_login(alice)  # a clinician: no intake capability
    assert client.get(f"/patients/{patient.pk}/language/").status_code in (403, 404)
