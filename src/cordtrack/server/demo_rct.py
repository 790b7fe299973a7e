"""The randomised demo trial: ``CT-MSC-RCT`` at North with 60+ patients per arm and no effect.

Issue 15 item 6: the arm comparison must be readable, and honest. Patients are planned by the
synthetic generator (:mod:`.synthetic.plan`), written in bulk (:mod:`.synthetic.writer`) and
screened against the randomised protocol; every eligible one has the clinician's decision confirmed
and is then randomised **through the randomisation service**
(``services.randomisation.randomise_many``: the checks, the concealed stratified permuted-block
list of ADR 0033 and the signature of ``randomise``, in bulk) before any treatment is written. The
MSC-IT arm gets its cells (a lot and an administration); the SHAM-IT arm the sham procedure (visits
and the same follow-up, no product). Recovery and adverse events of **both arms are drawn from the
same natural-history model** (:mod:`.synthetic.recovery`), whatever the arm: there is no treatment
effect, so the report's differences between arms are chance, and their 95% intervals should contain
0 (about 19 times in 20).

Dates: each patient is randomised on the day of their screening exam (day 0 of the arm report) and
treated 0-2 days later (the service is given that past time; signatures and audit entries are dated
when the demo is loaded, like every synthetic record). A few patients lost to follow-up withdraw
their consent instead (signed withdrawals with a scope, through the consent service), so the flow
has both. The run is recorded in
the audit trail and never loaded twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Final

from django.db import transaction
from django.utils import timezone

from .accounts.models import Role, Site, User
from .audit.chain import Change, append_many
from .audit.models import AuditAction, AuditEntry
from .consent.models import Scope
from .intake.models import EligibilityScreening, Inquiry, InquiryStatus, Protocol
from .patients.models import Patient
from .services import consent as consent_service
from .services import randomisation, signatures
from .services.intake import clinical_protocol
from .synthetic import BATCH_MODEL
from .synthetic.plan import PatientPlan, plan_patient
from .synthetic.writer import Key, SiteContext, write_chunk

S = InquiryStatus
#: Patients planned at North: about 8% fail screening, the rest are randomised 1:1 (>= 60 each).
PLANNED: Final = 150
SEED: Final = 15
#: Stages: followed past 12 months, a few lost (some of whom withdraw), some still in follow-up.
MIX: Final = ((S.COMPLETED, 84), (S.LOST, 6), (S.IN_FOLLOWUP, 4), (S.NOT_ELIGIBLE, 6))
RUN_KEY: Final = f"seed {SEED} randomised CT-MSC-RCT NTH"
SHAM: Final = "SHAM-IT"


def already_loaded() -> bool:
    return AuditEntry.objects.filter(model=BATCH_MODEL, object_id=RUN_KEY).exists()


class _Allocator:
    """Randomises a written chunk through the service, in the order of their screening."""

    def __init__(self, users: dict[str, User], password: str) -> None:
        self.coordinator = users[Role.COORDINATOR]
        # The demo coordinator signs the series of randomisations (one re-authentication).
        self.signing = signatures.reauthenticate(self.coordinator, password, None)
        self.arms: dict[Key, str] = {}
        self.withdrawals: list[tuple[Patient, dt.date]] = []

    def __call__(
        self, plans: dict[Key, PatientPlan], written: dict[Key, Patient]
    ) -> Collection[Key]:
        due = sorted(
            (k for k, p in plans.items() if p.administered_on is not None),
            key=lambda k: (plans[k].screened_on, k),
        )
        # The clinician's confirmation of each proposal (ADR 0030; bulk, like the signed exams).
        EligibilityScreening.objects.filter(
            patient__in=[written[k] for k in due], decision="eligible"
        ).update(confirmed_decision="eligible")
        dated = {}
        for k in due:
            day = plans[k].screened_on
            if day is not None:  # randomised on the day of the screening exam, before treatment
                dated[written[k].pk] = dt.datetime.combine(day, dt.time(8, 0), tzinfo=dt.UTC)
        made, refused = randomisation.randomise_many(
            self.coordinator, [written[k] for k in due], password=self.signing, dated=dated
        )
        arm_of = {r.patient_id: r.arm for r in made}
        for key in due:
            p, patient = plans[key], written[key]
            if patient.pk in refused:
                # No stratum for an engine-recorded grade (e.g. a starred one): left eligible,
                # not randomised and not treated.
                p.stage, p.administered_on, p.visits = S.ELIGIBLE, None, []
                Inquiry.objects.filter(patient=patient).update(status=S.ELIGIBLE)
                continue
            self.arms[key] = arm_of[patient.pk]
            if p.stage == S.LOST and key[1] % 2 == 0:
                p.stage = S.WITHDRAWN  # withdrew consent rather than stopped coming
                Inquiry.objects.filter(patient=patient).update(status=S.WITHDRAWN)
                assert p.lost_after is not None
                assert p.administered_on is not None
                left = p.administered_on + dt.timedelta(days=p.lost_after + 10)
                self.withdrawals.append((patient, min(left, timezone.localdate())))
        return {k for k, arm in self.arms.items() if arm == SHAM}

    def withdraw(self) -> None:
        # Signed withdrawals with a scope (services.consent): most stop visits (the data
        # collected stays in use), every third withdraws from further data use as well.
        for n, (patient, _day) in enumerate(self.withdrawals):
            patient.refresh_from_db()
            scope = Scope.DATA_USE if n % 3 == 2 else Scope.VISITS
            consent_service.withdraw(
                self.coordinator, patient, scope=scope, reason="demo: participant withdrew",
                password=self.signing,
            )  # fmt: skip


def load_randomised(site: Site, users: dict[str, User], protocol: Protocol, password: str) -> int:
    """Plan, write and randomise the trial's patients at ``site``; returns how many were made.

    Refused (0) when already loaded; the caller has checked demo mode."""
    if already_loaded():
        return 0
    today = timezone.localdate()
    reason = f"synthetic randomised trial generated by the demo (seed {SEED})"
    allocator = _Allocator(users, password)
    with transaction.atomic():
        site = Site.objects.select_for_update().get(pk=site.pk)
        plans = [plan_patient(SEED, site.code, i, today, MIX) for i in range(PLANNED)]
        for p in plans:
            p.route = "intrathecal"  # the protocol's one route (the sham: a skin puncture)
        first = site.next_patient_number
        numbers = {(site.code, p.index): first + p.index for p in plans}
        site.next_patient_number = first + len(plans)
        site.save(update_fields=["next_patient_number"])
        ctx = SiteContext(site, users, protocol, clinical_protocol(protocol), SEED)
        counts = write_chunk(plans, {site.code: ctx}, numbers, today, reason, allocator)
        allocator.withdraw()
        arms = {arm: sum(1 for a in allocator.arms.values() if a == arm)
                for arm in protocol.arm_names}  # fmt: skip
        summary = {"protocol": protocol.code, "site": site.code, "as_of": today.isoformat(),
                   "randomised": arms, **dict(counts)}  # fmt: skip
        append_many(None, [Change(AuditAction.CREATE, BATCH_MODEL, RUN_KEY, summary, reason)])
    return len(plans)
