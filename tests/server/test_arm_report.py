"""The outcome report of a randomised protocol: per-arm figures, the difference between arms
with its interval, a CONSORT-style flow, safety per arm, as JSON and PDF, never "uncontrolled"."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
from django.test import Client

from cordtrack.cli import main
from cordtrack.outcomes.arm_comparison import change_difference, newcombe_difference
from cordtrack.outcomes.intervals import clopper_pearson_interval
from cordtrack.server.accounts.models import Membership, Site, User
from cordtrack.server.intake.models import Protocol, Randomisation
from cordtrack.server.intake.protocols import DEMO_RANDOMISED
from cordtrack.server.patients.models import Patient
from cordtrack.server.reports.templatetags.reports import points
from cordtrack.server.safety.models import AdverseEvent
from cordtrack.server.services import exams, intake, patients, randomisation, signatures
from cordtrack.server.services import therapy as therapy_services

from .conftest import TODAY, VITALS, complete_t6_exam, normal_exam

FIT = {"medically_stable": True, "active_infection": False, "malignancy": False,
       "pregnancy": False}  # fmt: skip
COMMAND = ["report", "outcomes", "--site", "NTH", "--protocol", "CT-MSC-RCT"]


@pytest.fixture
def trial(
    alice: User, bob: User, make_patient: Callable[..., Patient], north: Site
) -> dict[str, list[Randomisation]]:
    """Ten randomised T6 AIS A patients, randomised 415 days ago, assessed 370 days after
    baseline: every third one has recovered (a normal exam), the others are unchanged."""
    d = DEMO_RANDOMISED
    rct = Protocol.objects.create(
        code=d["code"], version="1", title=d["name"], criteria=d["criteria"],
        schedule=d["schedule"], arms=d["arms"], design="randomised",
        randomisation=d["randomisation"],
    )  # fmt: skip
    for user in (alice, bob):
        user.set_password("randomise-with-care-2026")
        user.save()
    signing = signatures.reauthenticate(alice, "randomise-with-care-2026", None)
    signing_bob = signatures.reauthenticate(bob, "randomise-with-care-2026", None)
    made: dict[str, list[Randomisation]] = {}
    for n in range(10):
        p = make_patient(north)
        patients.record_injury(
            alice, p, injury_date=TODAY - dt.timedelta(days=440), etiology="traumatic",
            cause="fall", level="T6", baseline_ais="A",
        )  # fmt: skip
        base = exams.record_exam(
            alice, p, complete_t6_exam(), exam_date=TODAY - dt.timedelta(days=420)
        )
        exams.sign_exam(alice, base, password=signing)
        screening = intake.screen_eligibility(alice, p, rct, FIT)
        intake.confirm_eligibility(alice, screening, decision="eligible", password=signing)
        r = randomisation.randomise(bob, p, password=signing_bob)
        later = normal_exam() if n % 3 == 0 else complete_t6_exam()
        follow_up = exams.record_exam(alice, p, later, exam_date=TODAY - dt.timedelta(days=50))
        exams.sign_exam(alice, follow_up, password=signing)
        made.setdefault(r.arm, []).append(r)
    # Randomised back then (the service stamps now; the report reads the date).
    Randomisation.objects.update(randomised_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=415))
    for n, r in enumerate(Randomisation.objects.order_by("pk")):
        after = TODAY - dt.timedelta(days=400)
        if n % 2 == 0:  # every other patient: an event after randomisation (serious for n % 4)
            _event(r.patient, alice, after, serious=n % 4 == 0)
        if n % 3 == 1:  # before randomisation, or present at baseline: never counted
            _event(r.patient, alice, TODAY - dt.timedelta(days=430))
            _event(r.patient, alice, after, baseline=True)
    return made


def _event(patient: Patient, user: User, onset: dt.date, **flags: bool) -> AdverseEvent:
    return AdverseEvent.objects.create(
        patient=patient, term="Headache", onset_date=onset, ctcae_grade=1,
        relatedness="unrelated", expected=True, action="none", outcome="recovered",
        reported_by=user, **flags,
    )  # fmt: skip


def _counted(made: dict[str, list[Randomisation]], arm: str, serious: bool) -> int:
    """Patients of ``arm`` with a counted event, from the fixture's own rule."""
    order = list(Randomisation.objects.order_by("pk").values_list("pk", flat=True))
    return sum(
        1 for r in made[arm]
        if order.index(r.pk) % 2 == 0 and (not serious or order.index(r.pk) % 4 == 0)
    )  # fmt: skip


