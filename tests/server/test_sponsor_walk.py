"""The sponsor sees aggregates only: a walk over every named route (pages, the API, the admin) as
``sponsor@all`` on the demo database, like the read-audit walk.

Every route is classified: :data:`OPEN` (the sponsor's pages and the public ones, each with the
URL the walk opens) or refused (every other route: 403 to a GET and to a POST, with a session and,
for the API, with the sponsor's bearer token). A route added later is refused to sponsors until it
is opened by the sponsor's fence (``fences.ROUTE_FENCES[Role.SPONSOR]``) and listed here.
Enumerating and classifying the routes is shared with the assessor's walk
(``tests/support/route_walk.py``). Every body the sponsor is shown (HTML, JSON, PDF text) is
searched for identifiers: study ids (``NTH-0001``), the registry's own study ids, free text typed
about patients (adverse-event terms, conditions, medication names), contact details, and year of
birth; the control shows the same detector finds them on a clinician's pages.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from route_walk import fence_classification_problems, sample_urls, text_of

from cordtrack.server.accounts.models import Membership, Role, Site, User
from cordtrack.server.audit.models import AuditEntry
from cordtrack.server.consent.scopes import usable_for_research
from cordtrack.server.fences import ROUTE_FENCES
from cordtrack.server.patients.models import Comorbidity, Medication, Patient
from cordtrack.server.reminders.models import ContactPreference
from cordtrack.server.safety.models import AdverseEvent
from cordtrack.server.services import api_tokens

#: What the sponsor opens, with the answer expected (a redirect: signing in, home, logout).
OPEN: dict[str, tuple[str, int]] = {
    "sponsor:index": ("/sponsor/", 200),
    "sponsor:cohort": ("/sponsor/cohort/", 200),
    "sponsor:cohort-pdf": ("/sponsor/cohort.pdf", 200),
    "sponsor:safety": ("/sponsor/safety/", 200),
    "sponsor:safety-pdf": ("/sponsor/safety.pdf", 200),
    "sponsor:export": ("/sponsor/export/", 200),
    "sponsor:export-zip": ("/sponsor/export.zip", 200),
    "api-v1:sponsor_sites": ("/api/v1/sponsor/sites", 200),
    "api-v1:sponsor_outcomes": ("/api/v1/sponsor/outcomes", 200),
    "api-v1:sponsor_safety": ("/api/v1/sponsor/safety", 200),
    "home": ("/", 302),
    "login": ("/accounts/login/", 200),
    "logout": ("/accounts/logout/", 405),  # POST only
    "otp-setup": ("/accounts/otp/setup/", 200),
    "otp-verify": ("/accounts/otp/", 200),
    "healthz": ("/healthz", 200),
    "language": ("/language/", 200),
    "expect:page": ("/expect/", 200),
    "expect:pdf": ("/expect/pdf?level=T6&ais=A&days=30", 200),
    "api-v1:openapi-json": ("/api/v1/openapi.json", 200),
}
#: More URLs of open routes: the filters a sponsor uses (a randomised protocol: by arm).
MORE = (
    "/sponsor/cohort/?protocol=CT-MSC-RCT&definition=ais1_12m",
    "/sponsor/cohort/?definition=ais1_6m",
    "/sponsor/cohort.pdf?protocol=CT-MSC-RCT",
    "/sponsor/cohort/?site=NTH&definition=lems10_12m",
    "/sponsor/cohort/?site=STH&baseline_ais=A",
    "/sponsor/safety/?site=NTH",
    "/api/v1/sponsor/outcomes?protocol=CT-MSC-RCT",
    "/api/v1/sponsor/outcomes?site=STH&definition=lems10_12m",
    "/api/v1/sponsor/safety?site=STH",
    "/sponsor/export.zip?site=NTH&formats=csv&formats=sav&formats=dta",
)


@dataclass
class Identifiers:
    """What must never reach a sponsor, read from the database."""

    study_ids: set[str]
    free_text: set[str]

    def found_in(self, text: str, labels: bool = True) -> set[str]:
        """Study ids and free text in ``text``; with ``labels``, the names of identifying
        fields too (not searched in the API's schema, which names every field it has)."""
        found = set(re.findall(r"\b[A-Z]{2,5}-\d{4,}\b", text)) & self.study_ids
        found |= {t for t in self.free_text if t in text}
        if labels:
            found |= {m for m in ("year_of_birth", "Year of birth", "study_id") if m in text}
        return found


def identifiers() -> Identifiers:
    free = set(AdverseEvent.objects.values_list("term", flat=True))
    free |= set(Comorbidity.objects.values_list("condition", flat=True))
    free |= set(Medication.objects.values_list("name", flat=True))
    contacts = ContactPreference.objects.values_list("email", "phone")
    free |= {value for pair in contacts for value in pair if value}
    return Identifiers(set(Patient.objects.values_list("study_id", flat=True)),
                       {t for t in free if len(t) >= 5})  # fmt: skip


def _bearer(user: User) -> dict[str, str]:
    _, secret = api_tokens.create_token(user)
    return {"Authorization": f"Bearer {secret}"}


def test_the_open_routes_are_the_sponsor_pages_and_public_pages_only() -> None:
    problems = fence_classification_problems(ROUTE_FENCES[Role.SPONSOR], set(OPEN))
    assert not problems, (
        "a route open to sponsors (the sponsor's fence, fences.py) must be listed in OPEN with "
        "its URL, and only those:\n" + "\n".join(problems)
    )


@pytest.fixture
def sponsor(make_user: Callable[..., User], north: Site, south: Site) -> User:
    user = make_user("sponsor@all", Role.SPONSOR, north)
    Membership.objects.create(user=user, site=south, role=Role.SPONSOR)
    return user


def test_every_other_route_answers_403_to_the_sponsor_and_writes_nothing(sponsor: User) -> None:
    client = Client()
    client.force_login(sponsor)
    bearer = _bearer(sponsor)
    before = AuditEntry.objects.count()
    problems = []
    refused = 0
    for name, url in sample_urls():
        if name in OPEN:
            continue
        refused += 1
        for method in ("get", "post"):
            answer = getattr(client, method)(url).status_code
            if answer != 403:
                problems.append(f"{name} {method.upper()} {url}: {answer}")
        if url.startswith("/api/"):
            # With a token the API answers a method the path lacks with 405 before any check
            # (nothing runs); the method it has must be refused.
            answers = {
                getattr(Client(), m)(url, headers=bearer).status_code for m in ("get", "post")
            }
            if name == "api-v1:api-root":  # the docs page, turned off (docs_url=None): 404
                answers.discard(404)
                answers.add(403)
            if 403 not in answers or not answers <= {403, 405}:
                problems.append(f"{name} {url} (bearer): {sorted(answers)}")
    assert not problems, "\n".join(problems)
    assert refused > 150  # the walk reached the registry's routes (pages, API, admin)
    assert AuditEntry.objects.count() == before


def test_a_sponsor_of_one_site_sees_that_site_only_and_staff_no_sponsor_page(
    client: Client, make_user: Callable[..., User], north: Site, south: Site, alice: User
) -> None:
    one = make_user("sponsor-north", Role.SPONSOR, north)
    client.force_login(one)

    assert client.get("/").headers["Location"] == "/sponsor/"
    assert "STH" not in client.get("/sponsor/").content.decode()
    assert client.get("/sponsor/cohort/?site=STH").status_code == 404
    assert client.get("/sponsor/safety/?site=STH").status_code == 404
    assert client.get("/sponsor/cohort/?site=NTH").status_code == 200
    client.force_login(alice)  # a clinician: no sponsor membership
    assert client.get("/sponsor/").status_code == 403
    assert client.get("/sponsor/cohort/").status_code == 403


def _audited(url: str, sponsor: User, last: int) -> list[str]:
    """One aggregate entry by the sponsor; for the dataset, a download per patient in it."""
    entries = list(AuditEntry.objects.filter(seq__gt=last))
    if any(e.actor_id != sponsor.pk for e in entries):
        return [f"{url}: an entry not by the sponsor"]
    if "export.zip" in url:
        sites = re.findall(r"site=([A-Z]+)", url) or ["NTH", "STH"]
        leaving = usable_for_research(Patient.objects.filter(site__code__in=sites))
        named = {e.patient_id for e in entries if e.action == "download"}
        if named != set(leaving.values_list("pk", flat=True)):
            return [f"{url}: {len(named)} patients audited, {leaving.count()} in the dataset"]
        return []
    if len(entries) != 1:
        return [f"{url}: {len(entries)} audit entries, expected one"]
    if entries[0].changes.get("access") != "aggregate":
        return [f"{url}: the entry is not marked as an aggregate access"]
    return []


def test_on_the_demo_no_page_the_sponsor_opens_names_a_patient_and_each_is_audited(
    db: None, settings: Any
) -> None:
    from cordtrack.server import demo

    settings.DEMO_MODE = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    demo.load(cohort_per_site=3)
    ids = identifiers()
    sponsor = User.objects.get(username="sponsor@all")
    client = Client()
    client.force_login(sponsor)
    bearer = _bearer(sponsor)

    def get(url: str) -> Any:  # the API's operations with a token; its schema is public
        sponsors = url.startswith("/api/v1/sponsor/")
        return Client().get(url, headers=bearer) if sponsors else client.get(url)

    problems = []
    for name, (url, expected) in sorted(OPEN.items()):
        response = get(url)
        if response.status_code != expected:
            problems.append(f"{name} {url}: {response.status_code}, expected {expected}")
    for url in (*(u for u, code in OPEN.values() if code == 200), *MORE):
        last = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
        response = get(url)
        if response.status_code != 200:
            problems.append(f"{url}: {response.status_code}")
            continue
        leaked = ids.found_in(text_of(response), labels=not url.endswith("openapi.json"))
        if leaked:
            problems.append(f"{url}: shows {sorted(leaked)[:5]}")
        problems += _audited(url, sponsor, last)
    assert not problems, "\n".join(problems)

    # The figures are there: both sites, both arms, their difference and safety per arm.
    index = client.get("/sponsor/").content.decode()
    arms = client.get("/sponsor/cohort/?protocol=CT-MSC-RCT").content.decode()
    safety = client.get("/sponsor/safety/").content.decode()
    assert "NTH (" in index
    assert "STH (" in index
    assert "MSC-IT" in arms
    assert "SHAM-IT" in arms
    assert "Newcombe" in arms
    assert "exact 95% CI" in safety
    assert "MSC-IT" in safety

    # The control: the same detector, on a clinician's pages, finds what it looks for.
    clinician = User.objects.get(username="clinician@nth")
    client.force_login(clinician)
    patient = Patient.objects.filter(site__code="NTH", comorbidities__isnull=False).first()
    assert patient is not None
    cohort = ids.found_in(text_of(client.get("/reports/cohort/")))
    events = ids.found_in(text_of(client.get("/reports/safety/")))
    record = ids.found_in(text_of(client.get(f"/patients/{patient.pk}/")))
    listed = ids.found_in(text_of(Client().get("/api/v1/patients", headers=_bearer(clinician))))
    assert cohort & ids.study_ids
    assert events & ids.free_text  # an adverse event's term
    assert record & ids.study_ids
    assert record & ids.free_text
    assert "Year of birth" in record or "year_of_birth" in listed
    assert listed & ids.study_ids
