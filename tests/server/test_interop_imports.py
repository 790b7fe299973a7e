"""Flat CSV and REDCap import and export of exams: dry runs report every row error, a bad row
means nothing is changed, and a REDCap-shaped round trip is lossless."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pytest

from cordtrack.isncsci import classify, parse_exam
from cordtrack.server.accounts.models import Site, User
from cordtrack.server.audit.models import AuditEntry
from cordtrack.server.exams.models import IsncsciExam
from cordtrack.server.interop import flatcsv, redcap
from cordtrack.server.patients.models import Patient
from cordtrack.server.services import exams as exam_services
from cordtrack.server.services.imports import import_exams

from .conftest import TODAY, complete_t6_exam, normal_exam

DICTIONARY = redcap.instrument_dictionary(redcap.DEFAULT_DICTIONARY)


@pytest.fixture
def patients(make_patient: Callable[..., Patient], north: Site) -> list[Patient]:
    return [make_patient(north), make_patient(north)]


def flat_csv(rows: list[dict[str, str]]) -> io.StringIO:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=flatcsv.EXPORT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: row.get(c, "") for c in flatcsv.EXPORT_COLUMNS})
    out.seek(0)
    return out


def exam_row(patient: Patient, values: dict[str, str], date: str | None = None) -> dict[str, str]:
    return {"study_id": patient.study_id, "exam_date": date or TODAY.isoformat(), **values}


def test_flat_csv_dry_run_reports_every_row_error_and_changes_nothing(
    patients: list[Patient], alice: User
) -> None:
    source = flat_csv(
        [
            exam_row(patients[0], normal_exam()),
            exam_row(patients[1], normal_exam(c5RightMotor="6", t4LeftTouch="3")),
            exam_row(patients[1], normal_exam(), date="2020-13-01"),
            {"study_id": "NTH-9999", "exam_date": TODAY.isoformat(), **normal_exam()},
        ]
    )
    rows, header_errors = flatcsv.read_rows(source)
    assert header_errors == []
    audit_before = AuditEntry.objects.count()
    for dry_run in (True, False):
        report = import_exams(alice, rows, dry_run=dry_run)
        assert not report.committed
        assert [str(e) for e in report.errors] == [
            "row 3: c5RightMotor ('6'): '6' is not a motor grade",
            f"row 3: t4LeftTouch ('3'): {report.errors[1].message}",
            "row 4: exam_date ('2020-13-01'): is not a date YYYY-MM-DD",
            "row 5: study_id ('NTH-9999'): no such patient at a site where you may record exams",
        ]
    assert not IsncsciExam.objects.exists()
    assert AuditEntry.objects.count() == audit_before


def test_flat_csv_values_with_spaces_or_another_case_are_row_errors_naming_the_field(
    patients: list[Patient], alice: User
) -> None:
    source = flat_csv(
        [
            exam_row(patients[0], normal_exam(c5RightMotor=" 3 ")),
            exam_row(patients[1], normal_exam(analContraction="yes")),
        ]
    )
    rows, _ = flatcsv.read_rows(source)
    report = import_exams(alice, rows, dry_run=False)
    assert not report.committed
    assert [(e.row, e.field, e.value) for e in report.errors] == [
        (2, "c5RightMotor", " 3 "),
        (3, "analContraction", "yes"),
    ]
    assert "did you mean '3'?" in report.errors[0].message
    assert not IsncsciExam.objects.exists()


def test_flat_csv_commit_then_export_and_reimport_elsewhere(
    patients: list[Patient], alice: User
) -> None:
    rows, _ = flatcsv.read_rows(
        flat_csv(
            [
                exam_row(patients[0], complete_t6_exam()),
                exam_row(patients[1], normal_exam()),
            ]
        )
    )
    report = import_exams(alice, rows)
    assert report.committed
    assert len(report.created) == 2
    exam = IsncsciExam.objects.get(pk=report.created[0])
    assert exam.classification == classify(parse_exam(complete_t6_exam())).to_flat()
    out = io.StringIO()
    assert flatcsv.write_csv(IsncsciExam.objects.order_by("pk"), out) == 2
    out.seek(0)
    again, _ = flatcsv.read_rows(out)
    assert [r.values for r in again] == [r.values for r in rows]
    duplicate = import_exams(alice, again)
    assert duplicate.errors == []
    assert [s.reason for s in duplicate.skipped] == [
        f"already recorded as exam {pk}" for pk in report.created
    ]
    assert IsncsciExam.objects.count() == 2


def test_only_writable_patients_are_imported(
    patients: list[Patient], charlie: User, bob: User
) -> None:
    rows, _ = flatcsv.read_rows(flat_csv([exam_row(patients[0], normal_exam())]))
    for outsider in (charlie, bob):  # another site; a coordinator who records no exams
        report = import_exams(outsider, rows)
        assert report.errors[0].field == "study_id"
    assert not IsncsciExam.objects.exists()


def starred_exam() -> dict[str, str]:
    exam = complete_t6_exam()
    exam.update(
        {
            "c5RightMotor": "3*",
            "c6LeftPrick": "1**",
            "t2RightTouch": "NT",
            "s1LeftMotor": "NT*",
            "rightLowestNonKeyMuscleWithMotorFunction": "C8",
        }
    )
    return exam


def redcap_export(patients: list[Patient]) -> str:
    """A REDCap export as the project would hold it: impairment reasons, examiner, comments."""
    header = [
        "record_id",
        "redcap_event_name",
        *[f for f in DICTIONARY.fields if f != "record_id"],
        "isncsci_exam_complete",
    ]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n", restval="")
    writer.writeheader()
    for n, (patient, values) in enumerate(
        ((patients[0], starred_exam()), (patients[1], normal_exam()))
    ):
        exam = IsncsciExam(values=values, classification=classify(parse_exam(values)).to_flat())
        exam.patient = patient
        exam.exam_date = TODAY
        row = redcap.exam_to_row(exam, DICTIONARY, redcap.FieldMap(), {})
        row.update(
            {
                "redcap_event_name": "month_6_arm_1",
                "visit": "4",
                "exam_time": "10:30",
                "examiner_name": "Examiner A",
                "examiner_position": "0",
                "isncsci_exam_complete": "2",
                "comments": f"synthetic {n}",
            }
        )
        if n == 0:
            row.update(
                {
                    "right_motor_c5_impairment": "1",
                    "left_pinprick_c6_impairment": "6",
                    "left_pinprick_c6_impairmentother": "old burn",
                }
            )
        writer.writerow(row)
    return out.getvalue()


def test_redcap_round_trip_is_lossless(patients: list[Patient], alice: User) -> None:
    original = redcap_export(patients)
    rows, errors = redcap.read_export(io.StringIO(original), DICTIONARY, redcap.FieldMap())
    assert errors == []
    assert rows[0].values == starred_exam()
    report = import_exams(alice, rows, source="redcap")
    assert report.committed, report.errors
    out = io.StringIO()
    exams = IsncsciExam.objects.select_related("patient", "source", "visit").order_by("pk")
    redcap.write_export(exams, DICTIONARY, redcap.FieldMap(), out)
    assert out.getvalue() == original


def test_redcap_mapping_renames_fields_and_links_visits(
    patients: list[Patient], alice: User, protocol: object
) -> None:
    import datetime as dt

    from cordtrack.server.services import followup

    followup.schedule_visits(alice, patients[0], protocol, TODAY - dt.timedelta(days=180))
    renamed = redcap_export(patients).replace("exam_date", "date_of_exam", 1)
    mapping = redcap.FieldMap(fields={"exam_date": "date_of_exam"}, visits={"4": "m6"})
    rows, errors = redcap.read_export(io.StringIO(renamed), DICTIONARY, mapping)
    assert errors == []
    assert rows[0].exam_date == TODAY.isoformat()
    assert rows[0].visit_code == "m6"
    report = import_exams(alice, rows[:1], source="redcap")
    assert report.committed, report.errors
    exam = IsncsciExam.objects.get()
    assert exam.visit is not None
    assert exam.visit.code == "m6"
    assert exam.visit.status != "scheduled"


def test_redcap_abnormal_value_without_consider_normal_is_a_row_error(
    patients: list[Patient],
) -> None:
    text = redcap_export(patients)
    reader = list(csv.DictReader(io.StringIO(text)))
    reader[1]["right_motor_c5_value"] = "ab-2"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(reader[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(reader)
    _, errors = redcap.read_export(io.StringIO(out.getvalue()), DICTIONARY, redcap.FieldMap())
    assert [(e.row, e.field) for e in errors] == [(3, "right_motor_c5_considernormal")]


def test_exams_recorded_in_the_registry_export_to_redcap(
    patients: list[Patient], alice: User
) -> None:
    exam_services.record_exam(alice, patients[0], starred_exam(), exam_date=TODAY)
    out = io.StringIO()
    redcap.write_export(IsncsciExam.objects.all(), DICTIONARY, redcap.FieldMap(), out)
    row = next(csv.DictReader(io.StringIO(out.getvalue())))
    assert row["right_motor_c5_value"] == "ab-3"
    assert row["right_motor_c5_considernormal"] == "2"
    assert row["left_pinprick_c6_considernormal"] == "1"
    assert row["right_light_touch_t2_value"] == "nt"
    assert row["asia_impairment_scale"] == IsncsciExam.objects.get().ais


def test_reimporting_the_same_redcap_export_creates_nothing_and_names_the_skipped_rows(
    patients: list[Patient], alice: User
) -> None:
    export = redcap_export(patients)
    rows, _ = redcap.read_export(io.StringIO(export), DICTIONARY, redcap.FieldMap())
    first = import_exams(alice, rows, source="redcap")
    assert first.committed
    assert len(first.created) == 2

    again = import_exams(alice, rows, source="redcap")
    assert again.errors == []
    assert again.created == []
    assert [str(s) for s in again.skipped] == [
        f"row 2: skipped: already recorded as exam {first.created[0]}",
        f"row 3: skipped: already recorded as exam {first.created[1]}",
    ]
    assert IsncsciExam.objects.count() == 2


def test_a_redcap_file_repeating_a_record_and_event_imports_it_once(
    patients: list[Patient], alice: User
) -> None:
    lines = redcap_export(patients).splitlines()
    doubled = "\n".join([*lines, lines[1]]) + "\n"  # record 1's month 6 row again
    rows, _ = redcap.read_export(io.StringIO(doubled), DICTIONARY, redcap.FieldMap())
    report = import_exams(alice, rows, source="redcap")
    assert report.committed
    assert len(report.created) == 2
    assert [str(s) for s in report.skipped] == ["row 4: skipped: repeats row 2"]


def test_a_redcap_record_and_event_with_other_values_is_an_error_in_the_file_or_after_import(
    patients: list[Patient], alice: User
) -> None:
    export = redcap_export(patients)
    lines = export.splitlines()
    header = next(csv.reader([lines[0]]))
    changed = dict(zip(header, next(csv.reader([lines[2]])), strict=True))
    changed["comments"] = "edited in REDCap"
    changed["right_motor_c5_value"] = "4"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
    writer.writerow(changed)
    conflicting = export + out.getvalue()
    rows, _ = redcap.read_export(io.StringIO(conflicting), DICTIONARY, redcap.FieldMap())
    report = import_exams(alice, rows, source="redcap")
    assert not report.committed
    assert [(e.row, e.field) for e in report.errors] == [(4, "record_id")]
    assert "is also row 3, with other values" in report.errors[0].message
    assert not IsncsciExam.objects.exists()

    first = import_exams(alice, rows[:2], source="redcap")
    later = import_exams(alice, rows[2:], source="redcap")
    assert later.errors[0].message == (
        f"record_id {patients[1].study_id!r}, event 'month_6_arm_1' was imported before as "
        f"exam {first.created[1]} with other values: correct that exam instead"
    )
    assert IsncsciExam.objects.count() == 2
