"""The cohort report's figures are the same by both outcome engines on real registries: the
column engine the report uses (``outcomes.batch``) and the reference engine that reads one patient
at a time (``outcomes.summary``), for every responder definition the report offers, on the
hand-worked cohort and a bulk synthetic registry (today and 400 days on, when more windows have
closed); the demo registry is checked where it is loaded once for the report's reader
(``test_report_courses.py``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from cordtrack.outcomes import batch, summary
from cordtrack.server.accounts.models import Site, User
from cordtrack.server.patients.models import Patient
from cordtrack.server.reports import figures
from cordtrack.server.synthetic import generate

from .reports_cohort import build

pytestmark = pytest.mark.django_db


def assert_both_engines_agree(
    sites: list[str], today: dt.date, keys: tuple[str, ...] = tuple(figures.DEFINITIONS)
) -> int:
    cohort = figures.cohort_courses(figures.CohortFilters(tuple(sites)), today)
    courses = list(cohort.courses)
    for key in keys:
        definition = figures.definition_for(key)
        assert batch.summarise(courses, definition) == summary.summarise(courses, definition), key
    return len(courses)


def test_the_hand_worked_cohort_has_the_same_figures_by_both_engines(
    make_patient: Callable[..., Patient], make_lot: Callable[..., Any], alice: User, north: Site
) -> None:
    build(make_patient, make_lot, alice, north)
    assert assert_both_engines_agree(["NTH"], dt.date.today()) == 5


def test_a_synthetic_registry_has_the_same_figures_by_both_engines(settings: Any) -> None:
    settings.DEMO_MODE = True
    generate(300, ("NTH", "STH"), seed=7)
    for today in (dt.date.today(), dt.date.today() + dt.timedelta(days=400)):
        assert assert_both_engines_agree(["NTH", "STH"], today) > 20
