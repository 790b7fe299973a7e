"""Demo data: sites North (NTH) and South (STH), a user per role per site, 60 journey patients
and a treated cohort.

The journey patients (30 per site, every stage of the journey) are made up and written through
the services, so they are validated and audited like real data. The cohort (``DEMO_COHORT_PER_SITE``
treated patients per site, default 400, followed past 12 months) comes from the synthetic
generator (:mod:`.synthetic`): recovery follows the natural-history figures with no treatment
effect, so the outcomes report shows readable rates and an observed/expected ratio near 1.
Loading twice changes nothing (sites, users and the protocol are looked up first; a site that
already has patients gets no more journeys; the cohort's run is recorded in the audit trail).
Refused unless ``CORDTRACK_DEMO=1``.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from functools import cache
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from cordtrack.clinical.instruments import INSTRUMENTS

from .accounts.models import Membership, Role, Site, User
from .consent import demo as consent_demo
from .demo_exams import CONVERSION, make_exam, severity_at
from .demo_files import synthetic_dicom, synthetic_pdf, upload
from .demo_reminders import add_contacts
from .demo_trial import WAITING_AT_NORTH, waiting_for_randomisation
from .followup.models import Visit
from .intake.models import TRANSITIONS, Inquiry, InquiryStatus, Protocol
from .intake.protocols import DEMO_RANDOMISED, DEMO_UNCONTROLLED
from .patients.models import Cause, ConsentStatus, Etiology, Patient
from .services import accounts as account_services
from .services import (
    ae_followup,
    documents,
    exams,
    followup,
    history,
    intake,
    patients,
    safety,
    signatures,
    therapy,
)

PASSWORD = "cordtrack-demo"
SITES = (("NTH", "North Spinal Cord Program"), ("STH", "South Spinal Cord Program"))
#: The language of each site's demo patient user and their record (issue 17 item 1).
DEMO_LANGUAGES = {"NTH": "en", "STH": "ar"}
S = InquiryStatus
#: Days from an adverse event's resolution to its closure by the site's monitor (a "reviewed"
#: signature, ``ae_followup.close_adverse_event``): the demo's older events are followed to
#: closure, the most recent ones wait open for review, as in a registry that follows them up.
REVIEW_DAYS = 7
#: Where each demo patient stands, per site (30 each).
STAGES = (
    [S.NEW] * 3 + [S.RECORDS_REQUESTED] * 3 + [S.RECORDS_RECEIVED] * 2 + [S.UNDER_REVIEW] * 3
    + [S.NOT_ELIGIBLE] * 3 + [S.ELIGIBLE] * 2 + [S.SCHEDULED] * 2 + [S.TREATED] * 2
    + [S.IN_FOLLOWUP] * 6 + [S.COMPLETED] * 2 + [S.WITHDRAWN] + [S.LOST]
)  # fmt: skip
PATH = (S.NEW, S.RECORDS_REQUESTED, S.RECORDS_RECEIVED, S.UNDER_REVIEW, S.ELIGIBLE, S.SCHEDULED,
        S.TREATED, S.IN_FOLLOWUP, S.COMPLETED)  # fmt: skip
LEVELS = ("C4", "C5", "C5", "C6", "C6", "C7", "T2", "T4", "T6", "T8", "T10", "T12")
CAUSES = (Cause.VEHICLE, Cause.FALL, Cause.FALL, Cause.SPORTS, Cause.VIOLENCE)
VITALS = {"hr": 78, "sbp": 124, "dbp": 78, "temp_c": 36.8, "spo2": 97}


def username(role: str, code: str) -> str:
    return f"{role}@{code.lower()}"


@cache
def _password_hash() -> str:
    """The demo password hashed once per process (Argon2 costs ~0.1 s a user; ten sites of the
    bulk generator have 70 users): demo users share a published password anyway."""
    return make_password(PASSWORD)


def _users(site: Site) -> dict[str, User]:
    users = {}
    for role in Role.values:
        if role == Role.SPONSOR:  # one sponsor of every site: sponsor@all (_sponsor)
            continue
        user, created = User.objects.get_or_create(username=username(role, site.code))
        if created:
            user.password = _password_hash()
            # Synthetic printed names, shown with the user's signatures.
            user.first_name, user.last_name = role.replace("_", " ").title(), site.name.split()[0]
            user.is_staff = role in (Role.DATA_MANAGER, Role.SITE_ADMIN, Role.MONITOR)
            user.save()
        Membership.objects.get_or_create(user=user, site=site, role=role)
        users[role] = user
    return users


SPONSOR = "sponsor@all"


def _sponsor() -> User:
    """``sponsor@all``: sponsors every site of the demo (one membership per site, ADR 0050)."""
    user, created = User.objects.get_or_create(username=SPONSOR)
    if created:
        user.password = _password_hash()
        user.first_name, user.last_name = "Sponsor", "Demo"
        user.save()
    for site in Site.objects.all():
        Membership.objects.get_or_create(user=user, site=site, role=Role.SPONSOR)
    return user


def _version(doc: dict[str, Any]) -> Protocol:
    protocol, _ = Protocol.objects.get_or_create(
        code=doc["code"],
        version=doc["version"],
        defaults={
            "title": doc["name"], "criteria": doc["criteria"], "schedule": doc["schedule"],
            "design": doc["design"], "arms": doc["arms"],
            "randomisation": doc.get("randomisation", {}), "instruments": doc["instruments"],
            "treatment_plan": doc["treatment_plan"], "status": "active",
            "activation_reason": "demo protocol", "activated_at": timezone.now(),
            "created_at": timezone.now(),
        },
    )  # fmt: skip
    return protocol


def _protocol() -> Protocol:
    """The uncontrolled demo protocol (the randomised one is made by :func:`load` beside it)."""
    return _version(DEMO_UNCONTROLLED)


class _SitePlan:
    """Creates one site's patients; ``rng`` makes the result the same on every run."""

    def __init__(self, site: Site, users: dict[str, User], protocol: Protocol) -> None:
        self.site, self.u, self.protocol = site, users, protocol
        self.rng = random.Random(f"cordtrack-demo-{site.code}")
        self.today = timezone.localdate()
        self.allogeneic = None
        # The demo clinician signs the demo's exams: one re-authentication for the series.
        self.signing = signatures.reauthenticate(users[Role.CLINICIAN], PASSWORD, None)
        self.releasing = signatures.reauthenticate(users[Role.COORDINATOR], PASSWORD, None)
        self.reviewing = signatures.reauthenticate(users[Role.MONITOR], PASSWORD, None)
        #: The site's first patient in follow-up, who gets the portal account (``load``).
        self.follow: Patient | None = None

    def run(self) -> list[Patient]:
        return [self.patient(n, stage) for n, stage in enumerate(STAGES)]

    def _advance(self, inquiry: Inquiry, target: str) -> None:
        closing = target in (S.WITHDRAWN, S.LOST, S.NOT_ELIGIBLE)
        last: dict[str, str] = {
            S.LOST: S.IN_FOLLOWUP, S.WITHDRAWN: S.UNDER_REVIEW, S.NOT_ELIGIBLE: S.UNDER_REVIEW,
        }  # fmt: skip
        stops = PATH[: PATH.index(last.get(target, target)) + 1]
        for status in stops[1:]:
            if status in TRANSITIONS[inquiry.status]:
                intake.advance_inquiry(self.u[Role.COORDINATOR], inquiry, status)
        if closing:
            reason = "" if target == S.NOT_ELIGIBLE else "demo: participant decision"
            intake.advance_inquiry(self.u[Role.COORDINATOR], inquiry, target, reason=reason)

    def patient(self, n: int, stage: str) -> Patient:
        rng, u = self.rng, self.u
        treated = stage in (S.TREATED, S.IN_FOLLOWUP, S.COMPLETED, S.LOST)
        anchor = self.today - dt.timedelta(days=rng.randint(3, 20) if stage == S.TREATED else
                                            rng.randint(200, 380) if stage == S.COMPLETED else
                                            rng.randint(40, 330))  # fmt: skip
        injury_date = (anchor if treated else self.today) - dt.timedelta(days=rng.randint(45, 300))
        received = min(self.today, injury_date + dt.timedelta(days=rng.randint(10, 30)))
        p = patients.register_patient(
            u[Role.COORDINATOR], self.site, year_of_birth=rng.randint(1960, 2004),
            sex=rng.choice("FMM"), received_on=received,
            source=rng.choice(["self", "physician", "physician"]),
        )  # fmt: skip
        if stage == S.IN_FOLLOWUP and self.follow is None:
            # Their language before anything is signed: the consent they sign in clinic is the
            # document in their language (patient@sth signs the Arabic one and gets its copy).
            self.follow = p
            patients.set_patient_language(u[Role.COORDINATOR], p, DEMO_LANGUAGES[self.site.code])
        # The demo protocol takes AIS A-C; screened-out patients are AIS D or fail another rule.
        baseline = rng.choice("AAABBCC") if stage != S.NOT_ELIGIBLE else rng.choice("AD")
        level = rng.choice(LEVELS)
        cause = rng.choice(CAUSES)
        patients.record_injury(
            u[Role.CLINICIAN], p, injury_date=injury_date, etiology=Etiology.TRAUMATIC,
            cause=cause, level=level, baseline_ais=baseline,
        )  # fmt: skip
        if rng.random() < 0.3:
            history.add_medical_history(
                u[Role.CLINICIAN], p, condition="Hypertension", icd10="I10",
                onset_date=injury_date - dt.timedelta(days=900),
            )  # fmt: skip
        anticoagulated = stage == S.NOT_ELIGIBLE and n % 2 == 0
        started = injury_date + dt.timedelta(days=3)
        if anticoagulated:
            history.add_medication(
                u[Role.CLINICIAN], p, name="Apixaban", dose="5 mg twice daily", route="oral",
                indication="Deep vein thrombosis", start_date=started,
            )  # fmt: skip
        history.add_medication(
            u[Role.CLINICIAN], p, name="Baclofen", dose="10 mg three times daily", route="oral",
            indication="Spasticity", start_date=started,
        )  # fmt: skip
        inquiry = p.inquiries.get()
        if stage not in (S.NEW, S.RECORDS_REQUESTED):
            self._documents(p, n)
            baseline_exam = exams.record_exam(
                u[Role.CLINICIAN], p, make_exam(level, severity_at(baseline, False, 0), rng),
                exam_date=min(self.today, injury_date + dt.timedelta(days=7)),
            )  # fmt: skip
            if stage not in (S.RECORDS_RECEIVED, S.UNDER_REVIEW):  # those still drafts
                exams.sign_exam(u[Role.CLINICIAN], baseline_exam, password=self.signing)
        if stage not in (S.NEW, S.RECORDS_REQUESTED, S.RECORDS_RECEIVED):
            patients.record_consent(
                u[Role.COORDINATOR], p, status=ConsentStatus.CONSENTED,
                consent_date=min(self.today, received + dt.timedelta(days=5)), version="2.1",
            )  # fmt: skip
            consent_demo.sign_in_clinic(u[Role.COORDINATOR], self.releasing, p, self.protocol.code)
        self._advance(inquiry, stage)
        if stage in (S.NOT_ELIGIBLE, S.ELIGIBLE, S.SCHEDULED) or treated:
            facts = {"medically_stable": True, "active_infection": False, "malignancy": False,
                     "pregnancy": False}  # fmt: skip
            if stage == S.NOT_ELIGIBLE and not anticoagulated:
                facts["active_infection"] = True
            screened_on = min(self.today, received + dt.timedelta(days=20))
            if treated:
                screened_on = min(screened_on, anchor - dt.timedelta(days=7))
            intake.screen_eligibility(
                u[Role.CLINICIAN], p, self.protocol, facts, screened_on=screened_on
            )
        if treated:
            self._treat(p, anchor, level, baseline)
        return p

    def _documents(self, p: Patient, n: int) -> None:
        coordinator = self.u[Role.COORDINATOR]
        pdf = synthetic_pdf(f"Synthetic discharge summary for {p.study_id}")
        documents.upload_document(coordinator, p, "medical_record", upload("discharge.pdf", pdf))
        if n % 4 == 0:  # some imaging arrives with identifiers left in the header
            dicom = synthetic_dicom("Synthetic^Person" if n % 8 == 0 else "")
            documents.upload_document(coordinator, p, "imaging", upload("mri.dcm", dicom))

    def _lot(self, p: Patient, anchor: dt.date) -> Any:
        lot = self._register_lot(p, anchor)
        # Released by the demo coordinator (a signature meaning "approved"), as before any use.
        therapy.release_lot(self.u[Role.COORDINATOR], lot, password=self.releasing)
        return lot

    def _register_lot(self, p: Patient, anchor: dt.date) -> Any:
        rng, coordinator = self.rng, self.u[Role.COORDINATOR]
        tests = ("sterility", "mycoplasma", "endotoxin", "identity (flow)")
        release = [{"test": t, "result": "pass", "passed": True} for t in tests]
        if rng.random() < 0.5:
            return therapy.register_lot(
                coordinator, self.site, lot_number=f"{self.site.code}-A{p.pk:04d}",
                manufacturer="Demo Cell Lab", cell_type="bm_msc", source="autologous",
                source_patient=p, manufactured_on=anchor - dt.timedelta(days=21),
                expires_on=anchor + dt.timedelta(days=30), viability_pct=Decimal("92.5"),
                cell_count=120_000_000, release_tests=release,
            )  # fmt: skip
        return therapy.register_lot(
            coordinator, self.site, lot_number=f"{self.site.code}-UC{p.pk:04d}",
            manufacturer="Demo Biobank", cell_type="uc_msc", source="allogeneic",
            donor_code=f"D-{rng.randint(100, 999)}", manufactured_on=anchor - dt.timedelta(days=60),
            expires_on=anchor + dt.timedelta(days=300), viability_pct=Decimal("95.1"),
            cell_count=200_000_000, release_tests=release,
        )  # fmt: skip

    def _treat(self, p: Patient, anchor: dt.date, level: str, baseline: str) -> None:
        rng, u = self.rng, self.u
        lot = self._lot(p, anchor)
        at = timezone.make_aware(dt.datetime.combine(anchor, dt.time(9, 30)))
        vitals = {phase: {**VITALS, "hr": VITALS["hr"] + rng.randint(-8, 12)}
                  for phase in ("before", "during", "after")}  # fmt: skip
        admin = therapy.administer(
            u[Role.CLINICIAN], p, lot, administered_at=at, route="intrathecal",
            dose_total_cells=100_000_000, weight_kg=Decimal(rng.randint(55, 95)), vitals=vitals,
        )  # fmt: skip
        if rng.random() < 0.5:
            headache = safety.report_adverse_event(
                u[Role.CLINICIAN], p, term="Post-lumbar-puncture headache", onset_date=anchor,
                resolution_date=anchor + dt.timedelta(days=3), ctcae_grade=1,
                relatedness="probable", expected=True, action="none", outcome="recovered",
                administration=admin,
            )  # fmt: skip
            self._review(headache, anchor + dt.timedelta(days=3))
        if rng.random() < 0.12:
            self._meningitis(p, anchor, admin)
        visits = followup.schedule_visits(u[Role.COORDINATOR], p, self.protocol, anchor)
        converts = rng.random() < CONVERSION[baseline]
        for visit in visits:
            self._visit(p, visit, anchor, level, baseline, converts)

    def _meningitis(self, p: Patient, anchor: dt.date, admin: Any) -> None:
        """A serious, unexpected, possibly related event (a SUSAR: 15-day report), reported in
        time and followed up to recovery as far as today allows."""
        clinician, onset = self.u[Role.CLINICIAN], anchor + dt.timedelta(days=2)
        if onset > self.today:
            return
        event = safety.report_adverse_event(
            clinician, p, term="Meningitis", onset_date=onset, ctcae_grade=3,
            hospitalisation=True, relatedness="possible", expected=False, action="none",
            outcome="recovering", administration=admin, awareness_date=onset,
            initial_report_date=min(self.today, onset + dt.timedelta(days=6)),
        )  # fmt: skip
        steps = (
            (5, "improving", "recovering", "Intravenous ceftriaxone and vancomycin"),
            (14, "resolved", "recovered", "Antibiotics completed"),
        )
        for days, status, outcome, treatment in steps:
            day = onset + dt.timedelta(days=days)
            if day <= self.today:
                ae_followup.add_follow_up(
                    clinician, event, date=day, status=status, outcome=outcome,
                    treatment=treatment,
                )  # fmt: skip
                if outcome == "recovered":
                    self._review(event, day)

    def _review(self, event: Any, resolved_on: dt.date) -> None:
        """The monitor closes an event ``REVIEW_DAYS`` after it resolved, if that is past."""
        if resolved_on + dt.timedelta(days=REVIEW_DAYS) <= self.today:
            ae_followup.close_adverse_event(self.u[Role.MONITOR], event, password=self.reviewing)

    def _visit(
        self, p: Patient, visit: Visit, anchor: dt.date, level: str, baseline: str, converts: bool
    ) -> None:
        rng, u = self.rng, self.u
        if visit.window_close >= self.today:
            self._upcoming_logistics(visit)
            return
        if rng.random() < 0.08:
            followup.refresh_visit_status(u[Role.COORDINATOR], visit, self.today)
            return
        if rng.random() < 0.9:  # most visits happen inside their window
            span = (visit.window_close - visit.window_open).days
            done = visit.window_open + dt.timedelta(days=rng.randint(0, span))
        else:
            done = visit.window_close + dt.timedelta(days=rng.randint(1, 10))
        done = min(self.today, max(anchor, done))
        followup.complete_visit(u[Role.COORDINATOR], visit, done)
        followup.record_logistics(
            u[Role.COORDINATOR], visit, travel_mode=rng.choice(["car", "adapted_van", "train"]),
            distance_km=rng.randint(5, 400), lodging_nights=rng.choice([0, 0, 1, 2]),
            mobility_aids=[rng.choice(["manual_wheelchair", "power_wheelchair"])],
            travel_arranged=True, lodging_arranged=True, mobility_aids_arranged=True,
        )  # fmt: skip
        if visit.target_day >= 30:
            months = visit.target_day / 30
            values = make_exam(level, severity_at(baseline, converts, months), rng)
            exam = exams.record_exam(u[Role.CLINICIAN], p, values, exam_date=done, visit=visit)
            exams.sign_exam(u[Role.CLINICIAN], exam, password=self.signing)
            frac = min(1.0, 0.2 + 0.1 * months + (0.3 if converts else 0))
            for code in ("scim_iii", "wisci_ii", "pain_nrs"):
                followup.record_instrument(
                    u[Role.CLINICIAN], p, code, _answers(code, frac, rng), recorded_on=done,
                    visit=visit,
                )  # fmt: skip

    def _upcoming_logistics(self, visit: Visit) -> None:
        """Logistics for most visits opening in the next 30 days, some arranged, some not (from
        the visit's id rather than the random stream, which the rest of the demo depends on)."""
        if visit.window_open > self.today + dt.timedelta(days=30):
            return
        kind = visit.pk % 4
        if kind == 3:  # not recorded yet
            return
        followup.record_logistics(
            self.u[Role.COORDINATOR], visit, travel_mode=("adapted_van", "car", "train")[kind],
            distance_km=40 + 60 * kind, lodging_nights=kind,
            mobility_aids=[("power_wheelchair", "manual_wheelchair", "walker")[kind]],
            travel_arranged=kind < 2, lodging_arranged=kind == 1, mobility_aids_arranged=kind == 0,
        )  # fmt: skip


