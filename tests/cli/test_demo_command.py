"""`cordtrack demo`: the published cases classified, with their agreement counted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cordtrack.cli import main

Case = dict[str, object]


def _cases_file(path: Path, cases: list[Case]) -> Path:
    path.write_text(json.dumps(cases), encoding="utf-8")
    return path


def test_demo_prints_a_line_per_case_and_the_agreement_count(
    tmp_path: Path, sample_cases: list[Case], capsys: pytest.CaptureFixture[str]
) -> None:
    cases = _cases_file(tmp_path / "cases.json", sample_cases[:3])

    assert main(["demo", "--cases", str(cases)]) == 0

    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["id", "NLI", "AIS", "agreement"]
    for line, case in zip(lines[1:4], sample_cases[:3], strict=True):
        totals = case["totals"]
        assert isinstance(totals, dict)
        expected = [str(case["id"]), totals["neurologicalLevelOfInjury"]]
        assert line.split() == [*expected, totals["asiaImpairmentScale"], "25/25"]
    assert lines[-1] == "3/3 cases, 75/75 fields agree"


def test_demo_names_the_fields_that_disagree_and_exits_1(
    tmp_path: Path, sample_cases: list[Case], capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = (dict(case) for case in sample_cases[:2])
    first["totals"] = {**first["totals"], "rightMotor": "S3", "prickTotal": "0"}
    cases = _cases_file(tmp_path / "cases.json", [first, second])

    assert main(["demo", "--cases", str(cases)]) == 1

    lines = capsys.readouterr().out.splitlines()
    assert lines[1].endswith("23/25  differ: prickTotal, rightMotor")
    assert lines[2].endswith("25/25")
    assert lines[-1] == "1/2 cases, 48/50 fields agree"


def test_demo_with_a_missing_cases_file_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "cases.json"

    assert main(["demo", "--cases", str(missing)]) == 2

    assert capsys.readouterr().err == f"cordtrack demo: error: cases file not found: {missing}\n"


def test_demo_without_cases_classifies_the_shipped_published_cases(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["demo"]) == 0

    out = capsys.readouterr().out
    assert "126/128 cases, 3198/3200 fields agree; 2 fields differ as documented:" in out
    assert "case 55 asiaImpairmentScale: published A,B,C,D, CordTrack A,B,D." in out
    assert "case 132 asiaImpairmentScale: published B,C,D, CordTrack B,D." in out


def test_a_difference_other_than_the_documented_one_fails_the_demo(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from cli_helpers import PUBLISHED_CASES

    case = next(c for c in json.loads(PUBLISHED_CASES.read_text()) if c["id"] == 55)
    case["totals"]["asiaImpairmentScale"] = "A,B"  # not the documented published value
    cases = _cases_file(tmp_path / "cases.json", [case])

    assert main(["demo", "--cases", str(cases)]) == 1
    assert "differ: asiaImpairmentScale" in capsys.readouterr().out


def test_the_shipped_published_cases_are_the_vendored_ones() -> None:
    from cli_helpers import PUBLISHED_CASES

    from cordtrack.commands.demo import PUBLISHED_CASES as SHIPPED

    assert SHIPPED.read_bytes() == PUBLISHED_CASES.read_bytes()
