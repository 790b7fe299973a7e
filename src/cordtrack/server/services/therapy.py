"""Cell product lots and administrations, with the chain-of-identity check."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from ..access import Cap, require
from ..accounts.models import Site
from ..consent import scopes
from ..patients.models import Patient
from ..signatures.models import Meaning
from ..therapy.models import Administration, CellProductLot, Source
from . import signatures
from .base import FieldErrors, create
from .consent import require_valid_consent
from .protocols import followed_version

VITAL_RANGES: dict[str, tuple[float, float]] = {
    "hr": (20, 250), "sbp": (50, 260), "dbp": (20, 160), "temp_c": (30, 43), "spo2": (50, 100),
}  # fmt: skip
VITAL_PHASES = ("before", "during", "after")
#: The latest expiry a lot may carry, in years after its manufacture. An expiry is the end of the
#: product's validated stability claim, and for cryopreserved cell products (the MSC, neural and
#: iPSC-derived products registered here) those claims come from real-time stability studies of
#: months to a few years; no cell product's label claims decades. Ten years is beyond any such
#: claim, so a later date is a typing error (2099, 2999) or a placeholder, and accepting it
#: would leave the lot "unexpired" for every administration check. A product with a longer
#: validated claim is a deliberate change of this number.
MAX_SHELF_LIFE_YEARS = 10


def latest_expiry(manufactured_on: dt.date) -> dt.date:
    """``MAX_SHELF_LIFE_YEARS`` after manufacture (29 February made on gives 28 February)."""
    year = manufactured_on.year + MAX_SHELF_LIFE_YEARS
    try:
        return manufactured_on.replace(year=year)
    except ValueError:
        return manufactured_on.replace(year=year, day=28)


def register_lot(
    actor: Any,
    site: Site,
    *,
    lot_number: str,
    manufacturer: str,
    cell_type: str,
    source: str,
    manufactured_on: dt.date,
    expires_on: dt.date,
    viability_pct: Decimal,
    cell_count: int,
    release_tests: list[dict[str, Any]],
    source_patient: Patient | None = None,
    donor_code: str = "",
) -> CellProductLot:
    """Record a manufactured lot. Autologous lots name their source patient (of this site);
    allogeneic lots a donor code."""
    require(actor, site, Cap.PRODUCTS)
    errors = FieldErrors()
    if source == Source.AUTOLOGOUS:
        if source_patient is None:
            errors.add("source_patient", "an autologous lot names the patient it was made from")
        elif source_patient.site_id != site.pk:
            errors.add("source_patient", "is not a patient of this site")
    elif source == Source.ALLOGENEIC:
        if not donor_code.strip():
            errors.add("donor_code", "an allogeneic lot names its donor")
        if source_patient is not None:
            errors.add("source_patient", "only autologous lots have a source patient")
    if manufactured_on > timezone.localdate():
        errors.add("manufactured_on", "cannot be in the future")
    if expires_on <= manufactured_on:
        errors.add("expires_on", "must be after the manufacturing date")
    elif expires_on > latest_expiry(manufactured_on):
        errors.add(
            "expires_on",
            f"is more than {MAX_SHELF_LIFE_YEARS} years after manufacture (at the latest "
            f"{latest_expiry(manufactured_on).isoformat()}): no cell product's stability "
            "claim is that long",
        )
    for i, test in enumerate(release_tests):
        if not isinstance(test, dict) or not str(test.get("test", "")).strip():
            errors.add("release_tests", f"test {i + 1} has no name")
        elif not isinstance(test.get("passed"), bool):
            errors.add("release_tests", f"test {test['test']!r} has no pass/fail result")
    errors.raise_if_any()
    with transaction.atomic():
        return create(
            actor,
            CellProductLot(
                site=site, lot_number=lot_number, manufacturer=manufacturer, cell_type=cell_type,
                source=source, source_patient=source_patient, donor_code=donor_code,
                manufactured_on=manufactured_on, expires_on=expires_on,
                viability_pct=viability_pct, cell_count=cell_count, release_tests=release_tests,
            ),
        )  # fmt: skip


def release_lot(
    actor: Any,
    lot: CellProductLot,
    *,
    password: str | signatures.Reauthentication,
    request: HttpRequest | None = None,
) -> CellProductLot:
    """Release a lot for use: an electronic signature meaning "approved" (the product role at
    the lot's site), once every release test passed (an administration still checks expiry
    against its own date). A later change of the lot invalidates the release; it is then
    released again."""
    require(actor, lot.site_id, Cap.PRODUCTS)
    errors = FieldErrors()
    if signatures.is_signed(lot, Meaning.APPROVED):
        errors.add("released_at", "this lot is already released")
    if not lot.tests_passed:
        errors.add("release_tests", "not every release test passed: the lot cannot be released")
    errors.raise_if_any()

    def release() -> None:
        lot.released_at, lot.released_by = timezone.now(), actor
        lot.save(update_fields=["released_at", "released_by"])

    signatures.sign(actor, password, lot, Meaning.APPROVED, request=request, apply=release)
    return lot


def _check_vitals(vitals: dict[str, Any], errors: FieldErrors) -> None:
    for phase in VITAL_PHASES:
        readings = vitals.get(phase)
        if not isinstance(readings, dict):
            errors.add(f"vitals_{phase}", "vital signs are required")
            continue
        for name, (low, high) in VITAL_RANGES.items():
            value = readings.get(name)
            if not isinstance(value, int | float) or not low <= value <= high:
                errors.add(f"vitals_{phase}", f"{name} must be a number from {low} to {high}")


def administer(
    actor: Any,
    patient: Patient,
    lot: CellProductLot,
    *,
    administered_at: dt.datetime,
    route: str,
    dose_total_cells: int,
    weight_kg: Decimal,
    vitals: dict[str, Any],
) -> Administration:
    """Record an administration. Refused when the chain of identity breaks (an autologous lot
    for another patient, a lot of another site), the lot is not released or expired, the patient
    has not consented, or the dose exceeds the lot."""
    require(actor, patient.site_id, Cap.CLINICAL)
    errors = FieldErrors()
    if lot.source == Source.AUTOLOGOUS and lot.source_patient_id != patient.pk:
        errors.add("lot", "chain of identity: this autologous lot belongs to another patient")
    if lot.site_id != patient.site_id:
        errors.add("lot", "this lot belongs to another site")
    if not lot.tests_passed:
        errors.add("lot", "this lot has not passed all release tests")
    elif lot.released_at is None:
        errors.add("lot", "this lot has not been released (a signed release)")
    elif not signatures.is_signed(lot, Meaning.APPROVED):
        errors.add("lot", "this lot changed after its release: it must be released again")
    if administered_at.date() > lot.expires_on:
        errors.add("lot", "this lot expired before the administration date")
    # A valid consent of the current version of the protocol followed, and no withdrawal from
    # treatment (services.consent, consent/scopes.py).
    scopes.require_allowed(patient, scopes.Action.TREATMENT, errors)
    if "patient" not in errors.errors:
        require_valid_consent(patient, followed_version(patient), errors)
    if dose_total_cells <= 0:
        errors.add("dose_total_cells", "must be positive")
    elif dose_total_cells > lot.cell_count:
        errors.add("dose_total_cells", "exceeds the cells in the lot")
    if not Decimal("10") <= weight_kg <= Decimal("300"):
        errors.add("weight_kg", "must be between 10 and 300 kg")
    _check_vitals(vitals, errors)
    errors.raise_if_any()
    per_kg = int(Decimal(dose_total_cells) / weight_kg)
    with transaction.atomic():
        return create(
            actor,
            Administration(
                patient=patient, lot=lot, administered_at=administered_at, route=route,
                dose_total_cells=dose_total_cells, weight_kg=weight_kg, dose_per_kg=per_kg,
                vitals=vitals, operator=actor, protocol=followed_version(patient),
            ),
        )  # fmt: skip