def test_the_json_report_compares_arms_with_a_newcombe_interval_and_a_flow(
    trial: dict[str, list[Randomisation]], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*COMMAND, "--format", "json"]) == 0
    out = capsys.readouterr().out
    report = json.loads(out)
    assert "uncontrolled" not in out.lower()
    assert report["design"] == "randomised, concurrent control"
    assert list(report["per_arm"]) == ["MSC-IT", "SHAM-IT"]
    flow = report["flow"]
    assert (flow["screened"], flow["eligible"], flow["randomised"]) == (10, 10, 10)
    assert sum(f["randomised"] for f in flow["per_arm"].values()) == 10
    assert all(f["assessed"] == f["randomised"] for f in flow["per_arm"].values())
    assert all(f["treated"] == 0 for f in flow["per_arm"].values())  # no administration recorded
    msc, sham = (report["per_arm"][a]["responders"] for a in ("MSC-IT", "SHAM-IT"))
    assert msc["responders"] + sham["responders"] == 4  # patients 0, 3, 6, 9
    expected = newcombe_difference(msc["responders"], msc["due"], sham["responders"], sham["due"])
    assert report["comparison"]["responder_difference"] == pytest.approx(expected.to_dict())
    motor = report["comparison"]["motor_change_difference"]
    assert motor["adjusted_for_baseline"] is False  # every baseline is the same T6 AIS A exam
    # Recovered patients gain 50 motor points: the mean change difference is 50 x (share gap).
    share = msc["responders"] / msc["due"] - sham["responders"] / sham["due"]
    assert motor["difference"]["estimate"] == pytest.approx(50 * share)
    for arm in ("MSC-IT", "SHAM-IT"):
        for kind in ("any", "serious"):
            safety = report["per_arm"][arm]["safety"][kind]
            expected_rate = clopper_pearson_interval(
                _counted(trial, arm, kind == "serious"), len(trial[arm])
            )
            assert (safety["events"], safety["patients"]) == (
                expected_rate.events, expected_rate.total,
            )  # fmt: skip
            assert (safety["low"], safety["high"]) == pytest.approx(
                (expected_rate.low, expected_rate.high)
            )


def test_the_pdf_report_shows_the_flow_and_the_differences(
    trial: dict[str, list[Randomisation]], tmp_path: Path
) -> None:
    target = tmp_path / "arms.pdf"
    assert main([*COMMAND, "--format", "pdf", "-o", str(target)]) == 0
    document = pdfium.PdfDocument(target.read_bytes())
    text = " ".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    document.close()
    for words in ("Outcomes by arm", "Flow (CONSORT)", "MSC-IT", "SHAM-IT", "Newcombe",
                  "Randomised, concurrent control"):  # fmt: skip
        assert words in text
    assert "uncontrolled" not in text.lower()


