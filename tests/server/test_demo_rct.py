"""The randomised demo trial (issue 15 item 6): 60+ patients per arm at North, randomised
through the concealed list, treated per arm, followed up, with no treatment effect."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings

from cordtrack.outcomes.randomisation import allocation_list
from cordtrack.server.accounts.models import Site
from cordtrack.server.audit.chain import verify
from cordtrack.server.demo import PASSWORD, _users, _version
from cordtrack.server.demo_rct import load_randomised
from cordtrack.server.intake.models import AllocationList, Protocol, Randomisation
from cordtrack.server.intake.protocols import DEMO_RANDOMISED
from cordtrack.server.patients.models import Patient
from cordtrack.server.reports.arms import arm_report
from cordtrack.server.reports.figures import definition_for
from cordtrack.server.safety.models import AdverseEvent
from cordtrack.server.services import signatures
from cordtrack.server.services.randomisation import design_of


@pytest.fixture
def trial(db: None) -> Protocol:
    with override_settings(DEMO_MODE=True):
        site, _ = Site.objects.get_or_create(code="NTH", defaults={"name": "North"})
        users = _users(site)
        protocol = _version(DEMO_RANDOMISED)
        # A fixed list seed, so this test sees the same allocations on every run (the demo's
        # own list is made by the service with a fresh secret seed).
        AllocationList.objects.create(
            protocol_code=protocol.code, seed=20261206, arms=protocol.arm_names,
            factors=protocol.randomisation["factors"],
            block_sizes=protocol.randomisation["block_sizes"], created_by=users["coordinator"],
            created_at=dt.datetime.now(dt.UTC),
        )  # fmt: skip
        assert load_randomised(site, users, protocol, PASSWORD) > 0
        assert load_randomised(site, users, protocol, PASSWORD) == 0  # never twice
    return protocol


def test_each_arm_has_sixty_patients_allocated_by_the_concealed_list(trial: Protocol) -> None:
    rows = list(Randomisation.objects.select_related("patient"))
    per_arm = {arm: sum(1 for r in rows if r.arm == arm) for arm in trial.arm_names}
    assert min(per_arm.values()) >= 60, per_arm
    lst = AllocationList.objects.get(protocol_code=trial.code)
    listed = allocation_list(design_of(lst, max(r.sequence for r in rows)))
    for r in rows:  # every allocation is its stratum's next row of the list, in order
        assert listed[r.stratum][r.sequence - 1].arm == r.arm
        assert r.patient.consent_status in ("consented", "withdrawn")
    strata = {r.stratum for r in rows}
    for stratum in strata:
        used = sorted(r.sequence for r in rows if r.stratum == stratum)
        assert used == list(range(1, len(used) + 1))
    assert list(verify()) == []
    for r in rows[:: len(rows) // 5]:  # signed by the demo coordinator, like any randomisation
        assert signatures.is_signed(r, "authored")


def test_the_cell_arm_is_treated_after_randomisation_and_the_sham_arm_gets_no_product(
    trial: Protocol,
) -> None:
    for r in Randomisation.objects.select_related("patient"):
        p: Patient = r.patient
        given = list(p.administrations.all())
        exams = list(p.exams.order_by("exam_date"))
        assert exams[0].exam_date == r.randomised_at.date()  # baseline on day 0
        assert p.visits.filter(protocol=trial).exists()
        if r.arm == "MSC-IT":
            assert len(given) == 1
            assert given[0].administered_at.date() >= r.randomised_at.date()
        else:
            assert given == []
            assert not AdverseEvent.objects.filter(patient=p, administration__isnull=False)


def test_the_report_of_the_demo_trial_finds_no_difference_beyond_chance(trial: Protocol) -> None:
    report = arm_report(["NTH"], trial.code, definition_for("ais1_12m", None))
    flow = report["flow"]
    assert flow["screened"] > flow["eligible"] >= flow["randomised"] >= 120
    for arm in trial.arm_names:
        assert report["per_arm"][arm]["responders"]["due"] >= 50
        assert flow["per_arm"][arm]["treated"] > 0
    assert sum(f["withdrawn"] for f in flow["per_arm"].values()) >= 1
    assert sum(f["lost"] for f in flow["per_arm"].values()) >= 1
    difference = report["comparison"]["responder_difference"]
    assert difference["low"] < 0 < difference["high"]
    motor = report["comparison"]["motor_change_difference"]["difference"]
    assert motor["low"] < 0 < motor["high"]
