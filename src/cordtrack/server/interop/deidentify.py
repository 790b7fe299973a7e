"""The de-identified research dataset (method: ``docs/research-export.md``, copied into the
output as README.md).

- Only consented patients not withdrawn from further data use (``consent/scopes.py``); study
  ids, lot numbers and donor codes become random codes, and the key is not kept anywhere.
- Every date of a patient moves by one random offset (-180..180 days, never 0), the same for all
  of that patient's records, so intervals within a patient are exact.
- Year of birth becomes age at injury in whole years (90 and over as 90).
- Free text is dropped: AE terms, comorbidity and medication names, examiner names, comments,
  impairment descriptions, documents. Users and the audit trail are left out.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import secrets
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cordtrack.isncsci import EXAM_KEYS, RESULT_KEYS

from ..consent.scopes import usable_for_research
from ..exams.models import IsncsciExam
from ..followup.models import InstrumentResponse, TranslationStatus, Visit
from ..patients.models import Comorbidity, Injury, Medication, Patient
from ..safety.models import SERIOUSNESS_FIELDS, AdverseEvent
from ..therapy import vitals
from ..therapy.models import Administration

MAX_SHIFT_DAYS = 180
README = Path(__file__).resolve().parent / "data" / "research-export.md"


@dataclass
class Pseudonyms:
    """Random codes and offsets for one export (never written out)."""

    rng: secrets.SystemRandom = field(default_factory=secrets.SystemRandom)
    codes: dict[tuple[str, int], str] = field(default_factory=dict)
    offsets: dict[int, dt.timedelta] = field(default_factory=dict)

    def code(self, kind: str, pk: int) -> str:
        if (kind, pk) not in self.codes:
            used = set(self.codes.values())
            while True:
                candidate = f"{kind}-{secrets.token_hex(4).upper()}"
                if candidate not in used:
                    break
            self.codes[(kind, pk)] = candidate
        return self.codes[(kind, pk)]

    def shift(self, patient_id: int, day: dt.date | dt.datetime | None) -> str:
        if day is None:
            return ""
        if patient_id not in self.offsets:
            days = 0
            while days == 0:
                days = self.rng.randint(-MAX_SHIFT_DAYS, MAX_SHIFT_DAYS)
            self.offsets[patient_id] = dt.timedelta(days=days)
        moved = day + self.offsets[patient_id]
        return moved.date().isoformat() if isinstance(moved, dt.datetime) else moved.isoformat()


def _write(path: Path, columns: list[str], rows: Iterable[dict[str, Any]]) -> int:
    count = 0
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in columns})
            count += 1
    return count


def _age(patient: Patient, injury: Injury | None) -> str:
    if injury is None:
        return ""
    return str(min(90, injury.injury_date.year - patient.year_of_birth))


COLUMNS: dict[str, list[str]] = {
    "patients.csv": ["research_id", "site", "sex", "age_at_injury", "injury_date", "etiology",
                     "cause", "level", "baseline_ais"],
    "exams.csv": ["research_id", "exam_date", "visit", *EXAM_KEYS, *RESULT_KEYS],
    "administrations.csv": ["research_id", "date", "route", "dose_total_cells", "dose_per_kg",
                            "lot", "cell_type", "source", "viability_pct", *vitals.columns()],
    "adverse_events.csv": ["research_id", "onset_date", "resolution_date", "ctcae_grade",
                           "serious", *SERIOUSNESS_FIELDS, "relatedness", "expected", "action",
                           "outcome", "lot"],
    "visits.csv": ["research_id", "visit", "target_day", "target_date", "status", "done_on"],
    "instruments.csv": ["research_id", "instrument", "recorded_on", "total", "responses",
                        "language", "translation"],
    "comorbidities.csv": ["research_id", "icd10", "onset_date", "ongoing"],
    "medications.csv": ["research_id", "atc_code", "classes", "route", "start_date", "stop_date"],
}  # fmt: skip


class _Dataset:
    """The rows of each file, for the chosen patients, pseudonymised by ``p``."""

    def __init__(self, patients: list[Patient], p: Pseudonyms, answers: str = "") -> None:
        self.answers = answers
        self.patients = patients
        self.p = p
        self.ids = [x.pk for x in patients]
        self.rid = {x.pk: p.code("P", x.pk) for x in patients}

    def _of(self, patient_id: int) -> dict[str, Any]:
        return {"research_id": self.rid[patient_id]}

    def patients_rows(self) -> Iterator[dict[str, Any]]:
        injuries = {i.patient_id: i for i in Injury.objects.filter(patient_id__in=self.ids)}
        for x in self.patients:
            row = {**self._of(x.pk), "site": x.site.code, "sex": x.sex,
                   "age_at_injury": _age(x, injuries.get(x.pk))}  # fmt: skip
            injury = injuries.get(x.pk)
            if injury is not None:
                row |= {"injury_date": self.p.shift(x.pk, injury.injury_date),
                        "etiology": injury.etiology, "cause": injury.cause,
                        "level": injury.level, "baseline_ais": injury.baseline_ais}  # fmt: skip
            yield row

    def exams_rows(self) -> Iterator[dict[str, Any]]:
        exams = IsncsciExam.objects.signed().filter(patient_id__in=self.ids).select_related("visit")
        for e in exams.order_by("patient_id", "exam_date", "pk"):
            yield {**self._of(e.patient_id), "exam_date": self.p.shift(e.patient_id, e.exam_date),
                   "visit": e.visit.code if e.visit else "", **e.values,
                   **(e.classification or {})}  # fmt: skip

    def administrations_rows(self) -> Iterator[dict[str, Any]]:
        given = Administration.objects.filter(patient_id__in=self.ids).select_related("lot")
        for a in given.order_by("patient_id", "administered_at"):
            yield {**self._of(a.patient_id), "date": self.p.shift(a.patient_id, a.administered_at),
                   "route": a.route, "dose_total_cells": a.dose_total_cells,
                   "dose_per_kg": a.dose_per_kg, "lot": self.p.code("L", a.lot_id),
                   "cell_type": a.lot.cell_type, "source": a.lot.source,
                   "viability_pct": a.lot.viability_pct, **vitals.flat(a.vitals or {})}  # fmt: skip

    def adverse_events_rows(self) -> Iterator[dict[str, Any]]:
        events = AdverseEvent.objects.filter(patient_id__in=self.ids)
        for e in events.order_by("patient_id", "onset_date"):  # the term is free text: dropped
            yield {**self._of(e.patient_id), "onset_date": self.p.shift(e.patient_id, e.onset_date),
                   "resolution_date": self.p.shift(e.patient_id, e.resolution_date),
                   "ctcae_grade": e.ctcae_grade, "serious": e.serious,
                   **{k: getattr(e, k) for k in SERIOUSNESS_FIELDS},
                   "relatedness": e.relatedness, "expected": e.expected, "action": e.action,
                   "outcome": e.outcome,
                   "lot": self.p.code("L", e.lot_id) if e.lot_id else ""}  # fmt: skip

    def visits_rows(self) -> Iterator[dict[str, Any]]:
        for v in Visit.objects.filter(patient_id__in=self.ids).order_by("patient_id", "target_day"):
            yield {**self._of(v.patient_id), "visit": v.code, "target_day": v.target_day,
                   "target_date": self.p.shift(v.patient_id, v.target_date), "status": v.status,
                   "done_on": self.p.shift(v.patient_id, v.done_on)}  # fmt: skip

    def instruments_rows(self) -> Iterator[dict[str, Any]]:
        scored = InstrumentResponse.objects.filter(patient_id__in=self.ids)
        if self.answers == ANSWERS_VALIDATED:
            scored = scored.exclude(translation=TranslationStatus.WORKING)
        for r in scored.order_by("patient_id", "pk"):
            yield {**self._of(r.patient_id), "instrument": r.instrument,
                   "recorded_on": self.p.shift(r.patient_id, r.recorded_on),
                   "total": "" if r.total is None else r.total,
                   "responses": json.dumps(r.responses, sort_keys=True),
                   "language": r.language, "translation": r.translation}  # fmt: skip

    def comorbidities_rows(self) -> Iterator[dict[str, Any]]:
        for c in Comorbidity.objects.filter(patient_id__in=self.ids).order_by("patient_id", "pk"):
            # The condition's name is dropped.
            onset = self.p.shift(c.patient_id, c.onset_date)
            yield {**self._of(c.patient_id), "icd10": c.icd10, "onset_date": onset,
                   "ongoing": c.ongoing}  # fmt: skip

    def medications_rows(self) -> Iterator[dict[str, Any]]:
        for m in Medication.objects.filter(patient_id__in=self.ids).order_by("patient_id", "pk"):
            atc, classes = m.classification  # the name, dose and indication are dropped
            yield {**self._of(m.patient_id), "atc_code": atc, "classes": " ".join(sorted(classes)),
                   "route": m.route, "start_date": self.p.shift(m.patient_id, m.start_date),
                   "stop_date": self.p.shift(m.patient_id, m.stop_date)}  # fmt: skip


#: ``answers``: "validated" leaves out questionnaires answered to a working translation.
ANSWERS_VALIDATED = "validated"
ANSWERS_NOTE = (
    "instruments.csv: questionnaires answered to a working (not validated) translation are left "
    "out (--answers validated; ADR 0044)."
)


def export(
    patients: Iterable[Patient], out: Path, formats: Sequence[str] = ("csv",), answers: str = ""
) -> dict[str, int]:
    """Write the dataset into ``out`` in ``formats`` (``csv``, ``sav``, ``dta``), with its README
    and, with any format, the codebook (CSV and PDF) of the same variables; returns rows per file.
    ``answers="validated"``: see :data:`ANSWERS_NOTE`, which the README then starts with.
    """
    from .codebook import file_variables
    from .researchfiles import write_codebook_csv, write_codebook_pdf, write_table

    out.mkdir(parents=True, exist_ok=True)
    # Consented (perhaps since stopped treatment or visits), not withdrawn from data use.
    listed = list(patients)
    usable = set(
        usable_for_research(Patient.objects.filter(pk__in=[x.pk for x in listed])).values_list(
            "pk", flat=True
        )
    )
    chosen = [x for x in listed if x.pk in usable]
    data = _Dataset(chosen, Pseudonyms(), answers)
    counts = {}
    tables = {name: file_variables(name, columns) for name, columns in COLUMNS.items()}
    for name, columns in COLUMNS.items():
        rows = list(getattr(data, f"{name.removesuffix('.csv')}_rows")())
        if "csv" in formats:
            counts[name] = _write(out / name, columns, rows)
        for path in write_table(out, name, tables[name], rows, formats):
            counts[path.name] = len(rows)
    counts["codebook.csv"] = write_codebook_csv(out / "codebook.csv", tables)
    write_codebook_pdf(out / "codebook.pdf", tables)
    readme = README.read_text(encoding="utf-8")
    if answers == ANSWERS_VALIDATED:
        readme = f"**Filtered:** {ANSWERS_NOTE}\n\n{readme}"
    (out / "README.md").write_text(readme, encoding="utf-8")
    return counts
