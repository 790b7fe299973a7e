"""Questionnaires in the patient's language: a working translation is labelled not validated
unless a validated translation is recorded with its source; the answer keeps the language and
the status; reports and the research export can leave working-translation answers out (ADR 0044).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from cordtrack.cli import main
from cordtrack.clinical.instruments import INSTRUMENTS
from cordtrack.server.accounts.models import Role, Site, User
from cordtrack.server.audit.models import AuditEntry
from cordtrack.server.followup.models import InstrumentResponse, ValidatedTranslation
from cordtrack.server.followup.wording import problems, shipped_languages, wording, working_texts
from cordtrack.server.intake.models import Protocol
from cordtrack.server.interop import deidentify
from cordtrack.server.patients.models import Patient
from cordtrack.server.reports import figures
from cordtrack.server.services import followup
from cordtrack.server.services import patients as patient_services
from cordtrack.server.services.portal import PATIENT_REPORTED
from cordtrack.server.services.translations import record_validated_translation

from .conftest import TODAY
from .reports_cohort import build

SHIPPED_WORKING = ("ar", "es", "hi", "th")
SOURCE = "Test validation report TR-2026-01, forward/back translation and debriefing (synthetic)"


def test_every_patient_questionnaire_has_a_complete_working_translation_per_language() -> None:
    assert set(SHIPPED_WORKING) <= set(shipped_languages())
    for language in SHIPPED_WORKING:
        texts = working_texts(language)
        assert texts is not None
        assert texts["notice"].strip()
        for code in PATIENT_REPORTED:
            definition = INSTRUMENTS[code][0]
            entry = texts["instruments"][code]
            assert entry["version"] == definition.version, (language, code)
            assert problems(definition, entry) == [], (language, code)


def test_an_incomplete_or_wrong_translation_is_reported_item_by_item() -> None:
    psfs = INSTRUMENTS["psfs"][0]
    texts = {"name": "x", "items": {"psfs_frequency": {"label": "f", "options": {"9": "?"}},
                                    "psfs_bogus": {"label": "b"}}}  # fmt: skip
    found = problems(psfs, texts)
    assert "items.psfs_bogus: no such item in psfs" in found
    assert "items.psfs_frequency.options.9: not an answer of this item" in found
    assert "items.psfs_frequency.options.0: missing" in found
    assert "items.psfs_severity.label: missing" in found


@pytest.mark.django_db
def test_english_is_the_original_and_an_unknown_language_falls_back_to_it() -> None:
    assert wording("pain_nrs", "en").status == "original"
    fallback = wording("pain_nrs", "xx")
    assert (fallback.status, fallback.language) == ("original", "en")
    assert wording("pain_nrs", "../etc").status == "original"


@pytest.fixture
def arabic_patient(
    bob: User, make_patient: Callable[..., Patient], north: Site,
    make_user: Callable[..., User], protocol: Protocol,
) -> tuple[User, Patient]:  # fmt: skip
    patient = make_patient(north)
    user = make_user("pat-ar", Role.PATIENT, north)
    patient_services.link_patient_user(make_user("sadmin", Role.SITE_ADMIN, north), patient, user)
    followup.schedule_visits(bob, patient, protocol, TODAY)
    Patient.objects.filter(pk=patient.pk).update(preferred_language="ar")
    return user, patient


def _validated_arabic_psfs(actor: User) -> ValidatedTranslation:
    texts = dict(working_texts("ar")["instruments"]["psfs"])  # type: ignore[index]
    texts["name"] = "مقياس بن (ترجمة معتمدة)"
    return record_validated_translation(
        actor, instrument="psfs", language="ar", source=SOURCE, texts=texts,
        validated_on=TODAY - dt.timedelta(days=30),
    )  # fmt: skip


def test_a_patient_reading_arabic_answers_a_working_translation_labelled_not_validated(
    client: Client, arabic_patient: tuple[User, Patient]
) -> None:
    user, patient = arabic_patient
    client.force_login(user)

    portal = client.get("/portal/").content.decode()
    page = client.get("/portal/questionnaires/psfs/").content.decode()
    sent = client.post(
        "/portal/questionnaires/psfs/", {"psfs_frequency": "2", "psfs_severity": "1"}
    )

    assert "مقياس بن لتكرار التشنجات" in portal
    assert 'data-translation="working"' in page
    assert 'lang="ar"' in page
    assert "ترجمة عملية غير مُعتمدة" in page
    assert "Working translation, not validated." in page
    assert "تكرار التشنجات" in page  # the item label
    assert "أكثر من مرة واحدة في الساعة" in page  # an answer's meaning
    assert sent.status_code == 302
    answer = InstrumentResponse.objects.get(patient=patient)
    assert (answer.language, answer.translation) == ("ar", "working")
    assert answer.responses == {"psfs_frequency": 2, "psfs_severity": 1}


def test_a_recorded_validated_translation_is_shown_with_its_source_and_kept_with_the_answer(
    client: Client, arabic_patient: tuple[User, Patient], dora: User
) -> None:
    user, patient = arabic_patient
    _validated_arabic_psfs(dora)
    client.force_login(user)

    page = client.get("/portal/questionnaires/psfs/").content.decode()
    client.post("/portal/questionnaires/psfs/", {"psfs_frequency": "0"})
    other = client.get("/portal/questionnaires/pain_nrs/").content.decode()

    assert 'data-translation="validated"' in page
    assert "مقياس بن (ترجمة معتمدة)" in page
    assert SOURCE in page
    assert "not validated" not in page
    answer = InstrumentResponse.objects.get(patient=patient)
    assert (answer.language, answer.translation) == ("ar", "validated")
    assert 'data-translation="working"' in other  # validated for psfs only


def test_an_english_reader_answers_the_original(
    client: Client, arabic_patient: tuple[User, Patient]
) -> None:
    user, patient = arabic_patient
    Patient.objects.filter(pk=patient.pk).update(preferred_language="en")
    client.force_login(user)

    page = client.get("/portal/questionnaires/pain_nrs/").content.decode()
    client.post("/portal/questionnaires/pain_nrs/", {"nrs_pain_intensity": "3"})

    assert 'data-translation="original"' in page
    assert "translation-notice" not in page
    answer = InstrumentResponse.objects.get(patient=patient)
    assert (answer.language, answer.translation) == ("en", "original")


def test_recording_a_validated_translation_is_audited_and_once_per_version(dora: User) -> None:
    recorded = _validated_arabic_psfs(dora)

    assert recorded.version == INSTRUMENTS["psfs"][0].version
    assert AuditEntry.objects.filter(
        model="followup.validatedtranslation", object_id=str(recorded.pk)
    ).exists()
    with pytest.raises(ValidationError) as again:
        _validated_arabic_psfs(dora)
    assert "already recorded" in str(again.value.message_dict["language"])


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"instrument": "nope"}, "instrument"),
        ({"version": "1999"}, "version"),
        ({"language": "en"}, "language"),
        ({"source": "trust me"}, "source"),
        ({"texts": {"name": "x", "items": {}}}, "texts"),
        ({"validated_on": TODAY + dt.timedelta(days=1)}, "validated_on"),
    ],
)
def test_a_bad_validated_translation_gets_a_field_error_and_nothing_is_recorded(
    dora: User, change: dict[str, Any], field: str
) -> None:
    given: dict[str, Any] = {
        "instrument": "pain_nrs", "language": "hi", "source": SOURCE,
        "texts": working_texts("hi")["instruments"]["pain_nrs"],  # type: ignore[index]
    }  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        record_validated_translation(dora, **{**given, **change})
    assert field in refused.value.message_dict
    assert not ValidatedTranslation.objects.exists()


def test_only_the_protocols_capability_records_a_validated_translation(alice: User) -> None:
    with pytest.raises(PermissionDenied):
        _validated_arabic_psfs(alice)


@pytest.fixture
def cohort(
    make_patient: Callable[..., Patient], make_lot: Callable[..., Any], alice: User, north: Site
) -> dict[str, Patient]:
    cohort = build(make_patient, make_lot, alice, north)
    # R1's follow-up pain rating was answered to the Arabic working translation.
    later = InstrumentResponse.objects.filter(patient=cohort["R1"]).order_by("recorded_on").last()
    assert later is not None
    InstrumentResponse.objects.filter(pk=later.pk).update(language="ar", translation="working")
    return cohort


def _r1_follow_up_pain(answers: str) -> int | None:
    chosen = figures.cohort_courses(figures.CohortFilters(("NTH",), answers=answers))
    (r1,) = [c for c in chosen.courses if c.baseline.pain_nrs == 6]  # R1: pain 6 -> 3
    return r1.follow_ups[0].assessment.pain_nrs


def test_the_cohort_report_can_leave_out_working_translation_answers_and_says_so(
    cohort: dict[str, Patient], alice: User, client: Client
) -> None:
    assert _r1_follow_up_pain("") == 3
    assert _r1_follow_up_pain("validated") is None
    filters = figures.CohortFilters(("NTH",), answers="validated")
    assert "working (not validated) translation left out" in filters.describe()
    client.force_login(alice)
    page = client.get("/reports/cohort/", {"definition": "ais1_12m", "answers": "validated"})
    assert "working (not validated) translation left out" in page.content.decode()


def test_the_research_export_keeps_language_and_status_and_can_leave_working_answers_out(
    cohort: dict[str, Patient], tmp_path: Path
) -> None:
    patients = list(Patient.objects.all())
    deidentify.export(patients, tmp_path / "all")
    deidentify.export(patients, tmp_path / "validated", answers="validated")

    def rows(name: str) -> list[dict[str, str]]:
        with (tmp_path / name / "instruments.csv").open(encoding="utf-8") as f:
            return list(csv.DictReader(f))

    assert sorted(r["translation"] for r in rows("all")) == ["original", "working"]
    assert [r["translation"] for r in rows("validated")] == ["original"]
    assert "ar" in {r["language"] for r in rows("all")}
    readme = (tmp_path / "validated" / "README.md").read_text(encoding="utf-8")
    assert readme.startswith("**Filtered:**")
    assert "working (not validated) translation" in readme
    assert "Filtered" not in (tmp_path / "all" / "README.md").read_text(encoding="utf-8")


def test_the_cli_lists_each_wording_and_records_a_validated_translation(
    dora: User, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "psfs-ar.json"
    good.write_text(json.dumps(working_texts("ar")["instruments"]["psfs"]), encoding="utf-8")  # type: ignore[index]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"name": "x", "items": {}}), encoding="utf-8")
    record = ["translations", "record", "--as", "dora", "--instrument", "psfs", "--language",
              "ar", "--source", SOURCE]  # fmt: skip

    assert main(["translations", "list"]) == 0
    before = capsys.readouterr().out
    assert main([*record, "--texts", str(bad)]) == 1
    refused = capsys.readouterr().err
    assert main([*record, "--texts", str(good)]) == 0
    main(["translations", "list"])
    after = capsys.readouterr().out

    assert before.split("\n")[0].split() == ["questionnaire", "ar", "hi", "th", "es"]
    assert next(line for line in before.splitlines() if line.startswith("psfs")).split() == [
        "psfs", "working", "working", "working", "working"
    ]  # fmt: skip
    assert "texts: items.psfs_frequency.label: missing" in refused
    assert next(line for line in after.splitlines() if line.startswith("psfs")).split()[1] == (
        "validated"
    )
