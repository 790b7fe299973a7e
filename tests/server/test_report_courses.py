"""The cohort report's columnar reader (``reports.courses``) gives exactly the courses of the
obvious per-patient adapters (kept here as the reference: every record of every patient loaded as
a model instance, ``adapters.timeline`` + ``adapters.course_of``), on the hand-worked cohort, the
demo registry and the bulk synthetic registry; and it reads in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cordtrack.outcomes import PatientCourse
from cordtrack.server.accounts.models import Site, User
from cordtrack.server.patients.models import Patient
from cordtrack.server.reports import adapters, courses, figures
from cordtrack.server.synthetic import generate

from .reports_cohort import build
from .test_report_batch import assert_both_engines_agree

pytestmark = pytest.mark.django_db


def slow_treated_courses(
    patients: Iterable[Patient], today: dt.date
) -> tuple[list[PatientCourse], list[str]]:
    """The reference: each patient's timeline from their prefetched records (the adapters' rules
    applied one patient at a time), as the cohort report read them before issue 16."""
    found: list[PatientCourse] = []
    without: list[str] = []
    for patient in patients:
        line = adapters.timeline(patient)
        if line.first_administration is None:
            continue
        course = adapters.course_of(line, today)
        if course is None:
            without.append(patient.study_id)
        else:
            found.append(course)
    return found, without


def both(sites: list[str], today: dt.date) -> tuple[Any, Any]:
    chosen = Patient.objects.filter(site__code__in=sites, randomisations__isnull=True)
    slow = slow_treated_courses(adapters.with_related(chosen), today)
    fast = courses.treated_courses(chosen, today)
    return slow, fast


def test_the_hand_worked_cohort_reads_the_same_both_ways(
    make_patient: Callable[..., Patient], make_lot: Callable[..., Any], alice: User, north: Site
) -> None:
    build(make_patient, make_lot, alice, north)
    today = dt.date.today()
    slow, fast = both(["NTH"], today)
    assert len(slow[0]) == 5
    assert fast == slow


def test_the_demo_registry_reads_the_same_both_ways_and_has_the_same_figures_by_both_engines(
    settings: Any,
) -> None:
    from cordtrack.server import demo

    settings.DEMO_MODE = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    demo.load()
    sites = list(Site.objects.values_list("code", flat=True))
    for today in (dt.date.today(), dt.date.today() + dt.timedelta(days=400)):
        slow, fast = both(sites, today)
        assert slow[0], "the demo has treated patients"
        assert fast == slow
        for site in sites:  # one site at a time, as the report is asked
            assert both([site], today)[1] == both([site], today)[0]
        # ... and both outcome engines give the same figures on them (ADR 0055)
        keys = tuple(figures.DEFINITIONS) if today == dt.date.today() else ("ais1_12m",)
        assert_both_engines_agree(sites, today, keys)


def test_a_synthetic_registry_reads_the_same_both_ways_in_a_fixed_number_of_queries(
    settings: Any,
) -> None:
    settings.DEMO_MODE = True
    generate(300, ("NTH", "STH"), seed=5)
    today = dt.date.today()
    slow, fast = both(["NTH", "STH"], today)
    assert len(slow[0]) > 20
    assert fast == slow
    with CaptureQueriesContext(connection) as small:
        courses.treated_courses(Patient.objects.filter(site__code="NTH"), today)
    with CaptureQueriesContext(connection) as large:
        courses.treated_courses(Patient.objects.filter(site__code__in=["NTH", "STH"]), today)
    assert len(small.captured_queries) == len(large.captured_queries) <= 8
