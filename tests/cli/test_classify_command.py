"""`cordtrack classify`: files in, one result record per exam out, bad rows as error records."""

from __future__ import annotations

import csv
import io
import itertools
import json
import subprocess
import sys
from pathlib import Path

import pytest
from cli_helpers import exam_row, expected, read_jsonl, write_csv, write_jsonl

from cordtrack.cli import main
from cordtrack.commands.classify import CSV_COLUMNS
from cordtrack.flatfiles import BLOCK_ROWS, JsonLines, classify_block
from cordtrack.flatfiles.json_lines import jsonl_blocks
from cordtrack.isncsci import RESULT_KEYS

Case = dict[str, object]


def test_jsonl_file_gives_each_exam_its_published_results_with_id_first(
    tmp_path: Path, sample_cases: list[Case], capsys: pytest.CaptureFixture[str]
) -> None:
    exams = write_jsonl(tmp_path / "exams.jsonl", map(exam_row, sample_cases))

    status = main(["classify", str(exams)])

    out, err = capsys.readouterr()
    records = read_jsonl(out)
    assert status == 0
    assert err == ""
    assert records == [{"id": case["id"], **expected(case)} for case in sample_cases]
    assert all(list(record) == ["id", *RESULT_KEYS] for record in records)


def test_rows_without_id_give_records_without_id(
    tmp_path: Path, sample_cases: list[Case], capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [exam_row(case, with_id=False) for case in sample_cases[:2]]
    exams = write_jsonl(tmp_path / "exams.jsonl", rows)

    assert main(["classify", str(exams)]) == 0

    records = read_jsonl(capsys.readouterr().out)
    assert [list(record) for record in records] == [list(RESULT_KEYS)] * 2
    assert records == [expected(case) for case in sample_cases[:2]]


def test_csv_file_is_classified_with_empty_cell_for_no_non_key_muscle(
    tmp_path: Path, sample_cases: list[Case], capsys: pytest.CaptureFixture[str]
) -> None:
    exams = write_csv(tmp_path / "exams.csv", map(exam_row, sample_cases))
    assert ",," in exams.read_text()  # the cases without a lowest non-key muscle: empty cells

    assert main(["classify", str(exams)]) == 0

    records = read_jsonl(capsys.readouterr().out)
    assert records == [{"id": str(case["id"]), **expected(case)} for case in sample_cases]


def test_dash_reads_json_lines_from_stdin(
    monkeypatch: pytest.MonkeyPatch, sample_cases: list[Case], capsys: pytest.CaptureFixture[str]
) -> None:
    data = "".join(json.dumps(exam_row(case)) + "\n" for case in sample_cases)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data.encode())))

    assert main(["classify", "-"]) == 0

    records = read_jsonl(capsys.readouterr().out)
    assert records == [{"id": case["id"], **expected(case)} for case in sample_cases]


def test_output_option_writes_the_records_to_a_file_and_nothing_to_stdout(
    tmp_path: Path, sample_cases: list[Case], capsys: pytest.CaptureFixture[str]
) -> None:
    exams = write_jsonl(tmp_path / "exams.jsonl", map(exam_row, sample_cases))
    output = tmp_path / "results.jsonl"

    assert main(["classify", str(exams), "-o", str(output)]) == 0

    assert capsys.readouterr() == ("", "")
    records = read_jsonl(output.read_text(encoding="utf-8"))
    assert records == [{"id": case["id"], **expected(case)} for case in sample_cases]


@pytest.mark.parametrize(
    ("output_name", "options"),
    [("results.csv", []), ("results.txt", ["--format", "csv"])],
    ids=["output-ends-with-csv", "format-option"],
)
def test_csv_output_has_id_the_result_keys_and_an_error_column(
    tmp_path: Path, sample_cases: list[Case], output_name: str, options: list[str]
) -> None:
    exams = write_jsonl(tmp_path / "exams.jsonl", map(exam_row, sample_cases))
    output = tmp_path / output_name

    assert main(["classify", str(exams), "-o", str(output), *options]) == 0

    with output.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == list(CSV_COLUMNS)
    assert rows == [{"id": str(case["id"]), **expected(case), "error": ""} for case in sample_cases]


