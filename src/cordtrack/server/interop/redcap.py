"""REDCap: read a project export of the ISNCSCI instrument (data CSV plus data dictionary) into
exams, and write exams back in the same shape.

The instrument is that of the REDCap ISNCSCI external module (``shared/interop``): one dropdown a
worksheet cell, ``<side>_<light_touch|pinprick|motor>_<level>_value`` with ``0..5``, ``nt`` and
``ab-<value>`` for a value impaired by something other than the SCI; ``..._considernormal`` says
how to classify it (1 = consider normal → ``**``, 2 = consider not normal → ``*``).

A mapping (JSON, :func:`load_mapping`) renames fields for projects whose variables differ from the
instrument's (``{"fields": {"exam_date": "date_of_exam"}}``; default: the instrument's names) and
links REDCap visits to CordTrack visit codes (``{"visits": {"4": "m6"}}``; default: none).

Everything the exam has no column for (impairment reasons, examiner, visit, time, comments,
REDCap event and form status...) is kept with the exam (``ExamSourceFields``) and written back,
so export → import → export is lossless. Calculated fields are written from CordTrack's
classification.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from cordtrack.isncsci import RESULT_KEYS
from cordtrack.isncsci.types import (
    DAP_KEY,
    KEY_MUSCLE_LEVELS,
    NON_KEY_KEYS,
    SENSORY_LEVELS,
    VAC_KEY,
    Modality,
    Side,
    flat_key,
)

from ..exams.models import IsncsciExam
from ..services.imports import ExamRow, RowError

RECORD_ID = "record_id"
FORM = "isncsci_exam"
#: REDCap's own columns of an export, kept when present.
SYSTEM_COLUMNS = (
    "redcap_event_name",
    "redcap_repeat_instrument",
    "redcap_repeat_instance",
    "redcap_data_access_group",
)
COMPLETE = f"{FORM}_complete"

_MODALITY = {Modality.TOUCH: "light_touch", Modality.PRICK: "pinprick", Modality.MOTOR: "motor"}

#: Calculated instrument field → CordTrack result key.
CALCULATED = {
    "asia_impairment_scale": "asiaImpairmentScale",
    "injury_complete": "injuryComplete",
    "neurological_level_of_injury": "neurologicalLevelOfInjury",
    "neurological_levels_motor_left": "leftMotor",
    "neurological_levels_motor_right": "rightMotor",
    "neurological_levels_sensory_left": "leftSensory",
    "neurological_levels_sensory_right": "rightSensory",
    "zone_of_partial_preservations_motor_left": "leftMotorZpp",
    "zone_of_partial_preservations_motor_right": "rightMotorZpp",
    "zone_of_partial_preservations_sensory_left": "leftSensoryZpp",
    "zone_of_partial_preservations_sensory_right": "rightSensoryZpp",
    "light_touch_left": "leftTouchTotal",
    "light_touch_right": "rightTouchTotal",
    "light_touch_total": "touchTotal",
    "lower_extremity_left": "leftLowerMotorTotal",
    "lower_extremity_right": "rightLowerMotorTotal",
    "lower_extremity_total": "lowerMotorTotal",
    "upper_extremity_left": "leftUpperMotorTotal",
    "upper_extremity_right": "rightUpperMotorTotal",
    "upper_extremity_total": "upperMotorTotal",
    "pin_prick_left": "leftPrickTotal",
    "pin_prick_right": "rightPrickTotal",
    "pin_prick_total": "prickTotal",
    "motor_left": "leftMotorTotal",
    "motor_right": "rightMotorTotal",
}
assert set(CALCULATED.values()) <= set(RESULT_KEYS)

BINARY = {"deep_anal_pressure": DAP_KEY, "voluntary_anal_contraction": VAC_KEY}
NON_KEY = {
    f"lowest_non_key_muscle_with_motor_function_{s.value.lower()}": NON_KEY_KEYS[s] for s in Side
}


def _cells() -> dict[str, str]:
    """REDCap cell stem (``right_motor_c5``) → flat key (``c5RightMotor``)."""
    cells = {}
    for side in Side:
        for modality, levels in (
            (Modality.TOUCH, SENSORY_LEVELS),
            (Modality.PRICK, SENSORY_LEVELS),
            (Modality.MOTOR, KEY_MUSCLE_LEVELS),
        ):
            for level in levels:
                stem = f"{side.value.lower()}_{_MODALITY[modality]}_{level.lower()}"
                cells[stem] = flat_key(level, side, modality)
    return cells


CELLS = _cells()


@dataclass(frozen=True)
class Dictionary:
    """The instrument's data fields (descriptive fields left out), in dictionary order."""

    fields: tuple[str, ...]

    @classmethod
    def read(cls, stream: IO[str]) -> Dictionary:
        reader = csv.reader(stream)
        next(reader, None)
        names = [r[0] for r in reader if r and len(r) > 3 and r[3] != "descriptive"]
        return cls(tuple(names))


