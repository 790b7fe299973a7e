"""Writes a chunk of planned synthetic patients in bulk, with one audit entry each.

The chunk's exams are classified together (baselines first, then every follow-up), the records
are built in memory as rows (:mod:`.tables`: no model instance per row) and inserted table by
table (``COPY`` on PostgreSQL), and the audit trail gets one entry per patient
through ``audit.chain.append_many`` (action create, model ``patients.patient``, reason naming the
generator and its seed, ``changes`` counting what was created): the trail's format is unchanged.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final

from django.utils import timezone

from cordtrack import isncsci
from cordtrack.clinical import eligibility as rules

from ..accounts.models import Role, Site, User
from ..audit.chain import Change, append_many
from ..audit.models import AuditAction
from ..consent.demo import VERSIONS as CONSENT_VERSIONS
from ..exams.models import IsncsciExam
from ..followup.models import InstrumentResponse, Logistics, Visit
from ..intake.models import EligibilityScreening, Inquiry, Protocol
from ..patients.models import Comorbidity, ConsentStatus, Injury, Medication, Patient
from ..safety.models import AdverseEvent
from ..services.exams import indexed_fields
from ..therapy.models import Administration, CellProductLot
from . import records
from .plan import PatientPlan
from .recovery import Course, classify, draw_course, exam_values, grade_at, uems_targets
from .tables import Row, Tables

__all__ = ["Allocator", "Key", "SiteContext", "write_chunk"]

_DAYS_PER_MONTH: Final = 30.44
_DOSE: Final = 100_000_000
_INSTRUMENTS: Final = ("scim_iii", "wisci_ii", "pain_nrs")
_TESTS: Final = ("sterility", "mycoplasma", "endotoxin", "identity (flow)")
_RELEASE: Final = [{"test": t, "result": "pass", "passed": True} for t in _TESTS]
Key = tuple[str, int]
FollowUpExam = tuple[str, dict[str, str], dict[str, str] | None, str]
#: Randomises a chunk's written patients (plans and patients by key); returns the sham keys.
Allocator = Callable[[dict[Key, PatientPlan], dict[Key, Patient]], Collection[Key]]


@dataclass
class SiteContext:
    """A site's users, the protocol and the allogeneic lots made so far (one per quarter, inserted
    with the chunk that first uses it)."""

    site: Site
    users: dict[str, User]
    protocol: Protocol
    rules: rules.Protocol
    seed: int
    lots: dict[tuple[int, int], Row] = field(default_factory=dict)

    @property
    def clinician(self) -> User:
        return self.users[Role.CLINICIAN]

    def shared_lot(self, day: dt.date, tables: Tables) -> Row:
        """The allogeneic lot of the quarter of ``day`` (made on first use)."""
        quarter = (day.year, (day.month - 1) // 3)
        if quarter not in self.lots:
            start = dt.date(quarter[0], quarter[1] * 3 + 1, 1)
            self.lots[quarter] = tables.new(
                CellProductLot,
                site=self.site, manufacturer="Synthetic Biobank",
                lot_number=f"{self.site.code}-S{self.seed}-UC{quarter[0]}Q{quarter[1] + 1}",
                cell_type="uc_msc", source="allogeneic", donor_code=f"D-{self.seed}-{quarter[0]}",
                manufactured_on=start - dt.timedelta(days=30),
                expires_on=start + dt.timedelta(days=150), viability_pct=Decimal("95.1"),
                cell_count=2_000_000_000, release_tests=_RELEASE,
            )  # fmt: skip
        return self.lots[quarter]


def _month(visit_day: int) -> float:
    return visit_day / _DAYS_PER_MONTH


@dataclass
class _Chunk:
    """The chunk's plans with their classified baselines, screenings and drawn courses."""

    plans: dict[Key, PatientPlan]
    contexts: dict[str, SiteContext]
    today: dt.date
    tables: Tables
    now: dt.datetime = field(default_factory=timezone.now)
    baselines: dict[Key, dict[str, str]] = field(default_factory=dict)
    flats: dict[Key, dict[str, str]] = field(default_factory=dict)
    screened: dict[Key, tuple[dict[str, Any], list[dict[str, Any]], str]] = field(
        default_factory=dict
    )
    courses: dict[Key, Course] = field(default_factory=dict)
    patients: dict[Key, Row] = field(default_factory=dict)

    def prepare(self) -> None:
        self.baselines = {k: exam_values(p.level, p.grade, 0, p.rng)
                          for k, p in self.plans.items() if p.baseline_date}  # fmt: skip
        classified = classify(list(self.baselines.values()))
        self.flats = dict(zip(self.baselines, classified, strict=True))
        for key, p in self.plans.items():
            if p.screened_on is None:
                continue
            ctx = self.contexts[p.site]
            self.screened[key] = records.screening(
                p, ctx.rules, self.flats.get(key), p.failing_fact == "anticoagulation"
            )
            course = draw_course(p.rng, self.flats[key], p.days_at_baseline or 0)
            if not p.treated:
                continue
            if self.screened[key][2] != "eligible" or course is None:  # the engine said no
                p.stage, p.administered_on, p.visits = "not_eligible", None, []
            else:
                self.courses[key] = course


