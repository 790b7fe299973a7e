"""The de-identified research export: no study id, no free text, consistent date shifts, only
consented patients; and the commands that write it and the other exports."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cordtrack import cli
from cordtrack.server.accounts.models import Site, User
from cordtrack.server.api.models import ApiToken
from cordtrack.server.exams.models import IsncsciExam
from cordtrack.server.interop import deidentify
from cordtrack.server.patients.models import Patient
from cordtrack.server.services import exams, history, patients, safety

from .conftest import TODAY, complete_t6_exam, normal_exam, signing

ROOT = Path(__file__).resolve().parents[2]


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


@pytest.fixture
def cohort(make_patient: Callable[..., Patient], north: Site, alice: User) -> list[Patient]:
    cohort = [make_patient(north), make_patient(north), make_patient(north, consented=False)]
    for p in cohort:
        patients.record_injury(
            alice,
            p,
            injury_date=TODAY - dt.timedelta(days=300),
            etiology="traumatic",
            cause="fall",
            level="T6",
            baseline_ais="A",
        )
        for values, day in ((complete_t6_exam(), TODAY - dt.timedelta(days=200)),
                            (normal_exam(), TODAY)):  # fmt: skip
            exams.sign_exam(
                alice, exams.record_exam(alice, p, values, exam_date=day), password=signing(alice)
            )
    safety.report_adverse_event(
        alice,
        cohort[0],
        term="Headache after Dr Smith's visit",
        onset_date=TODAY,
        ctcae_grade=1,
        relatedness="unrelated",
        expected=True,
        action="none",
        outcome="unknown",
    )
    history.add_medication(alice, cohort[0], name="Warfarin (from Hospital X)")
    return cohort


def test_the_dataset_has_no_identifier_nor_free_text(cohort: list[Patient], tmp_path: Path) -> None:
    counts = deidentify.export(Patient.objects.all(), tmp_path)
    assert counts["patients.csv"] == 2  # the unconsented patient is left out
    text = "".join(p.read_text() for p in tmp_path.glob("*.csv"))
    for p in cohort:
        assert p.study_id not in text
    for fragment in ("Smith", "Headache", "Warfarin", "Hospital", "1980"):
        assert fragment not in text
    people = read(tmp_path / "patients.csv")
    assert all(r["research_id"].startswith("P-") for r in people)
    assert {r["age_at_injury"] for r in people} == {
        str((TODAY - dt.timedelta(days=300)).year - 1980)
    }
    assert (tmp_path / "README.md").read_text() == (ROOT / "docs/research-export.md").read_text()


def test_dates_move_by_one_offset_per_patient(cohort: list[Patient], tmp_path: Path) -> None:
    deidentify.export(Patient.objects.all(), tmp_path)
    injury = {
        r["research_id"]: dt.date.fromisoformat(r["injury_date"])
        for r in read(tmp_path / "patients.csv")
    }
    gaps: dict[str, list[int]] = {}
    for row in read(tmp_path / "exams.csv"):
        day = dt.date.fromisoformat(row["exam_date"])
        gaps.setdefault(row["research_id"], []).append((day - injury[row["research_id"]]).days)
    assert all(sorted(g) == [100, 300] for g in gaps.values())  # intervals exact
    true_dates = {TODAY.isoformat(), (TODAY - dt.timedelta(days=200)).isoformat()}
    assert not true_dates & {r["exam_date"] for r in read(tmp_path / "exams.csv")}
    exam_rows = read(tmp_path / "exams.csv")
    assert exam_rows[0]["asiaImpairmentScale"] in {"A", "E"}


def test_research_readme_is_the_docs_copy() -> None:
    assert deidentify.README.read_text() == (ROOT / "docs/research-export.md").read_text()


def run_cli(args: list[str], capsys: Any) -> tuple[int, str, str]:
    status = cli.main(args)
    out = capsys.readouterr()
    return status, out.out, out.err


def test_token_commands(alice: User, capsys: Any) -> None:
    status, out, _ = run_cli(["token", "create", "alice", "--name", "laptop"], capsys)
    assert status == 0
    secret = out.strip()
    assert ApiToken.objects.get().digest != secret
    status, out, _ = run_cli(["token", "list"], capsys)
    assert "alice\tlaptop" in out
    assert secret not in out
    assert run_cli(["token", "revoke", "alice"], capsys)[0] == 0
    assert ApiToken.objects.get().revoked_at is not None
    assert run_cli(["token", "create", "nobody"], capsys)[0] == 1


def test_export_and_import_commands(cohort: list[Patient], tmp_path: Path, capsys: Any) -> None:
    assert run_cli(["export", "deidentified", "--out", str(tmp_path / "d")], capsys)[0] == 0
    assert (tmp_path / "d" / "README.md").exists()
    assert run_cli(["export", "fhir", "--out", str(tmp_path / "f")], capsys)[0] == 0
    lines = (tmp_path / "f" / "Observation.ndjson").read_text().splitlines()
    assert len(lines) == 6
    assert json.loads(lines[0])["resourceType"] == "Observation"
    flat = tmp_path / "exams.csv"
    assert run_cli(["export", "csv", "--out", str(flat)], capsys)[0] == 0
    status, _, err = run_cli(["import", "csv", str(flat), "--as", "alice", "--commit"], capsys)
    assert status == 0  # every exam is already recorded: skipped, nothing duplicated
    assert err.count("skipped: already recorded") == 6
    assert "0 exams imported; 6 row(s) skipped, already recorded" in err
    assert IsncsciExam.objects.count() == 6
    redcap_file = tmp_path / "redcap.csv"
    assert run_cli(["export", "redcap", "--out", str(redcap_file)], capsys)[0] == 0
    dictionary = tmp_path / "redcap_DataDictionary.csv"
    shipped = ROOT / "src/cordtrack/server/interop/data/redcap-isncsci-instrument.csv"
    assert list(csv.reader(dictionary.open())) == list(csv.reader(shipped.open()))
    IsncsciExam.objects.all().delete()
    status, _, err = run_cli(["import", "redcap", str(redcap_file), "--as", "alice"], capsys)
    assert status == 0, err
    assert not IsncsciExam.objects.exists()  # a dry run
    status, _, err = run_cli(
        ["import", "redcap", str(redcap_file), "--as", "alice", "--commit"], capsys
    )
    assert status == 0, err
    assert IsncsciExam.objects.count() == 6


def test_spss_and_stata_files_read_back_with_their_labels_and_match_the_codebook(
    cohort: list[Patient], tmp_path: Path, capsys: Any
) -> None:
    import pyreadstat

    out = tmp_path / "research"
    args = ["export", "deidentified", "--out", str(out), "--formats", "csv,sav,dta"]
    status, _, err = run_cli(args, capsys)
    assert status == 0, err
    csv_rows = read(out / "patients.csv")
    codebook = read(out / "codebook.csv")
    assert (out / "codebook.pdf").read_bytes().startswith(b"%PDF")
    for reader, ext in ((pyreadstat.read_sav, "sav"), (pyreadstat.read_dta, "dta")):
        frame, meta = reader(str(out / f"patients.{ext}"))
        assert len(frame) == len(csv_rows) == 2  # the consented patients only
        assert meta.column_names_to_labels["sex"] == "Sex"
        assert meta.column_names_to_labels["baseline_ais"] == "AIS grade recorded at intake"
        labels = meta.variable_value_labels["baseline_ais"]
        assert {labels[code] for code in frame["baseline_ais"]} == {"A"}
        cause = meta.variable_value_labels["cause"]
        assert {cause[code] for code in frame["cause"]} == {"fall: Fall"}
        assert [d.date().isoformat() for d in frame["injury_date"]] == [
            r["injury_date"] for r in csv_rows
        ]
        events, meta = reader(str(out / f"adverse_events.{ext}"))
        assert meta.variable_value_labels["expected"] == {0: "No", 1: "Yes"}
        assert list(events["relatedness"].map(meta.variable_value_labels["relatedness"])) == [
            "unrelated: Not related"
        ]
        exams, meta = reader(str(out / f"exams.{ext}"))
        assert len(exams) == 4
        assert max(len(name) for name in meta.column_names) <= 32
    # the codebook names every variable of every file, with the same labels
    sav_meta = pyreadstat.read_sav(str(out / "adverse_events.sav"), metadataonly=True)[1]
    in_codebook = {r["variable"]: r["label"] for r in codebook if r["file"] == "adverse_events"}
    assert in_codebook == sav_meta.column_names_to_labels
    bad = run_cli(
        ["export", "deidentified", "--out", str(tmp_path / "x"), "--formats", "xls"], capsys
    )
    assert bad[0] == 2
    assert "--formats: choose from csv, sav, dta" in bad[2]
