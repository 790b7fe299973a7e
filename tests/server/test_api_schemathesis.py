"""Schemathesis against /api/v1/openapi.json, through the WSGI app: for every operation, generated
requests (valid and invalid) as a data manager of North, with a few records in the database,
never get a server error nor a response off the documented schema, status or content type; and
every request the document calls invalid (a JSON 0 for a boolean, a value off an enum, a missing
exam key) is refused."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis import checks
from schemathesis.core.parameters import ParameterLocation

from cordtrack.server.accounts.models import Site, User
from cordtrack.server.patients.models import Patient
from cordtrack.server.services import api_tokens, exams, followup

from .conftest import TODAY, complete_t6_exam


def _load() -> Any:
    # The document itself needs no database; pytest-django has set Django up by now.
    from cordtrack.server.wsgi import application

    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


schema = _load()

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.negative_data_rejection,
]


@pytest.fixture
def keep_connection() -> Iterator[None]:
    """As Django's test client does: no closing of the connection between requests, which would
    end the test's transaction (PostgreSQL)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def bearer(
    keep_connection: None,
    dora: User,
    make_patient: Callable[..., Patient],
    north: Site,
    protocol: Any,
) -> dict[str, str]:
    """A data manager's token, and a patient with an exam and visits to find."""
    patient = make_patient(north)
    exams.record_exam(dora, patient, complete_t6_exam(), exam_date=TODAY)
    followup.schedule_visits(dora, patient, protocol, TODAY - dt.timedelta(days=3))
    _, secret = api_tokens.create_token(dora)
    return {"Authorization": f"Bearer {secret}"}


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_openapi_document(case: Any, bearer: dict[str, str]) -> None:
    # A case whose headers schemathesis made invalid may be one without the Authorization it
    # requires: adding our token would make it valid again, so it goes without (and is refused).
    headers_negative = case.meta is not None and case.meta.is_negative_at(ParameterLocation.HEADER)
    case.call_and_validate(headers=None if headers_negative else bearer, checks=CHECKS)