def _follow_up_exams(
    plan: PatientPlan, course: Course, baseline: dict[str, str]
) -> list[FollowUpExam]:
    """(visit code, values, UEMS-adjusted values, drawn grade) for each exam visit done."""
    out = []
    for visit in plan.visits:
        if visit.done_on is None or visit.target_day < 30:
            continue
        month = _month(visit.target_day)
        grade = grade_at(course, month)
        values = exam_values(plan.level, grade, month, plan.rng)
        adjusted = None
        if course.uems_change is not None and grade in "AB":
            share = min(1.0, (month / 6.0) ** 0.5)  # most of the gain by 3-6 months
            adjusted = uems_targets(values, baseline, plan.level, round(course.uems_change * share))
        out.append((visit.code, values, adjusted, grade))
    return out


def _people(chunk: _Chunk, numbers: dict[Key, int]) -> None:
    """Patients, inquiries, injuries, comorbidities, medications, screenings, baseline exams."""
    new = chunk.tables.new
    for key, p in chunk.plans.items():
        consented = p.consent_date is not None
        chunk.patients[key] = new(
            Patient, site=chunk.contexts[p.site].site, study_id=f"{p.site}-{numbers[key]:04d}",
            year_of_birth=p.year_of_birth, sex=p.sex, consent_date=p.consent_date,
            consent_status=ConsentStatus.CONSENTED if consented else ConsentStatus.PENDING,
            # The label of the protocol's demo consent document (consent/demo.py).
            consent_version=CONSENT_VERSIONS.get(chunk.contexts[p.site].protocol.code, "2.1")
            if consented else "",
        )  # fmt: skip
    for key, p in chunk.plans.items():
        patient, ctx, flat = chunk.patients[key], chunk.contexts[p.site], chunk.flats.get(key)
        recorded = (flat["asiaImpairmentScale"][:1] if flat else "") or p.grade
        thinner = p.failing_fact == "anticoagulation"
        new(Inquiry, patient=patient, received_on=p.received_on, source=p.source, status=p.stage,
            status_changed_at=chunk.now)  # fmt: skip
        new(Injury, patient=patient, injury_date=p.injury_date, etiology=p.etiology,
            cause=p.cause, level=p.level, baseline_ais=recorded)  # fmt: skip
        onset = p.injury_date - dt.timedelta(days=900)
        for condition, icd10 in p.comorbidities:
            new(Comorbidity, patient=patient, condition=condition, icd10=icd10, onset_date=onset)
        started = p.injury_date + dt.timedelta(days=3)
        if thinner:
            new(Medication, patient=patient, name="Apixaban", dose="5 mg twice daily",
                route="oral", indication="Deep vein thrombosis", start_date=started)  # fmt: skip
        new(Medication, patient=patient, name="Baclofen", dose="10 mg three times daily",
            route="oral", indication="Spasticity", start_date=started)  # fmt: skip
        if key in chunk.screened and p.screened_on is not None:
            facts, results, decision = chunk.screened[key]
            new(EligibilityScreening, patient=patient, protocol=ctx.protocol, facts=facts,
                results=results, decision=decision, reviewer=ctx.clinician,
                screened_on=p.screened_on, reviewed_at=chunk.now)  # fmt: skip
        if flat is None or p.baseline_date is None:
            continue
        new(IsncsciExam,
            patient=patient, examiner=ctx.clinician, exam_date=p.baseline_date,
            values=chunk.baselines[key], classification=flat,
            engine_version=isncsci.ENGINE_VERSION, classified_at=chunk.now, **indexed_fields(flat),
            # Signed: only signed exams are reported (a draft never is).
            signed_by=ctx.clinician, signed_at=chunk.now,
        )  # fmt: skip
        for code in _INSTRUMENTS:
            answers, score, total = records.instrument(code, recorded, 0, p.rng)
            new(InstrumentResponse, patient=patient, instrument=code, responses=answers,
                score=score, total=total, recorded_on=p.baseline_date,
                recorded_by=ctx.clinician)  # fmt: skip


