"""Every read of patient data is audited: a walk over every route (Django's URL resolver: pages,
the django-ninja API, the admin) on the demo database.

Each route is classified below: how to open it and whether it shows a patient's data, or why it
shows none (or is a write only). A route added without a classification fails the walk. A route
that shows patient data must answer with one audit entry naming every patient it showed (their
study ids in the page, ``patient_id`` fields in the JSON, the record the URL names); a route
classified as showing none must not show a study id.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib import admin
from django.test import Client
from route_walk import route_names as walk_routes

from cordtrack.server.accounts.models import Site, User
from cordtrack.server.audit.models import AuditEntry
from cordtrack.server.exams.models import IsncsciExam
from cordtrack.server.followup.models import Visit
from cordtrack.server.intake.models import Document, EligibilityScreening
from cordtrack.server.monitoring.models import DataQuery, Target
from cordtrack.server.patients.models import Patient
from cordtrack.server.safety.models import AdverseEvent
from cordtrack.server.services import api_tokens, queries
from cordtrack.server.therapy.models import Administration, CellProductLot

from .test_api_helpers import ApiClient

WRITE = "a write (POST/PATCH): answers a redirect or the written record, audited as a change"


@dataclass
class Demo:
    staff: User  # data manager at North, is_staff: every page of North, the admin
    site_admin: User
    patient_user: User
    patient: Patient  # the North patient with the most records
    ids: dict[str, int]
    study_ids: dict[str, int]  # study id -> patient id


#: Routes that show no patient data, each with the reason (walked all the same, when a GET).
NO_PATIENT_DATA: dict[str, str] = {
    "home": "a redirect to the patient list or the portal",
    "healthz": "the health check: database, migrations and worker heartbeat, no records",
    "login": "the sign-in form",
    "logout": "POST only: signs out",
    "otp-verify": "the user's own second factor",
    "otp-setup": "the user's own second factor",
    "language": "the language picker",
    "site-members": "staff accounts and their roles",
    "site-member-revoke": WRITE,
    "patients:new": "an empty registration form",
    "document-upload": WRITE,
    "inquiry-status": WRITE,
    "exam-sign": WRITE,
    "ae-sign": WRITE,
    "ae-close": WRITE,
    "lot-release": WRITE,
    "jobs:list": "the user's own background jobs: kind, site, state, progress and row counts",
    "jobs:start-export": WRITE,
    "jobs:download": "the requester's own export file (a job id, none on the demo): every patient "
    "in it is audited as a download (services.exports.record_export) before a byte is sent; "
    "tests/server/test_jobs.py",
    "screening-confirm": WRITE,
    "patient-randomise": WRITE,
    "patient-unblind": WRITE,
    "randomisation-note": WRITE,
    "unblinding-detail": "the requester's own emergency unblinding (none in the demo; 404 to "
    "anyone else): its patient's read is audited by audit.reads like any record's; "
    "tests/server/test_unblinding.py",
    "logistics-arranged": WRITE,
    "exam-classify": "classifies the values posted to it; reads no record",
    "verify": WRITE,
    "query-new": WRITE,
    "portal-questionnaire": "a blank questionnaire for the patient user (answering is a write)",
    "lot-new": "an empty lot form",
    "reports:index": "links to the reports",
    "reports:claim": "aggregates: a claim checked against the cohort",
    "reports:evidence": "published evidence, no registry patient",
    "expect:page": "public: published natural-history figures and registry aggregates",
    "expect:pdf": "public: published natural-history figures and registry aggregates",
    "inquire": "public: an empty inquiry form (sending it is a write, answered with a reference)",
    "inquire-received": "public: the sender's own reference, from their session (no patient data)",
    "api-v1:openapi-json": "the API's schema",
    "api-v1:api-root": "the API's documentation page",
    "api-v1:site_reports": "aggregates per site",
    "api-v1:sdv_progress": "verification progress counts",
    "protocol-list": "protocols (shared by every site)",
    "protocol-new": "an empty protocol draft form",
    "protocol-detail": "a protocol's versions",
    "protocol-draft": "a protocol version's document to edit",
    "protocol-version": "a protocol version and its diff",
    "protocol-activate": WRITE,
    "api-v1:list_protocols": "protocols (shared by every site)",
    "api-v1:list_versions": "a protocol's versions",
    "api-v1:allocation_list": "the allocation list: arms and whether each row is taken, no patient",
    **dict.fromkeys(
        [
            "api-v1:create_patient",
            "api-v1:create_exam",
            "api-v1:update_exam",
            "api-v1:create_screening",
            "api-v1:create_lot",
            "api-v1:create_administration",
            "api-v1:create_adverse_event",
            "api-v1:complete_visit",
            "api-v1:create_instrument",
            "api-v1:create_medication",
            "api-v1:create_history",
            "api-v1:create_query",
            "api-v1:answer_query",
            "api-v1:close_query",
            "api-v1:reopen_query",
            "api-v1:create_verification",
            "api-v1:update_adverse_event",
            "api-v1:create_follow_up",
            "api-v1:sign_exam",
            "api-v1:sign_adverse_event",
            "api-v1:close_adverse_event",
            "api-v1:confirm_screening",
            "api-v1:release_lot",
            "api-v1:create_randomisation",
        ],
        WRITE,
    ),
    "consent:portal-sign": "the consent text and questions for the patient user (signing is a "
    "write)",
    "consent:portal-withdraw": "the withdrawal form for the patient user (withdrawing is a write)",
    "consent:portal-pdf": "the patient's own consent copy: its download is audited by "
    "services.documents.open_document; tests/server/test_consent_pages.py",
    "consent:reconsent": "the re-consent worklist, empty on the demo (every demo patient signed "
    "the current version); its rows are patients, audited by the read mechanism like every list",
    **dict.fromkeys(
        [
            "sponsor:index",
            "sponsor:cohort",
            "sponsor:cohort-pdf",
            "sponsor:safety",
            "sponsor:safety-pdf",
            "sponsor:export",
            "api-v1:sponsor_sites",
            "api-v1:sponsor_outcomes",
            "api-v1:sponsor_safety",
        ],
        "a sponsor's aggregates, no patient named (staff: 403); every sponsor access is audited: "
        "tests/server/test_sponsor_walk.py",
    ),
    "sponsor:export-zip": "a sponsor's de-identified dataset (staff: 403): every patient in it "
    "is audited as a download (services.exports.record_export) before it is built; "
    "tests/server/test_sponsor_export.py",
    "admin:index": "the list of models",
    "admin:app_list": "the list of an app's models",
    "admin:login": "the sign-in form",
    "admin:logout": "POST only: signs out",
    "admin:password_change": "the user's own password",
    "admin:password_change_done": "the user's own password",
    "admin:jsi18n": "translations for the admin's scripts",
    "admin:autocomplete": "not used (no autocomplete fields)",
    "admin:view_on_site": "a redirect to the record's page",
    "admin:otp_totp_totpdevice_config": "a second-factor device's key",
    "admin:otp_totp_totpdevice_qrcode": "a second-factor device's key",
    "admin:auth_user_password_change": "a user's password form",
}

Url = Callable[[Demo], str | None]
STAFF, PATIENT, SITE_ADMIN = "staff", "patient", "site_admin"


def _u(template: str, who: str = STAFF) -> tuple[Url, str]:
    return (lambda d: template.format(**d.ids)), who


#: Routes that show patient data: the URL of one on the demo, and who opens it.
PATIENT_DATA: dict[str, tuple[Url, str]] = {
    "patients:list": _u("/patients/"),
    "patients:detail": _u("/patients/{patient}/"),
    "patients:consent": _u("/patients/{patient}/consent/"),
    "patients:audit": _u("/patients/{patient}/audit/"),
    "patients:injury": _u("/patients/{patient}/injury/"),
    "patients:language": _u("/patients/{patient}/language/"),
    "patients:medications": _u("/patients/{patient}/medications/"),
    "document-detail": _u("/documents/{document}/"),
    "document-download": _u("/documents/{document}/download/"),
    "document-preview": _u("/documents/{document}/preview.png"),
    "screening-new": _u("/patients/{patient}/screening/new/"),
    "screening-detail": _u("/screenings/{screening}/"),
    "exam-new": _u("/patients/{patient}/exams/new/"),
    "exam-detail": _u("/exams/{exam}/"),
    "exam-edit": _u("/exams/{exam}/edit/"),
    "administration-detail": _u("/administrations/{administration}/"),
    "administration-new": _u("/patients/{patient}/administrations/new/"),
    "ae-new": _u("/patients/{patient}/adverse-events/new/"),
    "ae-detail": _u("/adverse-events/{ae}/"),
    "visit-detail": _u("/visits/{visit}/"),
    "travel-letter": _u("/visits/{visit}/travel-letter/"),  # a PDF: a download
    "schedule-new": _u("/patients/{patient}/visits/schedule/"),
    "instrument-new": _u("/visits/{visit}/instruments/pain_nrs/"),
    "dashboard": _u("/dashboard/"),
    "portal": _u("/portal/", PATIENT),
    "portal-reminders": _u("/portal/reminders/", PATIENT),  # own addresses, reminders sent
    "consent:portal": _u("/portal/consent/", PATIENT),  # own consents and their copies
    "consent:clinic-sign": _u("/patients/{patient}/consent/sign/"),
    "consent:withdraw": _u("/patients/{patient}/consent/withdraw/"),
    "patient-reminders": _u("/patients/{patient}/reminders/"),  # addresses, opt-outs, log
    "lot-list": _u("/lots/"),  # an autologous lot names its source patient
    "lot-detail": _u("/lots/{lot}/"),  # its source patient, the patients it was given to
    "reports:cohort": _u("/reports/cohort/"),  # lists the patients behind its figures
    "reports:cohort-pdf": _u("/reports/cohort.pdf"),
    "reports:safety": _u("/reports/safety/"),  # lists serious events by patient
    "reports:safety-pdf": _u("/reports/safety.pdf"),
    "api-v1:list_lots": _u("/api/v1/products"),
    "api-v1:get_lot": _u("/api/v1/products/{lot}"),
    "patient-progress": _u("/patients/{patient}/progress/"),
    "intake-board": _u("/intake/"),
    "visit-calendar": _u("/visits/"),
    "logistics-list": _u("/logistics/"),
    "exam-list": _u("/exams/?status=all"),
    "ae-list": _u("/adverse-events/?status=all"),
    "visit-list": _u("/visits/list/?status=all"),
    "query-list": _u("/queries/?status=all"),
    "patient-worklist": _u("/patients/worklist/"),
    "query-detail": _u("/queries/{query}/"),
    "reports:patient": _u("/reports/patients/{patient}/"),
    "reports:progress": _u("/reports/patients/{patient}/progress.pdf"),
    "api-v1:list_patients": _u("/api/v1/patients"),
    "api-v1:get_patient": _u("/api/v1/patients/{patient}"),
    "api-v1:list_exams": _u("/api/v1/exams"),
    "api-v1:get_exam": _u("/api/v1/exams/{exam}"),
    "api-v1:list_screenings": _u("/api/v1/screenings"),
    "api-v1:list_administrations": _u("/api/v1/administrations"),
    "api-v1:list_adverse_events": _u("/api/v1/adverse-events"),
    "api-v1:get_adverse_event": _u("/api/v1/adverse-events/{ae}"),
    "api-v1:list_visits": _u("/api/v1/visits"),
    "api-v1:get_visit": _u("/api/v1/visits/{visit}"),
    "api-v1:list_instruments": _u("/api/v1/instruments"),
    "api-v1:patient_report": _u("/api/v1/reports/patients/{patient}"),
    "api-v1:list_medications": _u("/api/v1/medications"),
    "api-v1:list_history": _u("/api/v1/medical-history"),
    "api-v1:list_queries": _u("/api/v1/queries"),
    "api-v1:get_query": _u("/api/v1/queries/{query}"),
    "api-v1:patient_bundle": _u("/api/v1/patients/{patient}/fhir"),
    "api-v1:bulk_export": _u("/api/v1/fhir/export"),
}

#: The records each URL key names (their patient is shown, whatever the body's format).
KNOWN = {
    "patient": Patient, "document": Document, "exam": IsncsciExam, "ae": AdverseEvent,
    "visit": Visit, "administration": Administration, "query": DataQuery,
    "screening": EligibilityScreening,
}  # fmt: skip

_ADMIN_VIEWS = ("changelist", "change", "history", "delete", "add")


def _admin_routes() -> dict[str, tuple[Url, str, type[Any], str]]:
    """``admin:<app>_<model>_<view>`` of every registered model: (url, who, model, view)."""
    routes = {}
    for model in admin.site._registry:
        meta = model._meta
        for view in _ADMIN_VIEWS:
            name = f"admin:{meta.app_label}_{meta.model_name}_{view}"
            base = f"/admin/{meta.app_label}/{meta.model_name}/"

            def url(
                d: Demo, model: type[Any] = model, view: str = view, base: str = base
            ) -> str | None:
                if view == "changelist":
                    return base
                if view == "add":
                    return base + "add/"
                pk = _first(model, d)
                return None if pk is None else f"{base}{pk}/{view}/"

            routes[name] = (url, STAFF, model, view)
    return routes


def _first(model: type[Any], d: Demo) -> int | None:
    """A North record of ``model`` (its patient's, where it has one)."""
    rows = model._base_manager.all()
    if hasattr(model, "PATIENT_PATH"):
        rows = rows.filter(**{model.PATIENT_PATH: d.patient.pk})
    elif hasattr(model, "SITE_PATH"):
        rows = rows.filter(**{model.SITE_PATH: d.patient.site_id})
    elif model is AuditEntry:
        rows = rows.filter(patient_id=d.patient.pk)
    found = rows.order_by("pk").first()
    return None if found is None else int(found.pk)


@pytest.fixture
def demo_db(db: None, settings: Any) -> Demo:
    from cordtrack.server import demo

    settings.DEMO_MODE = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    demo.load(cohort_per_site=0)
    return demo_records()


def demo_records() -> Demo:
    """The records the walk opens on the loaded demo (also walked at 375 px by
    tests/e2e/test_small_screens.py); the North data manager is made staff for the admin."""
    north = Site.objects.get(code="NTH")
    staff = User.objects.get(username="data_manager@nth")
    staff.is_staff = True
    staff.save()
    patient = max(north.patients.all(), key=lambda p: (p.exams.count(), p.documents.count()))
    exam = patient.exams.signed().order_by("pk").first()
    assert exam is not None
    monitor = User.objects.get(username="monitor@nth")
    query = queries.raise_query(
        monitor, Target.EXAM, exam.pk, "c5RightMotor", "Please confirm this grade."
    )
    lot = CellProductLot.objects.filter(site=north).exclude(source_patient=None).first()
    assert lot is not None
    screening = EligibilityScreening.objects.filter(patient__site=north).order_by("pk").first()
    assert screening is not None
    ids = {"patient": patient.pk, "exam": exam.pk, "query": query.pk, "lot": lot.pk,
           "screening": screening.pk}  # fmt: skip
    for key, model in KNOWN.items():
        pk = _first(model, Demo(staff, staff, staff, patient, {}, {}))
        assert pk is not None, f"the demo patient has no {model.__name__}"
        ids.setdefault(key, pk)
    return Demo(
        staff=staff,
        site_admin=User.objects.get(username="site_admin@nth"),
        patient_user=User.objects.get(username="patient@nth"),
        patient=patient,
        ids=ids,
        study_ids=dict(Patient.objects.values_list("study_id", "pk")),
    )


_STUDY_ID = re.compile(rb"\b[A-Z]{2,5}-\d{4,}\b")


def _json_patients(value: Any) -> Iterator[int]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key.endswith("patient_id") and isinstance(item, int):
                yield item
            else:
                yield from _json_patients(item)
    elif isinstance(value, list):
        for item in value:
            yield from _json_patients(item)


def shown(body: bytes, content_type: str, demo: Demo) -> set[int]:
    """The patients a response shows: their study ids, and ``patient_id`` in JSON."""
    found = {demo.study_ids[m.decode()] for m in _STUDY_ID.findall(body)
             if m.decode() in demo.study_ids}  # fmt: skip
    if content_type.startswith("application/json"):
        found.update(_json_patients(json.loads(body)))
    return found


def known(template_ids: dict[str, int], url: str) -> set[int]:
    """The patients of the records the URL names (a PDF's or an image's body is not searched)."""
    found = set()
    for key, model in KNOWN.items():
        pk = template_ids[key]
        if re.search(rf"/{pk}(/|$|\.|\?)", url) and _names(url, key):
            record = model._base_manager.get(pk=pk)
            path = getattr(model, "PATIENT_PATH", "id")
            found.add(int(model._base_manager.filter(pk=record.pk).values_list(path, flat=True)[0]))
    return found


_SEGMENTS = {
    "patient": "patients", "document": "documents", "exam": "exams", "ae": "adverse-events",
    "visit": "visits", "administration": "administrations", "query": "queries",
    "screening": "screenings",
}  # fmt: skip


def _names(url: str, key: str) -> bool:
    return f"/{_SEGMENTS[key]}/" in url


def audited_since(seq: int) -> set[int]:
    found: set[int] = set()
    for entry in AuditEntry.objects.filter(seq__gt=seq):
        if entry.patient_id is not None:
            found.add(int(entry.patient_id))
        found.update(int(p) for p in (entry.changes or {}).get("patients", []))
    return found


def _last_seq() -> int:
    last = AuditEntry.objects.order_by("-seq").first()
    return int(last.seq) if last else 0


def _body(response: Any) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return bytes(response.content)


def test_every_route_is_classified() -> None:
    admin_routes = _admin_routes()
    unclassified = [
        name for name in walk_routes()
        if name not in NO_PATIENT_DATA and name not in PATIENT_DATA and name not in admin_routes
    ]  # fmt: skip
    assert not unclassified, (
        "classify each new route in tests/server/test_read_audit.py: PATIENT_DATA (how to open "
        f"it) or NO_PATIENT_DATA (why it shows none): {unclassified}"
    )
    stale = [n for n in (*NO_PATIENT_DATA, *PATIENT_DATA) if n not in set(walk_routes())]
    assert not stale, f"classified routes that no longer exist: {stale}"


def test_every_route_that_shows_a_patient_audits_it(demo_db: Demo) -> None:
    d = demo_db
    clients = {STAFF: Client(), PATIENT: Client(), SITE_ADMIN: Client()}
    clients[STAFF].force_login(d.staff)
    clients[PATIENT].force_login(d.patient_user)
    clients[SITE_ADMIN].force_login(d.site_admin)
    _, secret = api_tokens.create_token(d.staff)
    bearer = {"Authorization": f"Bearer {secret}"}
    routes: dict[str, tuple[Url, str, bool | None, set[int]]] = {
        name: (url, who, True, set()) for name, (url, who) in PATIENT_DATA.items()
    }
    for name, (url, who, model, view) in _admin_routes().items():
        # A change or history page of a patient's record shows that patient's data.
        patient_scoped = hasattr(model, "PATIENT_PATH") and view in ("change", "history")
        routes[name] = (url, who, True if patient_scoped else None,
                        {d.patient.pk} if patient_scoped else set())  # fmt: skip
    problems = []
    for name, (url_of, who, shows, of_record) in sorted(routes.items()):
        url = url_of(d)
        if url is None:  # an admin model without a record to open in the demo
            continue
        before = _last_seq()
        headers = bearer if url.startswith("/api/") else {}
        client = Client() if url.startswith("/api/") else clients[who]
        response = client.get(url, headers=headers)
        body = _body(response)
        if response.status_code != 200:
            if shows:
                problems.append(f"{name} {url}: answered {response.status_code}, not 200")
            continue
        content_type = response.headers.get("Content-Type", "")
        seen = shown(body, content_type, d) | known(d.ids, url) | of_record
        audited = audited_since(before)
        searchable = content_type.startswith(("text/", "application/json"))
        if shows and not seen and (searchable or not audited):
            problems.append(f"{name} {url}: shows no patient the walk can recognise")
        missing = seen - audited
        if missing:
            problems.append(
                f"{name} {url}: showed patients {sorted(missing)} without an audit entry"
            )
        if no_entry_per_request(before) > 1:
            problems.append(f"{name} {url}: more than one read entry for one request")
    for name, reason in NO_PATIENT_DATA.items():
        if reason == WRITE or name.startswith("admin:") or "POST only" in reason:
            continue
        url = _plain_url(name, d)
        if url is None:
            continue
        who = {"site-members": SITE_ADMIN, "portal-questionnaire": PATIENT}.get(name, STAFF)
        client = clients[who]
        response = client.get(url, headers=bearer if url.startswith("/api/") else {})
        body = _body(response)
        leaked = shown(body, response.headers.get("Content-Type", ""), d) if body else set()
        if leaked:
            problems.append(f"{name} {url}: classified as showing no patient, shows {leaked}")
    assert not problems, "\n".join(problems)


def no_entry_per_request(seq: int) -> int:
    return AuditEntry.objects.filter(seq__gt=seq, reason__startswith="GET ").count()


_PLAIN = {
    "home": "/", "login": "/accounts/login/", "otp-verify": "/accounts/otp/",
    "otp-setup": "/accounts/otp/setup/", "language": "/language/",
    "site-members": "/sites/NTH/members/",
    "patients:new": "/patients/new/", "lot-list": "/lots/", "lot-new": "/lots/new/",
    "reports:index": "/reports/", "reports:claim": "/reports/claim/?claim=60-70%25",
    "portal-questionnaire": "/portal/questionnaires/pain_nrs/",
    "reports:evidence": "/reports/evidence/", "expect:page": "/expect/",
    "inquire": "/inquire/", "inquire-received": "/inquire/received/",
    "api-v1:site_reports": "/api/v1/reports/sites", "api-v1:sdv_progress": "/api/v1/sdv?site=NTH",
    "admin:index": "/admin/", "jobs:list": "/jobs/",
    "admin:app_list": "/admin/patients/",
}  # fmt: skip


def _plain_url(name: str, d: Demo) -> str | None:
    return _PLAIN.get(name)


def test_a_list_read_is_one_entry_naming_the_patients_it_returned(demo_db: Demo) -> None:
    client = ApiClient(demo_db.staff)
    before = _last_seq()

    page = client.get("/exams", limit=5).json()

    entries = list(AuditEntry.objects.filter(seq__gt=before))
    assert len(entries) == 1
    (entry,) = entries
    returned = sorted({item["patient_id"] for item in page["items"]})
    assert entry.changes["patients"] == returned
    assert (entry.action, entry.actor, entry.reason) == ("view", demo_db.staff, "GET /api/v1/exams")
    assert entry.patient_id is None if len(returned) > 1 else entry.patient_id == returned[0]


def test_a_refused_or_failed_read_and_an_anonymous_page_write_nothing(
    demo_db: Demo, client: Client
) -> None:
    south = Patient.objects.filter(site__code="STH").first()
    assert south is not None
    client.force_login(demo_db.staff)
    before = _last_seq()

    assert client.get(f"/patients/{south.pk}/").status_code == 404
    assert client.get("/patients/999999/").status_code == 404
    Client().get("/expect/")

    assert _last_seq() == before


def test_a_document_download_is_one_entry_the_services_own(demo_db: Demo, client: Client) -> None:
    client.force_login(demo_db.staff)
    before = _last_seq()

    response = client.get(f"/documents/{demo_db.ids['document']}/download/")
    b"".join(response.streaming_content)

    (entry,) = AuditEntry.objects.filter(seq__gt=before)
    assert (entry.action, entry.model) == ("download", "intake.document")


def test_a_patients_audit_page_lists_the_list_reads_that_named_them(
    client: Client, alice: User, dora: User, make_patient: Callable[..., Patient], north: Site
) -> None:
    from cordtrack.server.services import exams

    from .conftest import TODAY, normal_exam

    first, second, unread = make_patient(north), make_patient(north), make_patient(north)
    for patient in (first, second):
        exams.record_exam(alice, patient, normal_exam(), exam_date=TODAY)
    ApiClient(alice).get("/exams")
    (listed,) = AuditEntry.objects.filter(object_id="list")
    assert listed.changes["patients"] == [first.pk, second.pk]
    client.force_login(dora)

    page = client.get(f"/patients/{first.pk}/audit/?status=view").content.decode()
    other = client.get(f"/patients/{unread.pk}/audit/?status=view").content.decode()

    assert "GET /api/v1/exams" in page
    assert "GET /api/v1/exams" not in other