def _answers(code: str, frac: float, rng: random.Random) -> dict[str, object]:
    """Answers placed at about ``frac`` of each item's range (higher = more independent)."""
    instrument = INSTRUMENTS[code][0]
    answers: dict[str, object] = {}
    for item in instrument.items:
        allowed = sorted(item.allowed, key=lambda a: (isinstance(a, str), a))
        jitter = rng.uniform(-0.1, 0.1)
        index = round(max(0.0, min(1.0, frac + jitter)) * (len(allowed) - 1))
        answers[item.key] = allowed[index]
    if code == "pain_nrs":  # pain falls as function improves
        key = instrument.items[0].key
        answers[key] = max(0, 7 - round(frac * 5))
    return answers


#: The seed of the demo cohort (its run key also says "cohort", so it never meets a registry run).
COHORT_SEED = 1


def load(cohort_per_site: int | None = None) -> dict[str, int]:
    """Create (or complete) the demo; returns counts. Raises unless demo mode is on.

    ``cohort_per_site``: treated cohort patients per site (default the setting
    ``DEMO_COHORT_PER_SITE``; 0 loads the journey patients only)."""
    from .demo_rct import load_randomised
    from .synthetic import already_generated, generate

    if not settings.DEMO_MODE:
        raise ImproperlyConfigured("demo data is only loaded with CORDTRACK_DEMO=1")
    protocol, randomised = _protocol(), _version(DEMO_RANDOMISED)
    created = 0
    for code, name in SITES:
        site, _ = Site.objects.get_or_create(code=code, defaults={"name": name})
        users = _users(site)
        consent_demo.publish(users[Role.DATA_MANAGER])  # English and Arabic (once)
        if site.patients.exists():
            continue
        with transaction.atomic():
            plan = _SitePlan(site, users, protocol)
            made = plan.run()
            created += len(made)
            follow = plan.follow
            if follow is None:
                raise RuntimeError(f"the demo plan of {code} has no patient in follow-up")
            patients.link_patient_user(users[Role.SITE_ADMIN], follow, users[Role.PATIENT])
            # patient@sth reads Arabic (the portal right to left), patient@nth English.
            account_services.set_preferred_language(
                users[Role.PATIENT], DEMO_LANGUAGES[code], reason="demo data"
            )
            add_contacts(users[Role.COORDINATOR], made)
            if code == "NTH":
                created += len(
                    waiting_for_randomisation(site, users, randomised, WAITING_AT_NORTH, PASSWORD)
                )
    per_site = settings.DEMO_COHORT_PER_SITE if cohort_per_site is None else cohort_per_site
    codes = [code for code, _ in SITES]
    if per_site and not already_generated(COHORT_SEED, codes, cohort=True):
        created += generate(per_site * len(codes), codes, COHORT_SEED, cohort=True).patients
    if per_site:  # with the cohort: the randomised trial at North (demo_rct.py)
        north = Site.objects.get(code="NTH")
        created += load_randomised(north, _users(north), randomised, PASSWORD)
    _sponsor()
    return {"patients_created": created, "patients": Patient.objects.count(),
            "users": User.objects.count()}  # fmt: skip