def _treatments(chunk: _Chunk, sham: Collection[Key] = ()) -> list[tuple[PatientPlan, Row]]:
    """Lots, administrations, adverse events and visits of the treated patients. A ``sham``
    patient has the procedure without a product: visits and adverse events (drawn from the same
    model), but no lot and no administration."""
    new = chunk.tables.new
    visits = []
    for key, p in chunk.plans.items():
        if p.administered_on is None:
            continue
        patient, ctx = chunk.patients[key], chunk.contexts[p.site]
        if key in sham:
            for e in records.adverse_events(p, chunk.today):
                new(AdverseEvent,
                    patient=patient, term=e.term, onset_date=e.onset, resolution_date=e.resolved,
                    ctcae_grade=e.grade, hospitalisation=e.hospitalisation, serious=e.serious,
                    relatedness=e.relatedness, expected=e.expected, action="none",
                    outcome="recovered" if e.resolved else "recovering",
                    reported_by=ctx.clinician)  # fmt: skip
            visits += _visits(chunk, p, patient, ctx)
            continue
        if p.rng.random() < 0.5:
            lot = new(
                CellProductLot,
                site=ctx.site, lot_number=f"{p.site}-S{ctx.seed}-A{p.index:06d}",
                manufacturer="Synthetic Cell Lab", cell_type="bm_msc", source="autologous",
                source_patient=patient, manufactured_on=p.administered_on - dt.timedelta(days=21),
                expires_on=p.administered_on + dt.timedelta(days=30),
                viability_pct=Decimal("92.5"), cell_count=120_000_000, release_tests=_RELEASE,
            )  # fmt: skip
        else:
            lot = ctx.shared_lot(p.administered_on, chunk.tables)
        weight = Decimal(p.rng.randint(55, 95))
        at = dt.datetime.combine(p.administered_on, dt.time(9, 30), tzinfo=dt.UTC)
        admin = new(
            Administration,
            patient=patient, lot=lot, route=p.route, dose_total_cells=_DOSE, administered_at=at,
            weight_kg=weight, dose_per_kg=int(Decimal(_DOSE) / weight),
            vitals=records.vitals(p.rng), operator=ctx.clinician,
        )  # fmt: skip
        for e in records.adverse_events(p, chunk.today):
            new(AdverseEvent,
                patient=patient, term=e.term, onset_date=e.onset, resolution_date=e.resolved,
                ctcae_grade=e.grade, hospitalisation=e.hospitalisation, serious=e.serious,
                relatedness=e.relatedness, expected=e.expected, action="none",
                outcome="recovered" if e.resolved else "recovering", administration=admin,
                lot=lot, reported_by=ctx.clinician,
            )  # fmt: skip
        visits += _visits(chunk, p, patient, ctx)
    return visits


def _visits(
    chunk: _Chunk, p: PatientPlan, patient: Row, ctx: SiteContext
) -> list[tuple[PatientPlan, Row]]:
    return [(p, chunk.tables.new(
        Visit, patient=patient, protocol=ctx.protocol, code=v.code, label=v.label,
        target_day=v.target_day, target_date=v.target_date, window_open=v.window_open,
        window_close=v.window_close, status=v.status, done_on=v.done_on,
    )) for v in p.visits]  # fmt: skip


