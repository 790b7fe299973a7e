"""Every write of the API answers a body it cannot read with a clear 4xx JSON error, for every
role, and changes nothing: a form-encoded body, a body that is not JSON, a JSON body that is not
an object.

The operations are read from the OpenAPI document, so an operation added later is covered
without a line here. Each is sent with the ids of records that exist at the user's site, so the
body is what is judged (a missing record would answer 404 before it).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from cordtrack.server.accounts.models import Membership, Role, Site, User
from cordtrack.server.audit.models import AuditEntry
from cordtrack.server.patients.models import Patient
from cordtrack.server.services import api_tokens
from cordtrack.server.services import exams as exam_services

from .conftest import TODAY, normal_exam

#: (what, Content-Type, body).
BAD_BODIES = [
    ("form-encoded", "application/x-www-form-urlencoded", b"patient_id=1&exam_date=2026-01-01"),
    ("multipart", "multipart/form-data; boundary=xyz", b"--xyz\r\n\r\n--xyz--\r\n"),
    ("plain text", "text/plain", b"patient 1"),
    ("JSON that does not parse", "application/json", b"{patient_id: 1,"),
    ("JSON that is not an object", "application/json", b"[1, 2]"),
    ("no body", "application/json", b""),
]


def writes() -> list[tuple[str, str]]:
    """(method, path template) of every POST, PUT and PATCH in the API's OpenAPI document."""
    from cordtrack.server.api.api import api

    schema = api.get_openapi_schema(path_prefix="/api/v1")
    found = [
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method in operations
        if method in ("post", "put", "patch")
    ]
    assert len(found) > 10, "the OpenAPI document lists the API's writes"
    return sorted(found)


WRITES = writes()


def _url(template: str, ids: dict[str, int]) -> str:
    """The path with each parameter filled with a record of the user's site (1 where none)."""
    return re.sub(r"\{(\w+)\}", lambda m: str(ids.get(m.group(1), 1)), template)


@pytest.fixture
def users(make_user: Callable[..., User], north: Site, south: Site) -> dict[str, User]:
    found = {role: make_user(f"user-{role}", role, north) for role in Role.values}
    Membership.objects.create(user=found[Role.SPONSOR], site=south, role=Role.SPONSOR)
    return found


@pytest.fixture
def ids(make_patient: Callable[..., Patient], north: Site, alice: User) -> dict[str, int]:
    patient = make_patient(north)
    exam = exam_services.record_exam(alice, patient, normal_exam(), exam_date=TODAY)
    return {"patient_id": patient.pk, "exam_id": exam.pk, "pk": exam.pk}


@pytest.mark.parametrize(("method", "template"), WRITES, ids=[f"{m} {p}" for m, p in WRITES])
def test_a_body_the_api_cannot_read_is_a_4xx_json_error_for_every_role(
    users: dict[str, User], ids: dict[str, int], method: str, template: str
) -> None:
    url = _url(template, ids)
    problems = []
    for role, user in users.items():
        _, secret = api_tokens.create_token(user)
        before = AuditEntry.objects.count()
        for what, content_type, body in BAD_BODIES:
            response = Client().generic(
                method, url, body, content_type=content_type,
                headers={"Authorization": f"Bearer {secret}"},
            )  # fmt: skip
            status = response.status_code
            answer = response.json() if "json" in response.get("Content-Type", "") else {}
            if not 400 <= status < 500 or not answer.get("detail"):
                problems.append(f"{role} {what}: {status} {response.content[:120]!r}")
        if AuditEntry.objects.count() != before:
            problems.append(f"{role}: a refused body wrote to the audit trail")
    assert not problems, f"{method} {url}:\n" + "\n".join(problems)


def test_a_form_encoded_write_says_the_body_must_be_json(
    users: dict[str, User], ids: dict[str, int]
) -> None:
    _, secret = api_tokens.create_token(users[Role.CLINICIAN])
    response = Client().post(
        "/api/v1/exams", {"patient_id": ids["patient_id"]},
        headers={"Authorization": f"Bearer {secret}"},
    )  # fmt: skip
    assert response.status_code == 415
    answer: dict[str, Any] = response.json()
    assert "application/json" in answer["detail"]
    assert answer["errors"][0]["field"] == "body"
