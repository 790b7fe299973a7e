"""Registry records -> ``cordtrack.outcomes`` inputs. No statistics here.

* **Baseline**: the last classified ISNCSCI exam on or before the first administration (the
  pre-treatment exam); for a patient never treated, the first classified exam.
* **Follow-ups**: every later classified exam, ``day`` = days after the baseline exam.
* **Instruments** (SCIM III, WISCI II, pain NRS) join the exam whose date is nearest, within
  :data:`INSTRUMENT_MATCH_DAYS`; a baseline instrument must not post-date the first administration.
* **observed_until** = days from the baseline exam to ``today``: a window that has closed without a
  usable exam counts as lost to follow-up (``outcomes.cohort``), withdrawn patients included.
* **Age** = year of the baseline exam minus year of birth (only the year of birth is stored, so
  the age may be one year too high).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from django.db.models import QuerySet

from cordtrack.clinical.safety import CtcaeGrade, Relatedness, SeriousnessCriterion
from cordtrack.isncsci.types import Modality, Side, flat_key
from cordtrack.outcomes import AdverseEventRecord, Assessment, FollowUp, PatientCourse

from ..exams.models import IsncsciExam
from ..followup.models import InstrumentResponse
from ..patients.models import Patient
from ..safety.models import SERIOUSNESS_FIELDS, AdverseEvent
from ..therapy.models import Administration

#: An instrument is read with the exam recorded at most this many days away.
INSTRUMENT_MATCH_DAYS: Final = 14
INSTRUMENT_FIELDS: Final = {"scim_iii": "scim_iii", "wisci_ii": "wisci_ii", "pain_nrs": "pain_nrs"}


def _total(flat: Mapping[str, str], key: str) -> int | None:
    value = flat.get(key, "ND")
    return int(value) if value.isdigit() else None


def assessment_of(
    flat: Mapping[str, str], instruments: Mapping[str, int] | None = None
) -> Assessment:
    """An ``Assessment`` from an exam's 25 stored result keys (and instrument totals)."""
    extra = instruments or {}
    return Assessment(
        ais=flat.get("asiaImpairmentScale") or None,
        nli=flat.get("neurologicalLevelOfInjury") or None,
        motor_level_right=flat.get("rightMotor") or None,
        motor_level_left=flat.get("leftMotor") or None,
        uems=_total(flat, "upperMotorTotal"),
        lems=_total(flat, "lowerMotorTotal"),
        lt=_total(flat, "touchTotal"),
        pp=_total(flat, "prickTotal"),
        scim_iii=extra.get("scim_iii"),
        wisci_ii=extra.get("wisci_ii"),
        pain_nrs=extra.get("pain_nrs"),
    )


@dataclass(frozen=True, slots=True)
class ExamPoint:
    """One classified exam with the instruments joined to it."""

    exam: IsncsciExam
    date: dt.date
    assessment: Assessment
    instrument_dates: Mapping[str, dt.date]


@dataclass(frozen=True, slots=True)
class PatientTimeline:
    """A patient's baseline and follow-up exams as the reports read them."""

    patient: Patient
    baseline: ExamPoint | None
    follow_ups: tuple[ExamPoint, ...]
    first_administration: dt.date | None
    injury_date: dt.date | None

    @property
    def days_since_injury_at_baseline(self) -> int | None:
        if self.baseline is None or self.injury_date is None:
            return None
        return (self.baseline.date - self.injury_date).days

    @property
    def age_at_baseline(self) -> int | None:
        if self.baseline is None:
            return None
        return self.baseline.date.year - self.patient.year_of_birth


def _nearest_instruments(
    rows: Sequence[InstrumentResponse], day: dt.date, not_after: dt.date | None
) -> tuple[dict[str, int], dict[str, dt.date]]:
    values: dict[str, int] = {}
    dates: dict[str, dt.date] = {}
    for code, name in INSTRUMENT_FIELDS.items():
        candidates = [
            r
            for r in rows
            if r.instrument == code
            and r.total is not None
            and abs((r.recorded_on - day).days) <= INSTRUMENT_MATCH_DAYS
            and (not_after is None or r.recorded_on <= not_after)
        ]
        if candidates:
            best = min(candidates, key=lambda r: (abs((r.recorded_on - day).days), r.recorded_on))
            assert best.total is not None
            values[name] = round(best.total)
            dates[name] = best.recorded_on
    return values, dates