def _follow_ups(chunk: _Chunk, visits: list[tuple[PatientPlan, Row]]) -> None:
    """Logistics of done and coming visits; follow-up exams and instruments at done visits."""
    new = chunk.tables.new
    for p, v in visits:
        soon = chunk.today <= v.window_open <= chunk.today + dt.timedelta(days=30)
        if v.done_on is None and not soon:
            continue
        arranged = v.done_on is not None or p.rng.random() < 0.5
        new(Logistics,
            visit=v, travel_mode=p.rng.choice(["car", "adapted_van", "train", "air"]),
            distance_km=p.rng.randint(5, 900), lodging_nights=p.rng.choice([0, 0, 1, 2]),
            mobility_aids=[p.rng.choice(["manual_wheelchair", "power_wheelchair", "walker"])],
            travel_arranged=arranged, lodging_arranged=arranged,
            mobility_aids_arranged=arranged,
        )  # fmt: skip
    specs = {key: _follow_up_exams(chunk.plans[key], course, chunk.baselines[key])
             for key, course in chunk.courses.items()}  # fmt: skip
    rows = [row for found in specs.values() for _, v, a, _ in found for row in (v, a) if row]
    classified = iter(classify(rows))
    visit_of = {(v.patient_id, v.code): v for _, v in visits}
    for key, found in specs.items():
        p, patient = chunk.plans[key], chunk.patients[key]
        clinician = chunk.contexts[p.site].clinician
        for code, values, adjusted, grade in found:
            flat = next(classified)
            if adjusted is not None:  # keep the UEMS adjustment only if the grade is unchanged
                tuned = next(classified)
                if tuned["asiaImpairmentScale"] == flat["asiaImpairmentScale"]:
                    values, flat = adjusted, tuned
            visit = visit_of[(patient.pk, code)]
            assert visit.done_on is not None
            new(IsncsciExam,
                patient=patient, visit=visit, examiner=clinician, exam_date=visit.done_on,
                values=values, classification=flat, engine_version=isncsci.ENGINE_VERSION,
                classified_at=chunk.now, **indexed_fields(flat),
                signed_by=clinician, signed_at=chunk.now,  # only signed exams are reported
            )  # fmt: skip
            if code not in ("m3", "m6", "m12"):
                continue
            for name in _INSTRUMENTS:
                answers, score, total = records.instrument(
                    name, grade, _month(visit.target_day), p.rng
                )
                new(InstrumentResponse,
                    patient=patient, visit=visit, instrument=name, responses=answers,
                    score=score, total=total, recorded_on=visit.done_on, recorded_by=clinician,
                )  # fmt: skip


#: The summary's name of each table's rows.
_NAMES: Final = {
    "patients.patient": "patients", "intake.inquiry": "inquiries", "patients.injury": "injuries",
    "patients.comorbidity": "comorbidities", "patients.medication": "medications",
    "intake.eligibilityscreening": "screenings", "exams.isncsciexam": "exams",
    "followup.instrumentresponse": "instruments", "therapy.cellproductlot": "lots",
    "therapy.administration": "administrations", "safety.adverseevent": "adverse_events",
    "followup.visit": "visits", "followup.logistics": "logistics",
}  # fmt: skip


def write_chunk(
    plans: list[PatientPlan],
    contexts: dict[str, SiteContext],
    numbers: dict[Key, int],
    today: dt.date,
    reason: str,
    allocate: Allocator | None = None,
    *,
    tables: Tables | None = None,
) -> Counter[str]:
    """Insert every record of ``plans`` (inside the caller's transaction); returns row counts.

    ``allocate`` (a randomised protocol) is called once the patients and their screenings are
    written, before any treatment: it randomises them and returns the keys of the sham arm."""
    tables = Tables() if tables is None else tables
    chunk = _Chunk({(p.site, p.index): p for p in plans}, contexts, today, tables)
    chunk.prepare()
    _people(chunk, numbers)
    counts: Counter[str] = Counter()
    sham: Collection[Key] = ()
    if allocate is not None:  # the services it calls need the patients in the database
        counts.update(tables.flush())
        saved = Patient.objects.in_bulk([row.pk for row in chunk.patients.values()])
        sham = allocate(chunk.plans, {k: saved[row.pk] for k, row in chunk.patients.items()})
    _follow_ups(chunk, _treatments(chunk, sham))
    counts.update(tables.flush())
    counts = Counter({_NAMES.get(label, label): n for label, n in counts.items()})
    append_many(None, [
        Change(AuditAction.CREATE, "patients.patient", patient.pk,
               {"synthetic": True, "study_id": patient.study_id, "stage": chunk.plans[key].stage},
               reason, patient.site_id, patient.pk)
        for key, patient in chunk.patients.items()
    ])  # fmt: skip
    return counts