@dataclass(frozen=True)
class FieldMap:
    """Instrument field → project column, and REDCap visit code → CordTrack visit code."""

    fields: dict[str, str] = field(default_factory=dict)
    visits: dict[str, str] = field(default_factory=dict)

    def column(self, name: str) -> str:
        return self.fields.get(name, name)


def load_mapping(path: Path | None) -> FieldMap:
    """The mapping in a JSON file ``{"fields": {instrument field: column}, "visits": {REDCap
    event: CordTrack visit code}}`` (both optional). Raises ValueError, saying what is wrong,
    for a file that is not such an object (and OSError for one that cannot be read)."""
    if path is None:
        return FieldMap()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: not a JSON mapping ({exc})") from None
    if not isinstance(data, dict) or set(data) - {"fields", "visits"}:
        raise ValueError(f'{path}: a mapping is an object with "fields" and "visits" only')
    parts = {key: data.get(key, {}) for key in ("fields", "visits")}
    for key, part in parts.items():
        if not isinstance(part, dict) or not all(isinstance(v, str) for v in part.values()):
            raise ValueError(f'{path}: "{key}" must map names to names (strings)')
    return FieldMap(fields=dict(parts["fields"]), visits=dict(parts["visits"]))


def _derived(dictionary: Dictionary) -> set[str]:
    """Instrument fields rebuilt from the exam itself (values, dates, classification)."""
    names = {RECORD_ID, "exam_date", *CALCULATED, *BINARY, *NON_KEY}
    names |= {f"{stem}_value" for stem in CELLS}
    return names & set(dictionary.fields) | {RECORD_ID}


def _flat_value(raw: str, consider: str) -> tuple[str | None, str | None]:
    """(flat value, error) of one REDCap cell."""
    if raw == "":
        return None, None
    abnormal = raw.startswith("ab-")
    base = raw[3:] if abnormal else raw
    base = "NT" if base.lower() == "nt" else base
    if not abnormal:
        return base, None
    if consider == "1":
        return base + "**", None
    if consider == "2":
        return base + "*", None
    return None, "an abnormal (ab-) value needs consider normal (1) or not normal (2)"


def row_to_exam(
    number: int, record: Mapping[str, str], dictionary: Dictionary, mapping: FieldMap
) -> tuple[ExamRow, list[RowError]]:
    def get(name: str) -> str:
        return (record.get(mapping.column(name)) or "").strip()

    errors: list[RowError] = []
    values: dict[str, str] = {}
    used = set()
    for stem, key in CELLS.items():
        consider = get(f"{stem}_considernormal")
        flat, error = _flat_value(get(f"{stem}_value"), consider)
        if error:
            errors.append(
                RowError(number, mapping.column(f"{stem}_considernormal"), consider, error)
            )
        elif flat is not None:
            values[key] = flat
        if get(f"{stem}_value").startswith("ab-"):
            used.add(f"{stem}_considernormal")
    for name, key in {**BINARY, **NON_KEY}.items():
        if get(name):
            values[key] = get(name)
    skip = _derived(dictionary) | used
    extra = {name: get(name) for name in dictionary.fields if name not in skip and get(name)}
    for column in (*SYSTEM_COLUMNS, COMPLETE):
        if record.get(column):
            extra[column] = str(record[column])
    visit = mapping.visits.get(get("visit"), "")
    row = ExamRow(number, get(RECORD_ID), get("exam_date"), values, visit, extra)
    return row, errors


