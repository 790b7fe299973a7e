"""The synthetic cohort generator: bulk, deterministic, realistic, audited, refused when due."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.utils import timezone

from cordtrack.isncsci import classify, parse_exam
from cordtrack.server.audit.chain import verify
from cordtrack.server.audit.models import AuditEntry
from cordtrack.server.exams.models import IsncsciExam
from cordtrack.server.followup.models import InstrumentResponse, Visit
from cordtrack.server.intake.models import Inquiry
from cordtrack.server.patients.models import Patient
from cordtrack.server.safety.models import AdverseEvent
from cordtrack.server.synthetic import BATCH_MODEL, generate
from cordtrack.server.synthetic.plan import COHORT_MIX, REGISTRY_MIX, plan_patient
from cordtrack.server.synthetic.recovery import exam_values
from cordtrack.server.therapy.models import Administration

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_mode(settings: Any) -> None:
    settings.DEMO_MODE = True


def test_a_patient_is_the_same_for_the_same_seed_whatever_else_is_generated() -> None:
    today = dt.date(2026, 6, 1)
    a = plan_patient(5, "NTH", 17, today, REGISTRY_MIX)
    b = plan_patient(5, "NTH", 17, today, REGISTRY_MIX)
    assert (a.stage, a.injury_date, a.level, a.grade) == (b.stage, b.injury_date, b.level, b.grade)
    assert exam_values(a.level, a.grade, 0, a.rng) == exam_values(b.level, b.grade, 0, b.rng)
    other = plan_patient(6, "NTH", 17, today, REGISTRY_MIX)
    assert (other.injury_date, other.level) != (a.injury_date, a.level) or other.stage != a.stage


def test_generation_is_refused_outside_demo_mode() -> None:
    with pytest.raises(ImproperlyConfigured, match="CORDTRACK_DEMO=1"):
        generate(5)
    assert not Patient.objects.exists()


def test_a_registry_of_every_stage_with_classified_exams_and_one_audit_entry_each(
    demo_mode: None,
) -> None:
    made = generate(150, ("NTH", "STH", "EST"), seed=3)
    today = timezone.localdate()

    assert made.patients == Patient.objects.count() == 150
    assert {p.site.code for p in Patient.objects.select_related("site")} == {"NTH", "STH", "EST"}
    assert Patient.objects.filter(site__code="NTH").count() == 50
    stages = set(Inquiry.objects.values_list("status", flat=True))
    assert stages >= {"new", "not_eligible", "in_followup", "completed"}
    # every exam is the engine's classification of its values (a sample, by the scalar engine)
    for exam in IsncsciExam.objects.order_by("pk")[:60]:
        assert exam.classification == classify(parse_exam(exam.values)).to_flat()
        assert exam.ais == exam.classification["asiaImpairmentScale"]
    assert not IsncsciExam.objects.filter(exam_date__gt=today).exists()
    assert not AdverseEvent.objects.filter(onset_date__gt=today).exists()
    # chain of identity: an autologous lot is given back to its own patient only
    for a in Administration.objects.select_related("lot"):
        assert a.lot.source == "allogeneic" or a.lot.source_patient_id == a.patient_id
        assert a.lot.manufactured_on <= a.administered_at.date() <= a.lot.expires_on
    treated = set(Administration.objects.values_list("patient_id", flat=True))
    assert Visit.objects.filter(patient_id__in=treated).exists()
    assert set(Visit.objects.values_list("patient_id", flat=True)) <= treated
    assert InstrumentResponse.objects.exclude(total=None).exists()
    # one audit entry per patient, one for the run; the chain verifies
    assert AuditEntry.objects.filter(model="patients.patient", action="create").count() == 150
    run = AuditEntry.objects.get(model=BATCH_MODEL)
    assert run.changes["patients"] == 150
    assert run.changes["seed"] == 3
    assert list(verify()) == []


def test_the_same_seed_for_the_same_sites_is_refused(demo_mode: None) -> None:
    generate(5, ("NTH",), seed=9)
    with pytest.raises(ValueError, match="already generated"):
        generate(5, ("NTH",), seed=9)
    generate(5, ("NTH",), seed=10)  # another seed continues the site's numbering
    assert sorted(Patient.objects.values_list("study_id", flat=True))[-1] == "NTH-0010"


def test_a_cohort_is_treated_and_followed_past_twelve_months(demo_mode: None) -> None:
    generate(60, ("NTH",), seed=4, cohort=True)
    statuses = set(Inquiry.objects.values_list("status", flat=True))
    assert statuses <= {"completed", "lost", "not_eligible"}
    twelve = Visit.objects.filter(code="m12", status__in=["done", "out_of_window"]).count()
    assert twelve >= 45
    plan = plan_patient(4, "NTH", 0, timezone.localdate(), COHORT_MIX)
    assert plan.administered_on is not None
    assert (timezone.localdate() - plan.administered_on).days >= 420


def test_bulk_rows_read_back_as_the_models_hold_them_and_later_saves_take_new_keys(
    demo_mode: None,
) -> None:
    from decimal import Decimal

    from cordtrack.server.audit.chain import snapshot
    from cordtrack.server.followup.models import Logistics
    from cordtrack.server.therapy.models import CellProductLot

    generate(40, ("NTH",), seed=11, cohort=True)
    admin = Administration.objects.select_related("lot", "patient").order_by("pk").first()
    assert admin is not None
    assert isinstance(admin.weight_kg, Decimal)
    assert admin.dose_per_kg == int(Decimal(admin.dose_total_cells) / admin.weight_kg)
    assert admin.vitals["before"]["sbp"] == 124  # JSON stored as an object, not a string
    assert admin.administered_at.tzinfo is not None
    assert admin.patient.created_at is not None  # auto_now_add filled as Django's insert does
    exam = IsncsciExam.objects.exclude(visit=None).select_related("visit").first()
    assert exam is not None
    assert exam.visit is not None
    assert exam.visit.patient_id == exam.patient_id
    assert exam.exam_date == exam.visit.done_on
    assert Logistics.objects.filter(visit__patient=admin.patient).exists()
    assert {e.relatedness for e in AdverseEvent.objects.all()} <= {"probable", "possible"}
    # every row is what a model instance saved through the ORM would hold (a round trip)
    for model in (Patient, Administration, AdverseEvent, Visit, InstrumentResponse, Inquiry):
        row = model.objects.order_by("pk").first()
        if row is not None:
            row.save()
            row.refresh_from_db()
            assert snapshot(row) == snapshot(model.objects.get(pk=row.pk))
    # the keys the generator used are behind the tables' own counters
    lot = CellProductLot.objects.create(
        site=admin.patient.site, lot_number="AFTER-1", manufacturer="x", cell_type="uc_msc",
        source="allogeneic", manufactured_on=today(), expires_on=today(), cell_count=1,
        viability_pct=Decimal("95.0"),
    )  # fmt: skip
    assert lot.pk > max(CellProductLot.objects.exclude(pk=lot.pk).values_list("pk", flat=True))
    generate(10, ("NTH",), seed=12)  # and a second run after ORM writes
    assert Patient.objects.count() == 50
    assert list(verify()) == []


def today() -> dt.date:
    return timezone.localdate()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="planner statistics of PostgreSQL")
def test_the_planner_statistics_count_the_generated_rows_at_once(demo_mode: None) -> None:
    # Without ANALYZE after the bulk load the planner keeps its empty-table estimate until
    # autovacuum runs, and plans the dashboard as if the registry were empty (ADR 0053).
    generate(40, ("NTH",), seed=4)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples FROM pg_class WHERE relname IN "
            "('patients_patient', 'exams_isncsciexam', 'followup_visit')"
        )
        estimates = dict(cursor.fetchall())
    assert estimates["patients_patient"] == 40
    assert estimates["exams_isncsciexam"] == IsncsciExam.objects.count() > 0
    assert estimates["followup_visit"] == Visit.objects.count() > 0
