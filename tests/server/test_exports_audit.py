"""Records leaving by the command line, and API tokens granted or withdrawn there, are in the
audit trail: one download per exported patient before a file is written, nothing for an export
that cannot start, and never a token's secret."""

from __future__ import annotations

import getpass
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from cordtrack import cli
from cordtrack.server.accounts.models import Site, User
from cordtrack.server.api.models import ApiToken
from cordtrack.server.audit.chain import verify
from cordtrack.server.audit.models import AuditAction, AuditEntry
from cordtrack.server.patients.models import Patient
from cordtrack.server.services import exams, exports

from .conftest import TODAY, normal_exam, signing


@pytest.fixture
def cohort(make_patient: Callable[..., Patient], north: Site, south: Site, alice: User) -> Any:
    """Two consented patients with an exam at North, one without consent with an exam, one at
    North without any exam, and one consented patient with an exam at South."""
    examined = [
        make_patient(north),
        make_patient(north),
        make_patient(north, consented=False),
        make_patient(south),
    ]
    for patient in examined[:3]:
        exams.sign_exam(
            alice,
            exams.record_exam(alice, patient, normal_exam(), exam_date=TODAY),
            password=signing(alice),
        )
    return {"examined": examined[:3], "south": examined[3], "bare": make_patient(north)}


def downloads() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=AuditAction.DOWNLOAD).order_by("seq"))


def export(*args: str) -> int:
    return cli.main(["export", *args])


def test_a_csv_export_records_each_patient_whose_exams_it_writes(
    cohort: Any, tmp_path: Path
) -> None:
    out = tmp_path / "exams.csv"
    assert export("csv", "--out", str(out), "--site", "NTH") == 0
    entries = downloads()
    # The patient without an exam is not in the file, so not in the trail.
    assert [e.patient_id for e in entries] == [p.pk for p in cohort["examined"]]
    assert {e.model for e in entries} == {"patients.patient"}
    assert {e.site_id for e in entries} == {cohort["examined"][0].site_id}
    assert all(e.actor_id is None and e.actor_label == "system" for e in entries)
    reason = entries[0].reason
    assert "flat ISNCSCI CSV" in reason
    assert str(out.resolve()) in reason
    assert f"OS user {getpass.getuser()}" in reason
    assert list(verify()) == []


def test_a_fhir_export_records_every_patient_it_covers(cohort: Any, tmp_path: Path) -> None:
    assert export("fhir", "--out", str(tmp_path / "fhir")) == 0
    expected = sorted(p.pk for p in Patient.objects.all())
    assert sorted(e.patient_id for e in downloads()) == expected


def test_a_deidentified_export_records_only_the_consented_patients_it_holds(
    cohort: Any, tmp_path: Path
) -> None:
    assert export("deidentified", "--out", str(tmp_path / "research"), "--site", "NTH") == 0
    unconsented = cohort["examined"][2]
    recorded = {e.patient_id for e in downloads()}
    assert unconsented.pk not in recorded
    assert recorded == {cohort["examined"][0].pk, cohort["examined"][1].pk, cohort["bare"].pk}
    assert all("de-identified research dataset" in e.reason for e in downloads())


def test_an_export_as_a_user_names_that_user_and_covers_only_what_they_may_read(
    cohort: Any, charlie: User, tmp_path: Path
) -> None:
    assert export("csv", "--out", str(tmp_path / "south.csv"), "--as", "charlie") == 1
    # charlie (South) may read the South patient, who has no exam: nothing was written, and
    # nobody's records left.
    assert downloads() == []
    assert export("fhir", "--out", str(tmp_path / "f"), "--as", "charlie") == 0
    (entry,) = downloads()
    assert (entry.patient_id, entry.actor_id, entry.actor_label) == (
        cohort["south"].pk,
        charlie.pk,
        "charlie",
    )


def test_an_export_that_cannot_start_records_nothing(
    cohort: Any, tmp_path: Path, capsys: Any
) -> None:
    full = tmp_path / "research"
    full.mkdir()
    (full / "old.csv").write_text("x\n")
    assert export("deidentified", "--out", str(full)) == 2
    assert "is not empty" in capsys.readouterr().err
    assert export("csv", "--out", str(tmp_path / "missing" / "exams.csv")) == 2
    assert "cannot write" in capsys.readouterr().err
    mapping = tmp_path / "mapping.json"
    for text, message in (
        ("{not json", "not a JSON mapping"),
        ('["fields"]', '"fields" and "visits" only'),
        ('{"fields": {"exam_date": 3}}', '"fields" must map names to names'),
    ):
        mapping.write_text(text)
        status = export("redcap", "--out", str(tmp_path / "r.csv"), "--mapping", str(mapping))
        assert status == 2
        assert message in capsys.readouterr().err
    assert downloads() == []
    assert not (tmp_path / "r.csv").exists()


def test_record_export_rejects_an_unknown_kind_and_writes_nothing(cohort: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        exports.record_export(None, Patient.objects.all(), kind="xml", destination=" ", by="test")
    assert set(caught.value.message_dict) == {"kind", "destination"}
    assert downloads() == []


def test_creating_and_revoking_a_token_are_audited_without_its_secret(
    alice: User, capsys: Any
) -> None:
    assert cli.main(["token", "create", "alice", "--name", "laptop"]) == 0
    secret = capsys.readouterr().out.strip()
    token = ApiToken.objects.get()
    assert cli.main(["token", "revoke", "alice"]) == 0
    entries = list(AuditEntry.objects.filter(model="api.apitoken").order_by("seq"))
    assert [(e.action, e.object_id) for e in entries] == [
        (AuditAction.CREATE, str(token.pk)),
        (AuditAction.UPDATE, str(token.pk)),
    ]
    created, revoked = entries
    assert created.changes == {
        "user_id": [None, alice.pk],
        "name": [None, "laptop"],
        "prefix": [None, token.prefix],
    }
    assert list(revoked.changes) == ["revoked_at"]
    assert all("cordtrack token" in e.reason for e in entries)
    for entry in entries:  # neither the secret nor its digest is kept in the trail
        text = f"{entry.changes} {entry.reason}"
        assert secret not in text
        assert token.digest not in text
    assert list(verify()) == []


def test_revoking_no_token_records_nothing(alice: User) -> None:
    assert cli.main(["token", "revoke", "alice", "ct_nothing"]) == 1
    assert not AuditEntry.objects.filter(model="api.apitoken").exists()


def test_the_command_and_the_service_know_the_same_exports() -> None:
    from cordtrack.commands import export as command

    assert set(command.KINDS) == set(exports.EXPORT_KINDS)
