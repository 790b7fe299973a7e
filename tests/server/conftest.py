"""The cast of the server tests: two sites, a user per role at each, a few patients.

North (NTH): alice the clinician, bob the coordinator, and one user per other role.
South (STH): charlie the clinician and the same other roles. Everything runs on the database
named by DATABASE_URL (SQLite in memory by default, PostgreSQL in CI as well).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from cordtrack.isncsci.types import (
    DAP_KEY,
    KEY_MUSCLE_LEVELS,
    SENSORY_LEVELS,
    VAC_KEY,
    Modality,
    Side,
    flat_key,
)
from cordtrack.server.accounts.models import Membership, Role, Site, User
from cordtrack.server.intake.protocols import DEMO_CRITERIA, DEMO_SCHEDULE
from cordtrack.server.patients.models import ConsentStatus, Patient
from cordtrack.server.services import patients as patient_services
from cordtrack.server.services import therapy
from cordtrack.server.services.signatures import Reauthentication

TODAY = dt.date.today()


def normal_exam(**overrides: str) -> dict[str, str]:
    """A fully normal exam (AIS E), with ``overrides`` applied."""
    exam = {VAC_KEY: "Yes", DAP_KEY: "Yes"}
    for side in Side:
        for level in SENSORY_LEVELS:
            exam[flat_key(level, side, Modality.TOUCH)] = "2"
            exam[flat_key(level, side, Modality.PRICK)] = "2"
        for muscle in KEY_MUSCLE_LEVELS:
            exam[flat_key(muscle, side, Modality.MOTOR)] = "5"
    exam.update(overrides)
    return exam


def complete_t6_exam() -> dict[str, str]:
    """Complete injury below T6 (AIS A): nothing below T6, no sacral sparing."""
    exam = normal_exam(**{VAC_KEY: "No", DAP_KEY: "No"})
    below = SENSORY_LEVELS[SENSORY_LEVELS.index("T6") + 1 :]
    for side in Side:
        for level in below:
            exam[flat_key(level, side, Modality.TOUCH)] = "0"
            exam[flat_key(level, side, Modality.PRICK)] = "0"
        for muscle in KEY_MUSCLE_LEVELS[5:]:
            exam[flat_key(muscle, side, Modality.MOTOR)] = "0"
    return exam


@pytest.fixture(autouse=True, scope="session")
def _flush_past_the_audit_triggers() -> Iterator[None]:
    """On PostgreSQL the audit tables refuse TRUNCATE (migration audit/0003), which is how Django
    empties the database after a transactional test: the test database is emptied as a superuser
    would do it, with triggers off for that statement only."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.execute_sql_flush

    def execute_sql_flush(self: DatabaseOperations, sql_list: list[str]) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")
        try:
            original(self, sql_list)
        finally:
            with self.connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = DEFAULT")

    DatabaseOperations.execute_sql_flush = execute_sql_flush  # type: ignore[method-assign]
    yield
    DatabaseOperations.execute_sql_flush = original  # type: ignore[method-assign]


@pytest.fixture
def north(db: None) -> Site:
    return Site.objects.create(code="NTH", name="North")


@pytest.fixture
def south(db: None) -> Site:
    return Site.objects.create(code="STH", name="South")


@pytest.fixture
def make_user(db: None) -> Callable[..., User]:
    def make(name: str, role: str, site: Site) -> User:
        user = User.objects.create(username=name)
        Membership.objects.create(user=user, site=site, role=role)
        return user

    return make


@pytest.fixture
def alice(make_user: Callable[..., User], north: Site) -> User:
    """Clinician at North."""
    return make_user("alice", Role.CLINICIAN, north)


@pytest.fixture
def bob(make_user: Callable[..., User], north: Site) -> User:
    """Coordinator at North."""
    return make_user("bob", Role.COORDINATOR, north)


@pytest.fixture
def charlie(make_user: Callable[..., User], south: Site) -> User:
    """Clinician at South."""
    return make_user("charlie", Role.CLINICIAN, south)


@pytest.fixture
def dora(make_user: Callable[..., User], north: Site) -> User:
    """Data manager at North."""
    return make_user("dora", Role.DATA_MANAGER, north)


@pytest.fixture
def make_patient(bob: User) -> Callable[..., Patient]:
    def make(site: Site, consented: bool = True, actor: User | None = None) -> Patient:
        coordinator = actor or bob
        if site.code != "NTH" and actor is None:
            coordinator = User.objects.create(
                username=f"coord-{site.code}-{Patient.objects.count()}"
            )
            Membership.objects.create(user=coordinator, site=site, role=Role.COORDINATOR)
        p = patient_services.register_patient(coordinator, site, year_of_birth=1980, sex="F")
        if consented:
            patient_services.record_consent(
                coordinator, p, status=ConsentStatus.CONSENTED,
                consent_date=TODAY - dt.timedelta(days=3), version="2.1",
            )  # fmt: skip
        return p

    return make


@pytest.fixture
def protocol(db: None) -> Any:
    from cordtrack.server.intake.models import Protocol

    return Protocol.objects.create(
        code="CT-TEST", version="1", title="Test protocol", criteria=DEMO_CRITERIA,
        schedule=DEMO_SCHEDULE,
    )  # fmt: skip


RELEASED = [{"test": "sterility", "result": "negative", "passed": True}]


@pytest.fixture
def make_lot(bob: User) -> Callable[..., Any]:
    def make(site: Site, source_patient: Patient | None = None, **kw: Any) -> Any:
        """A registered lot, released (signed) when its tests passed unless ``released=False``."""
        actor = kw.pop("actor", bob)
        release = kw.pop("released", True)
        values: dict[str, Any] = {
            "lot_number": f"L{Patient.objects.count()}-{kw.get('suffix', 'x')}",
            "manufacturer": "Lab",
            "cell_type": "bm_msc",
            "source": "autologous" if source_patient else "allogeneic",
            "source_patient": source_patient,
            "donor_code": "" if source_patient else "D-1",
            "manufactured_on": TODAY - dt.timedelta(days=20),
            "expires_on": TODAY + dt.timedelta(days=20),
            "viability_pct": Decimal("90"),
            "cell_count": 10**8,
            "release_tests": RELEASED,
        }
        kw.pop("suffix", None)
        values.update(kw)
        lot = therapy.register_lot(actor, site, **values)
        if release and lot.tests_passed:
            therapy.release_lot(actor, lot, password=signing(actor))
        return lot

    return make


VITALS = {p: {"hr": 80, "sbp": 120, "dbp": 80, "temp_c": 36.7, "spo2": 98}
          for p in ("before", "during", "after")}  # fmt: skip


def now() -> dt.datetime:
    return timezone.now()


def signing(user: User) -> Reauthentication:
    """Test set-up: ``user`` re-authenticated for a series of signings (21 CFR 11.200(a)(1)(i)),
    without hashing a password for every fixture. The signing tests use real passwords."""
    return Reauthentication(user.pk, timezone.now())
