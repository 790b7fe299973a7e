"""A hand-worked synthetic cohort for the report tests (North site, AIS A at T6, day 7 exams).

=========  ===============  ==================  ==============================
patient    baseline exam    follow-up           status at 12 months (320-410 d)
=========  ===============  ==================  ==============================
R1         today - 420      AIS B at day 365    responder (pain 6 -> 3)
R2         today - 420      AIS B at day 365    responder
N1         today - 420      AIS A at day 365    non-responder
L1         today - 420      none                lost to follow-up
Y1         today - 100      none                not yet due
=========  ===============  ==================  ==============================
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.utils import timezone

from cordtrack.isncsci.types import DAP_KEY
from cordtrack.server.accounts.models import Site, User
from cordtrack.server.patients.models import Patient
from cordtrack.server.services import exams, followup, therapy
from cordtrack.server.services import patients as patient_services

from .conftest import TODAY, VITALS, complete_t6_exam, signing


def ais_b_exam() -> dict[str, str]:
    """Sensory incomplete below T6: deep anal pressure preserved, no motor below (AIS B)."""
    return {**complete_t6_exam(), DAP_KEY: "Yes"}


def treated_patient(
    make_patient: Callable[..., Patient],
    make_lot: Callable[..., Any],
    clinician: User,
    site: Site,
    baseline_ago: int,
    follow_up: dict[str, str] | None = None,
    pain: tuple[int, int] | None = None,
) -> Patient:
    patient = make_patient(site)
    base = TODAY - dt.timedelta(days=baseline_ago)
    patient_services.record_injury(
        clinician, patient, injury_date=base - dt.timedelta(days=7), etiology="traumatic",
        cause="fall", level="T6", baseline_ais="A",
    )  # fmt: skip
    exams.sign_exam(
        clinician,
        exams.record_exam(clinician, patient, complete_t6_exam(), exam_date=base),
        password=signing(clinician),
    )
    lot = make_lot(
        site, manufactured_on=base - dt.timedelta(days=30), expires_on=TODAY + dt.timedelta(days=9),
        suffix=str(patient.pk),
    )  # fmt: skip
    at = timezone.make_aware(dt.datetime.combine(base + dt.timedelta(days=1), dt.time(10)))
    therapy.administer(
        clinician, patient, lot, administered_at=at, route="intrathecal",
        dose_total_cells=10**7, weight_kg=Decimal(70), vitals=VITALS,
    )  # fmt: skip
    later = base + dt.timedelta(days=365)
    if follow_up is not None:
        exams.sign_exam(
            clinician,
            exams.record_exam(clinician, patient, follow_up, exam_date=later),
            password=signing(clinician),
        )
    if pain is not None:
        for day, score in zip((base, later), pain, strict=True):
            followup.record_instrument(
                clinician, patient, "pain_nrs", {"nrs_pain_intensity": score}, recorded_on=day
            )
    return patient


def build(
    make_patient: Callable[..., Patient], make_lot: Callable[..., Any], clinician: User, site: Site
) -> dict[str, Patient]:
    def make(*args: Any, **kw: Any) -> Patient:
        return treated_patient(make_patient, make_lot, clinician, site, *args, **kw)

    return {
        "R1": make(420, ais_b_exam(), pain=(6, 3)),
        "R2": make(420, ais_b_exam()),
        "N1": make(420, complete_t6_exam()),
        "L1": make(420),
        "Y1": make(100),
    }