def test_a_randomised_protocol_nobody_is_randomised_in_yet_reports_empty_arms(
    capsys: pytest.CaptureFixture[str], north: Site
) -> None:
    d = DEMO_RANDOMISED
    Protocol.objects.create(
        code=d["code"], version="1", title=d["name"], criteria=d["criteria"],
        schedule=d["schedule"], arms=d["arms"], design="randomised",
        randomisation=d["randomisation"],
    )  # fmt: skip
    assert main([*COMMAND, "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["flow"]["randomised"] == 0
    assert report["comparison"]["responder_difference"] is None
    assert "at least 2 patients per arm" in report["comparison"]["motor_change_note"]
    assert report["per_arm"]["SHAM-IT"]["safety"]["any"] is None  # nobody exposed: no rate


PAGE = "/reports/cohort/?protocol=CT-MSC-RCT&definition=ais1_12m"


def _pdf_text(content: bytes) -> str:
    document = pdfium.PdfDocument(content)
    text = " ".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    document.close()
    return text


def test_the_report_page_of_a_randomised_protocol_compares_the_arms(
    trial: dict[str, list[Randomisation]], alice: User, client: Client
) -> None:
    client.force_login(alice)
    page = client.get(PAGE).content.decode()
    assert "Outcomes by arm · CT-MSC-RCT" in page
    assert "uncontrolled" not in page.lower()
    # The figures the page prints are those of cordtrack.outcomes on the fixture's known data:
    # patients 0, 3, 6, 9 recovered (total motor 50 -> 100), the others stayed at 50.
    order = list(Randomisation.objects.order_by("pk").values_list("pk", flat=True))
    pairs = {arm: [(50, 100 if order.index(r.pk) % 3 == 0 else 50) for r in rows]
             for arm, rows in trial.items()}  # fmt: skip
    wins = {arm: sum(1 for _, f in rows if f == 100) for arm, rows in pairs.items()}
    sizes = {arm: len(rows) for arm, rows in pairs.items()}
    difference = newcombe_difference(
        wins["MSC-IT"], sizes["MSC-IT"], wins["SHAM-IT"], sizes["SHAM-IT"]
    )
    assert f"{points(difference.estimate)}</td>" in page
    assert f"{points(difference.low)} to {points(difference.high)}" in page
    change = change_difference(pairs["MSC-IT"], pairs["SHAM-IT"]).difference
    assert f"{change.low:.2f} to {change.high:.2f}" in page
    serious = clopper_pearson_interval(_counted(trial, "SHAM-IT", True), sizes["SHAM-IT"])
    assert f"{serious.events} of {serious.total}: " in page
    for words in ("Flow (CONSORT)", "Received the allocated intervention", "Withdrew",
                  "Eligible, not (yet) randomised", "Newcombe", "exact 95% CI"):  # fmt: skip
        assert words in page


def test_the_pdf_of_the_report_page_shows_the_arms_and_the_flow(
    trial: dict[str, list[Randomisation]], alice: User, client: Client
) -> None:
    client.force_login(alice)
    response = client.get(PAGE.replace("cohort/", "cohort.pdf"))
    assert response.status_code == 200
    text = _pdf_text(response.content)
    for words in ("Outcomes by arm", "Flow (CONSORT)", "MSC-IT", "SHAM-IT", "Withdrew"):
        assert words in text
    assert "uncontrolled" not in text.lower()


def test_a_blinded_assessor_sees_no_arm_on_the_report_page_or_pdf(
    trial: dict[str, list[Randomisation]], make_user: Callable[..., User], north: Site,
    client: Client,
) -> None:  # fmt: skip
    assessor = make_user("ada", "data_manager", north)  # a role that reads the site's reports
    Membership.objects.create(user=assessor, site=north, role="assessor")
    client.force_login(assessor)
    response = client.get(PAGE)
    page = response.content.decode()
    # Reports are closed to a blinded user by route (blinding.py, ADR 0040): the arm
    # comparison's own "shown to unblinded roles only" fence is the second line behind it.
    assert response.status_code == 403
    assert "MSC-IT" not in page
    assert "SHAM-IT" not in page
    assert client.get(PAGE.replace("cohort/", "cohort.pdf")).status_code == 403


def test_the_uncontrolled_cohort_report_leaves_randomised_patients_out(
    trial: dict[str, list[Randomisation]], alice: User, client: Client, make_lot: Any,
    north: Site,
) -> None:  # fmt: skip
    from cordtrack.server.reports import figures

    treated = trial["MSC-IT"][0].patient
    lot = make_lot(north, manufactured_on=TODAY - dt.timedelta(days=440),
                   expires_on=TODAY - dt.timedelta(days=380))  # fmt: skip
    therapy_services.administer(
        alice, treated, lot, administered_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=410),
        route="intrathecal", dose_total_cells=100_000_000, weight_kg=Decimal(70), vitals=VITALS,
    )  # fmt: skip
    cohort = figures.cohort_courses(figures.CohortFilters(("NTH",)))
    assert treated.study_id not in [c.patient_id for c in cohort.courses]
    client.force_login(alice)
    page = client.get("/reports/cohort/?definition=ais1_12m").content.decode()
    assert "uncontrolled" in page
    assert "choose that protocol to compare its arms" in page