def read_export(
    stream: IO[str], dictionary: Dictionary, mapping: FieldMap
) -> tuple[list[ExamRow], list[RowError]]:
    """The exams of a REDCap data export (CSV, raw values, header of variable names)."""
    reader = csv.DictReader(stream)
    header = set(reader.fieldnames or [])
    needed = [
        mapping.column(n) for n in (RECORD_ID, "exam_date") if mapping.column(n) not in header
    ]
    if needed:
        return [], [RowError(1, c, None, "column missing from the header") for c in needed]
    rows, errors = [], []
    for number, record in enumerate(reader, start=2):
        if record.get("redcap_repeat_instrument") not in (None, "", FORM):
            continue  # another instrument's row
        row, row_errors = row_to_exam(number, record, dictionary, mapping)
        rows.append(row)
        errors += row_errors
    return rows, errors


def _cell_out(flat: str) -> tuple[str, str]:
    """(REDCap value, consider normal) of a flat cell value."""
    base = flat.rstrip("*")
    stars = len(flat) - len(base)
    value = "nt" if base == "NT" else base
    if stars == 0:
        return value, ""
    return f"ab-{value}", "1" if stars == 2 else "2"


def exam_to_row(
    exam: IsncsciExam, dictionary: Dictionary, mapping: FieldMap, extra: Mapping[str, str]
) -> dict[str, str]:
    out: dict[str, str] = dict.fromkeys(dictionary.fields, "")
    out[RECORD_ID] = exam.patient.study_id
    out["exam_date"] = exam.exam_date.isoformat()
    for stem, key in CELLS.items():
        if key in exam.values:
            value, consider = _cell_out(str(exam.values[key]))
            out[f"{stem}_value"] = value
            if consider:
                out[f"{stem}_considernormal"] = consider
    for name, key in {**BINARY, **NON_KEY}.items():
        out[name] = str(exam.values.get(key, ""))
    result = exam.classification or {}
    for name, key in CALCULATED.items():
        out[name] = str(result.get(key, ""))
    inverse = {v: k for k, v in mapping.visits.items()}
    if exam.visit is not None and exam.visit.code in inverse:
        out["visit"] = inverse[exam.visit.code]
    out.update(extra)
    return {mapping.column(k): v for k, v in out.items()}


def write_export(
    exams: Iterable[IsncsciExam], dictionary: Dictionary, mapping: FieldMap, stream: IO[str]
) -> int:
    """Exams as a REDCap data import/export CSV of the instrument (raw values)."""
    rows = []
    for exam in exams:
        source = getattr(exam, "source", None)
        rows.append(exam_to_row(exam, dictionary, mapping, source.fields if source else {}))
    system = [c for c in SYSTEM_COLUMNS if any(c in r for r in rows)]
    ordered = [RECORD_ID, *system, *(f for f in dictionary.fields if f != RECORD_ID), COMPLETE]
    columns = [mapping.column(c) for c in ordered]
    writer = csv.DictWriter(stream, fieldnames=columns, lineterminator="\n", restval="")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: row.get(c, "") for c in columns})
    return len(rows)


def write_dictionary(source: Path, mapping: FieldMap, out: Path) -> None:
    """The data dictionary beside an export, its variable names renamed as the mapping says."""
    with source.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.reader(stream))
    with out.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(rows[0])
        for row in rows[1:]:
            writer.writerow([mapping.column(row[0]), *row[1:]] if row else row)


def instrument_dictionary(path: Path) -> Dictionary:
    """The data dictionary in a REDCap CSV file; ValueError for one that is not UTF-8 text."""
    try:
        with path.open(encoding="utf-8", newline="") as stream:
            return Dictionary.read(stream)
    except UnicodeDecodeError:
        raise ValueError(f"{path}: not a UTF-8 CSV data dictionary") from None


__all__ = [
    "Dictionary",
    "FieldMap",
    "exam_to_row",
    "instrument_dictionary",
    "load_mapping",
    "read_export",
    "row_to_exam",
    "write_dictionary",
    "write_export",
]


#: The instrument's data dictionary shipped with CordTrack (see ``data/README.md``).
DEFAULT_DICTIONARY = Path(__file__).resolve().parent / "data" / "redcap-isncsci-instrument.csv"
