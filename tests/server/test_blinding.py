"""The blinded outcome assessor never sees the arm or the product (issue 15 item 3, ADR 0040).

A walk over EVERY named route of the URL map (pages, htmx fragments, the django-ninja API, PDFs
read as text with pypdfium2, the admin) as ``assessor@nth`` on the demo database, looking for what
would unblind: the arm names, the lot numbers and manufacturers, the cell types, the terms of
treatment-related adverse events and the administrations of the patient walked (a randomised
North patient in the MSC-IT arm, with a treatment-related event and a query on their
administration). A control shows that the same detector finds them when a clinician opens the same
pages, so a silent detector cannot pass the walk.

Every route is classified below: OPEN (opened by the assessor's fence,
``fences.ROUTE_FENCES[Role.ASSESSOR]``, with the URL to open and how) or closed (answers 403 to the
assessor, GET and POST alike). A route added without a classification fails
:func:`test_every_route_is_classified_for_the_blinded_assessor`: add it to ``CLOSED`` (the
default, nothing to do in the code) or, once it is safe, to ``OPEN`` here and to the assessor's
fence in ``fences.py``. Enumerating, opening and classifying routes is shared with the sponsor's
walk (``tests/support/route_walk.py``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from route_walk import any_url, api_methods, fence_classification_problems, named_routes, text_of

from cordtrack.server import blinding
from cordtrack.server.accounts.models import Role, Site, User
from cordtrack.server.fences import ROUTE_FENCES
from cordtrack.server.intake.models import Protocol, Randomisation
from cordtrack.server.monitoring.models import DataQuery, QueryMessage, SourceVerification, Target
from cordtrack.server.patients.models import Patient
from cordtrack.server.safety.models import AdverseEvent, AdverseEventFollowUp
from cordtrack.server.services import api_tokens, queries, safety
from cordtrack.server.therapy.models import Administration, CellProductLot, CellType


@dataclass
class World:
    assessor: User
    clinician: User
    patient: Patient  # randomised to MSC-IT, treated, with a treatment-related event
    ids: dict[str, int]
    forbidden: list[tuple[str, re.Pattern[str]]]  # (what, pattern)


Url = Callable[[World], str]


def _u(template: str, *, fragment: bool = False) -> tuple[Url, bool]:
    return (lambda w: template.format(**w.ids)), fragment


#: The routes open to a blinded assessor: the URL the walk opens, and whether the route also
#: answers an htmx fragment (opened both ways). Must equal what the assessor's fence opens.
OPEN: dict[str, tuple[Url, bool]] = {
    "home": _u("/"),
    "login": _u("/accounts/login/"),
    "logout": _u("/accounts/logout/"),  # POST only: the GET is refused (405)
    "otp-verify": _u("/accounts/otp/"),
    "otp-setup": _u("/accounts/otp/setup/"),
    "language": _u("/language/"),
    "expect:page": _u("/expect/"),
    "expect:pdf": _u("/expect/pdf?level=T6&ais=A&days=30"),
    "patients:list": _u("/patients/?q=NTH", fragment=True),
    "patients:detail": _u("/patients/{patient}/"),
    "exam-list": _u("/exams/?status=all", fragment=True),
    "exam-new": _u("/patients/{patient}/exams/new/"),
    "exam-detail": _u("/exams/{exam}/"),
    "exam-edit": _u("/exams/{exam}/edit/"),
    "exam-sign": _u("/exams/{exam}/sign/"),  # POST only
    "exam-classify": _u("/exams/classify/"),
    "visit-detail": _u("/visits/{visit}/"),
    "instrument-new": _u("/visits/{visit}/instruments/pain_nrs/"),
    "api-v1:openapi-json": _u("/api/v1/openapi.json"),
    "api-v1:list_patients": _u("/api/v1/patients"),
    "api-v1:get_patient": _u("/api/v1/patients/{patient}"),
    "api-v1:list_exams": _u("/api/v1/exams?patient_id={patient}"),
    "api-v1:get_exam": _u("/api/v1/exams/{exam}"),
    "api-v1:create_exam": _u("/api/v1/exams"),  # POST only
    "api-v1:update_exam": _u("/api/v1/exams/{exam}"),  # PATCH
    "api-v1:sign_exam": _u("/api/v1/exams/{exam}/sign"),  # POST only
    "api-v1:list_visits": _u("/api/v1/visits?patient_id={patient}"),
    "api-v1:get_visit": _u("/api/v1/visits/{visit}"),
    "api-v1:list_instruments": _u("/api/v1/instruments?patient_id={patient}"),
    "api-v1:create_instrument": _u("/api/v1/instruments"),  # POST only
}

#: Why a route is closed to the assessor, by prefix or name (every route not in OPEN is closed:
#: the walk checks that it answers 403). Listing a route here is the decision to keep it closed.
CLOSED_BY_PREFIX = {
    "admin:": "the Django admin: every model, the treatment records included",
    "api-v1:": "the API outside exams, visits and instruments: administrations, lots, adverse "
    "events, randomisations, the allocation list, queries, FHIR and exports",
    "reports:": "reports compare arms, list treatments and adverse events",
    "jobs:": "exports",
    "sponsor:": "the sponsor's aggregate pages compare arms (ADR 0050)",
    "consent:": "consent and withdrawal (the patient's own, or intake staff's): not assessment",
}
CLOSED: dict[str, str] = {
    "healthz": "the load balancer's probe (named, but no page of the registry)",
    **dict.fromkeys(
        [
            "lot-list",
            "lot-new",
            "lot-detail",
            "lot-release",
            "administration-detail",
            "administration-new",
        ],
        "the product and its administrations",
    ),
    **dict.fromkeys(
        ["ae-new", "ae-sign", "ae-close", "ae-detail", "ae-list"],
        "adverse events (the unrelated ones show on the patient page)",
    ),
    **dict.fromkeys(
        [
            "patient-randomise",
            "patient-unblind",
            "unblinding-detail",
            "randomisation-note",
            "screening-new",
            "screening-detail",
            "screening-confirm",
            "protocol-list",
            "protocol-new",
            "protocol-detail",
            "protocol-draft",
            "protocol-version",
            "protocol-activate",
        ],
        "randomisation and protocols (arms, treatment plans)",
    ),
    **dict.fromkeys(
        ["patients:audit", "query-list", "query-detail", "query-new", "verify"],
        "audit trail, data queries and source verification of every record",
    ),
    **dict.fromkeys(
        [
            "dashboard",
            "portal",
            "portal-questionnaire",
            "portal-reminders",
            "patient-progress",
            "intake-board",
            "visit-calendar",
            "logistics-list",
            "visit-list",
            "patient-worklist",
            "logistics-arranged",
            "travel-letter",
            "schedule-new",
            "patient-reminders",
        ],
        "worklists, dashboards and progress charts: treatments on them",
    ),
    **dict.fromkeys(
        [
            "patients:new",
            "patients:consent",
            "patients:injury",
            "patients:language",
            "patients:medications",
            "document-upload",
            "document-detail",
            "document-download",
            "document-preview",
            "inquiry-status",
            "inquire",
            "inquire-received",
            "site-members",
            "site-member-revoke",
        ],
        "intake, records and documents (discharge letters name the product); not assessment",
    ),
}


def test_every_route_is_classified_for_the_blinded_assessor() -> None:
    problems = fence_classification_problems(
        ROUTE_FENCES[Role.ASSESSOR], set(OPEN), CLOSED, CLOSED_BY_PREFIX
    )
    assert not problems, (
        "classify each new route in tests/server/test_blinding.py: CLOSED (the default: it "
        "answers 403 to a blinded assessor) or OPEN (and the assessor's fence in fences.py):\n"
        + "\n".join(problems)
    )


@pytest.fixture
def world(db: None, settings: Any) -> World:
    from cordtrack.server import demo

    settings.DEMO_MODE = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    demo.load(cohort_per_site=0)
    north = Site.objects.get(code="NTH")
    clinician = User.objects.get(username="clinician@nth")
    # The treated North journey patient with the most records, allocated to MSC-IT as the trial
    # does it (a row like the randomisation service writes; the 150-patient trial is not loaded
    # here to keep the walk quick).
    treated = Administration.objects.filter(patient__site=north).values_list("patient", flat=True)
    patient = max(Patient.objects.filter(pk__in=treated), key=lambda p: p.exams.count())
    trial = Protocol.objects.get(code="CT-MSC-RCT", status="active")
    screening = patient.screenings.order_by("pk").first()
    assert screening is not None
    Randomisation.objects.create(
        patient=patient, protocol=trial, protocol_code=trial.code, screening=screening,
        stratum="A|cervical", sequence=1, arm="MSC-IT", randomised_by=clinician,
        randomised_at=timezone.now(),
    )  # fmt: skip
    administration = Administration.objects.filter(patient=patient).order_by("pk").first()
    assert administration is not None
    event = safety.report_adverse_event(
        clinician, patient, term="Arachnoiditis after implantation", onset_date=dt.date.today(),
        ctcae_grade=2, relatedness="probable", expected=False, action="none",
        outcome="recovering", administration=administration,
    )  # fmt: skip
    monitor = User.objects.get(username="monitor@nth")
    queries.raise_query(
        monitor, Target.ADMINISTRATION, administration.pk, "dose_total_cells",
        "Please confirm the dose of lot against the worksheet.",
    )  # fmt: skip
    exam = patient.exams.order_by("pk").first()
    visit = patient.visits.order_by("pk").first()
    assert exam is not None
    assert visit is not None
    lots = CellProductLot.objects.filter(site=north)
    related = AdverseEvent.objects.filter(patient__site=north).filter(blinding.treatment_related())
    unrelated_terms = set(
        AdverseEvent.objects.filter(patient__site=north)
        .exclude(blinding.treatment_related())
        .values_list("term", flat=True)
    )
    forbidden: list[tuple[str, re.Pattern[str]]] = [
        ("an arm", re.compile(r"(?<![\w-])(MSC-IT|SHAM-IT)(?![\w-])")),
    ]
    for number, maker in lots.values_list("lot_number", "manufacturer"):
        forbidden.append((f"lot {number}", re.compile(rf"(?<![\w-]){re.escape(number)}(?![\w-])")))
        forbidden.append((f"manufacturer {maker}", re.compile(re.escape(maker))))
    for label in CellType.labels:
        if str(label) != "Other":
            forbidden.append((f"cell type {label}", re.compile(re.escape(str(label)))))
    for term in set(related.values_list("term", flat=True)) - unrelated_terms:
        forbidden.append((f"treatment-related event {term}", re.compile(re.escape(term))))
    for a in Administration.objects.filter(patient=patient):
        forbidden.append(
            (f"administered dose {a.dose_total_cells}",
             re.compile(rf"(?<!\d){a.dose_total_cells}(?!\d)"))
        )  # fmt: skip
    forbidden.append(("the query on the administration", re.compile("dose of lot")))
    assert event.pk
    return World(
        assessor=User.objects.get(username="assessor@nth"),
        clinician=clinician,
        patient=patient,
        ids={"patient": patient.pk, "exam": exam.pk, "visit": visit.pk},
        forbidden=forbidden,
    )


def leaks(text: str, world: World) -> list[str]:
    return [what for what, pattern in world.forbidden if pattern.search(text)]


def _open(client: Client, url: str, user: User, headers: dict[str, str]) -> Any:
    if url.startswith("/api/") and not url.endswith(("openapi.json", "/api/v1/")):
        _, secret = api_tokens.create_token(user)
        return client.get(url, headers={**headers, "Authorization": f"Bearer {secret}"})
    client.force_login(user)
    return client.get(url, headers=headers)


def test_the_assessor_sees_no_arm_product_or_treatment_on_any_open_route(world: World) -> None:
    client = Client()
    problems = []
    for name, (url_of, fragment) in sorted(OPEN.items()):
        url = url_of(world)
        for headers in ({}, {"HX-Request": "true"}) if fragment else ({},):
            response = _open(client, url, world.assessor, headers)
            if response.status_code not in (200, 302, 405):
                problems.append(f"{name} {url}: answered {response.status_code}")
            found = leaks(text_of(response), world)
            if found:
                problems.append(f"{name} {url} {headers}: shows {found}")
    assert not problems, "\n".join(problems)


def test_every_closed_route_answers_403_to_the_assessor(world: World) -> None:
    client = Client()
    client.force_login(world.assessor)
    _, secret = api_tokens.create_token(world.assessor)
    bearer = {"Authorization": f"Bearer {secret}"}
    problems = []
    methods_of = api_methods()
    for name, pattern in sorted(named_routes().items()):
        if name in OPEN:
            continue
        url = any_url(name, pattern, world.patient.pk)
        headers = bearer if url.startswith("/api/") else {}
        methods = methods_of.get(name, {"GET", "POST"})
        for method in sorted(methods):
            response = client.generic(method, url, headers=headers)
            if response.status_code != 403:
                problems.append(f"{name} {method} {url}: {response.status_code}")
            elif leaks(text_of(response), world):
                shown = leaks(text_of(response), world)
                problems.append(f"{name} {url}: the refusal shows {shown}")
    assert not problems, "\n".join(problems)


def test_the_detector_finds_arm_and_product_where_a_clinician_sees_them(world: World) -> None:
    """The control: the walk's detector is not blind itself."""
    client = Client()
    seen: set[str] = set()
    for url in (f"/patients/{world.patient.pk}/", "/lots/", "/adverse-events/?status=all",
                "/queries/?status=all"):  # fmt: skip
        response = _open(client, url, world.clinician, {})
        assert response.status_code == 200, url
        seen.update(what.split(" ")[0] for what in leaks(text_of(response), world))
    # The arm (randomisation card), a lot, a cell type, the event, the dose, the query's text.
    assert {"an", "lot", "cell", "treatment-related", "administered", "the"} <= seen


def test_treatment_rows_are_hidden_in_a_blinded_request(world: World) -> None:
    """The second fence: a page open to the assessor that grew a treatment table shows none."""
    patient = world.patient
    assert Administration.objects.filter(patient=patient).exists()
    with blinding.blinded():
        assert not Randomisation.objects.filter(patient=patient).exists()
        assert not patient.administrations.exists()
        assert not CellProductLot.objects.exists()
        assert not patient.adverse_events.filter(term__startswith="Arachnoiditis").exists()
        assert not AdverseEventFollowUp.objects.filter(
            event__term__startswith="Arachnoiditis"
        ).exists()
        assert not DataQuery.objects.filter(target=Target.ADMINISTRATION).exists()
        assert not QueryMessage.objects.filter(query__target=Target.ADMINISTRATION).exists()
        assert not SourceVerification.objects.filter(target=Target.ADMINISTRATION).exists()
        assert patient.exams.exists()  # what the assessor assesses stays
    assert patient.adverse_events.filter(term__startswith="Arachnoiditis").exists()
    assert DataQuery.objects.filter(target=Target.ADMINISTRATION).exists()