def test_format_csv_writes_csv_to_stdout(
    tmp_path: Path, sample_cases: list[Case], capsys: pytest.CaptureFixture[str]
) -> None:
    exams = write_jsonl(tmp_path / "exams.jsonl", [exam_row(sample_cases[0])])

    assert main(["classify", str(exams), "--format", "csv"]) == 0

    header, row = capsys.readouterr().out.splitlines()
    assert header == ",".join(CSV_COLUMNS)
    assert row == ",".join([str(sample_cases[0]["id"]), *expected(sample_cases[0]).values(), ""])


def test_bad_row_becomes_error_record_and_exit_status_is_1(
    tmp_path: Path, sample_cases: list[Case], capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = sample_cases[:2]
    bad = {**exam_row(second), "id": "bad", "c5RightMotor": "6"}
    exams = write_jsonl(tmp_path / "exams.jsonl", [exam_row(first), bad, exam_row(second)])

    status = main(["classify", str(exams)])

    out, err = capsys.readouterr()
    records = read_jsonl(out)
    assert status == 1
    assert records[0] == {"id": first["id"], **expected(first)}
    assert records[1] == {
        "id": "bad",
        "row": 2,
        "error": "row 2: c5RightMotor: '6' is not a motor grade",
        "errors": [{"field": "c5RightMotor", "value": "6", "message": "'6' is not a motor grade"}],
    }
    assert records[2] == {"id": second["id"], **expected(second)}
    assert "1 of 3 rows failed" in err


def test_error_record_names_every_invalid_field(
    tmp_path: Path, sample_cases: list[Case], capsys: pytest.CaptureFixture[str]
) -> None:
    row = {**exam_row(sample_cases[0]), "analSensation": "maybe", "s4_5LeftPrick": "3"}
    del row["t1RightTouch"]
    exams = write_jsonl(tmp_path / "exams.jsonl", [row])

    assert main(["classify", str(exams)]) == 1

    (record,) = read_jsonl(capsys.readouterr().out)
    assert record["errors"] == [
        {"field": "analSensation", "value": "maybe", "message": "'maybe' is not Yes, No or NT"},
        {"field": "t1RightTouch", "value": None, "message": "is required"},
        {"field": "s4_5LeftPrick", "value": "3", "message": "'3' is not a sensory score"},
    ]
    assert record["error"] == (
        "row 1: analSensation: 'maybe' is not Yes, No or NT; t1RightTouch: is required; "
        "s4_5LeftPrick: '3' is not a sensory score"
    )


def test_unreadable_rows_become_error_records_and_the_rest_are_classified(
    tmp_path: Path, sample_cases: list[Case], capsys: pytest.CaptureFixture[str]
) -> None:
    case = sample_cases[0]
    lines = [json.dumps(exam_row(case)), "{not json", "", "[1, 2]", '{"id": "empty"}']
    exams = tmp_path / "exams.jsonl"
    exams.write_text("\n".join([*lines, json.dumps(exam_row(case))]) + "\n", encoding="utf-8")

    assert main(["classify", str(exams)]) == 1

    records = read_jsonl(capsys.readouterr().out)
    assert [r.get("row") for r in records] == [None, 2, 4, 5, None]  # the blank line 3 is skipped
    assert str(records[1]["error"]).startswith("row 2: invalid JSON")
    assert records[2] == {"row": 4, "error": "row 4: not a JSON object", "errors": []}
    assert records[3]["id"] == "empty"
    assert str(records[3]["error"]).startswith("row 5: 134 fields missing")
    assert len(records[3]["errors"]) == 134
    assert records[0] == records[4] == {"id": case["id"], **expected(case)}


def test_csv_error_rows_are_numbered_as_in_a_spreadsheet(
    tmp_path: Path, sample_cases: list[Case], capsys: pytest.CaptureFixture[str]
) -> None:
    case = sample_cases[0]
    exams = write_csv(tmp_path / "exams.csv", [exam_row(case), {**exam_row(case), "id": "x"}])
    header, good, bad = exams.read_text().splitlines()
    exams.write_text("\n".join([header, good, bad + ",extra", good]) + "\n")
    output = tmp_path / "results.csv"

    assert main(["classify", str(exams), "-o", str(output)]) == 1

    with output.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [row["id"] for row in rows] == [str(case["id"]), "", str(case["id"])]
    assert rows[1]["error"] == "row 3: 138 cells, but the header has 137"
    assert rows[1]["rightMotor"] == ""
    assert rows[2] == {"id": str(case["id"]), **expected(case), "error": ""}
    assert "1 of 3 rows failed" in capsys.readouterr().err


def test_missing_input_file_is_a_usage_error_with_exit_status_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nowhere.jsonl"

    assert main(["classify", str(missing)]) == 2

    out, err = capsys.readouterr()
    assert out == ""
    assert err == f"cordtrack classify: error: input file not found: {missing}\n"


def test_input_that_is_neither_jsonl_nor_csv_is_a_usage_error(
    cases_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["classify", str(cases_path)]) == 2
    assert "INPUT must be a .jsonl, .ndjson or .csv file" in capsys.readouterr().err


def test_output_may_not_overwrite_the_input(
    tmp_path: Path, sample_cases: list[Case], capsys: pytest.CaptureFixture[str]
) -> None:
    exams = write_jsonl(tmp_path / "exams.jsonl", map(exam_row, sample_cases))
    before = exams.read_text()

    assert main(["classify", str(exams), "-o", str(exams)]) == 2

    assert "would overwrite INPUT" in capsys.readouterr().err
    assert exams.read_text() == before


def test_missing_input_argument_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["classify"]) == 2
    assert "the following arguments are required: INPUT" in capsys.readouterr().err