def timeline(patient: Patient) -> PatientTimeline:
    """The baseline and follow-up exams of ``patient`` (rules in the module docstring)."""
    # Signed exams only: a draft (perhaps incomplete, its result provisional) is not reported.
    exams = [e for e in patient.exams.all() if e.classification and e.signed_at is not None]
    exams.sort(key=lambda e: (e.exam_date, e.pk))
    instruments = list(patient.instruments.all())
    admins = [a.administered_at.date() for a in patient.administrations.all()]
    first = min(admins) if admins else None
    injury = getattr(patient, "injury", None)
    injury_date = injury.injury_date if injury is not None else None
    if not exams:
        return PatientTimeline(patient, None, (), first, injury_date)
    before = [e for e in exams if first is None or e.exam_date <= first]
    base_exam = before[-1] if before and first is not None else exams[0]

    def point(exam: IsncsciExam, not_after: dt.date | None) -> ExamPoint:
        values, dates = _nearest_instruments(instruments, exam.exam_date, not_after)
        flat = exam.classification or {}
        return ExamPoint(exam, exam.exam_date, assessment_of(flat, values), dates)

    baseline = point(base_exam, first)
    later = tuple(point(e, None) for e in exams if e.exam_date > base_exam.exam_date)
    return PatientTimeline(patient, baseline, later, first, injury_date)


def tags_of(patient: Patient) -> dict[str, str]:
    """What cohorts are selected by: site, protocol, cell type, route (of the first treatment)."""
    tags = {"site": patient.site.code}
    admins = sorted(patient.administrations.all(), key=lambda a: a.administered_at)
    if admins:
        tags["cell_type"] = admins[0].lot.cell_type
        tags["route"] = admins[0].route
    protocols = [v.protocol for v in patient.visits.all() if v.protocol is not None]
    if not protocols:
        protocols = [s.protocol for s in patient.screenings.all()]
    if protocols:
        tags["protocol"] = protocols[0].code
    return tags


def course_of(line: PatientTimeline, today: dt.date) -> PatientCourse | None:
    """The patient's ``PatientCourse``, or None without a baseline exam."""
    if line.baseline is None:
        return None
    base = line.baseline.date
    return PatientCourse(
        patient_id=line.patient.study_id,
        baseline=line.baseline.assessment,
        days_since_injury_at_baseline=line.days_since_injury_at_baseline,
        follow_ups=tuple(FollowUp((p.date - base).days, p.assessment) for p in line.follow_ups),
        observed_until=(today - base).days,
        age_years=line.age_at_baseline,
        tags=tags_of(line.patient),
    )


def with_related(patients: QuerySet[Patient]) -> QuerySet[Patient]:
    """``patients`` with everything the adapters read, fetched in a few queries."""
    return patients.select_related("site", "injury").prefetch_related(
        "exams",
        "instruments",
        "administrations__lot",
        "visits__protocol",
        "screenings__protocol",
    )


def adverse_event_record(event: AdverseEvent) -> AdverseEventRecord:
    return AdverseEventRecord(
        patient_id=event.patient.study_id,
        term=event.term,
        grade=CtcaeGrade(event.ctcae_grade),
        relatedness=Relatedness(event.relatedness),
        seriousness=frozenset(
            SeriousnessCriterion(name) for name in SERIOUSNESS_FIELDS if getattr(event, name)
        ),
        administration_id=None if event.administration_id is None else str(event.administration_id),
        event_id=str(event.pk),
    )


def administration_ids(administrations: Iterable[Administration]) -> list[str]:
    return [str(a.pk) for a in administrations]


def walking_inputs(values: Mapping[str, str]) -> dict[str, tuple[int | None, int | None]]:
    """L3/S1 motor and light-touch grades ``(right, left)`` from raw exam values (NT -> None)."""

    def grade(level: str, side: Side, modality: Modality) -> int | None:
        raw = str(values.get(flat_key(level, side, modality), "")).rstrip("*")
        return int(raw) if raw.isdigit() else None

    def pair(level: str, modality: Modality) -> tuple[int | None, int | None]:
        return grade(level, Side.RIGHT, modality), grade(level, Side.LEFT, modality)

    return {
        "l3_motor": pair("L3", Modality.MOTOR),
        "s1_motor": pair("S1", Modality.MOTOR),
        "l3_light_touch": pair("L3", Modality.TOUCH),
        "s1_light_touch": pair("S1", Modality.TOUCH),
    }