def test_rows_are_classified_as_they_are_read(sample_cases: list[Case]) -> None:
    # An endless input still gives its first records: nothing waits for the whole file.
    line = json.dumps(exam_row(sample_cases[0])).encode() + b"\n"
    block = next(jsonl_blocks(itertools.repeat(line)))

    lines, failed = classify_block(block, JsonLines())
    assert failed == 0
    assert (
        read_jsonl(lines.decode())
        == [{"id": sample_cases[0]["id"], **expected(sample_cases[0])}] * BLOCK_ROWS
    )


def test_installed_console_script_classifies_stdin(sample_cases: list[Case]) -> None:
    script = Path(sys.executable).with_name("cordtrack")
    data = "".join(json.dumps(exam_row(case)) + "\n" for case in sample_cases)

    done = subprocess.run(
        [str(script), "classify", "-"], input=data, capture_output=True, text=True, check=False
    )

    assert (done.returncode, done.stderr) == (0, "")
    assert read_jsonl(done.stdout) == [{"id": c["id"], **expected(c)} for c in sample_cases]


def test_the_scalar_and_batch_engines_write_the_same_records(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from cordtrack.cli import main
    from cordtrack.isncsci.generator import generate_exams, write_exams

    source = tmp_path / "exams.jsonl"
    exams = list(generate_exams(300, seed=4, nt_rate=0.05, star_rate=0.05))
    exams[7]["c5RightMotor"] = "6"
    write_exams(source, exams)
    outputs = []
    for engine in ("batch", "scalar"):
        out = tmp_path / f"{engine}.jsonl"
        assert main(["classify", str(source), "-o", str(out), "--engine", engine]) == 1
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    assert b"c5RightMotor: '6' is not a motor grade" in outputs[0]


@pytest.mark.parametrize("engine", ["batch", "scalar"])
def test_a_list_or_object_where_a_value_belongs_is_a_row_error_naming_the_field(
    tmp_path: Path, sample_cases: list[Case], capsys: pytest.CaptureFixture[str], engine: str
) -> None:
    # Issue 18: a listed non-key muscle raised TypeError and stopped the whole run.
    first = exam_row(sample_cases[0])
    listed = {**first, "id": "listed", "rightLowestNonKeyMuscleWithMotorFunction": ["C5"]}
    nested = {**first, "id": "nested", "c5LeftMotor": {"grade": 5}, "analContraction": [None]}
    exams = write_jsonl(tmp_path / "exams.jsonl", [first, listed, nested])

    assert main(["classify", str(exams), "--engine", engine]) == 1

    records = read_jsonl(capsys.readouterr().out)
    assert records[0] == {"id": first["id"], **expected(sample_cases[0])}
    assert records[1]["errors"] == [
        {
            "field": "rightLowestNonKeyMuscleWithMotorFunction",
            "value": ["C5"],
            "message": "['C5'] is not a level from C2 to S3",
        }
    ]
    assert [e["field"] for e in records[2]["errors"]] == ["analContraction", "c5LeftMotor"]
