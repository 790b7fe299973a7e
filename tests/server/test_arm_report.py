"""The outcome report of a randomised protocol: per-arm figures, the difference between arms
with its interval, a CONSORT-style flow, safety per arm, as JSON and PDF, never "uncontrolled"."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from cordtrack.cli import main
from cordtrack.outcomes.arm_comparison import newcombe_difference
from cordtrack.server.accounts.models import Site, User
from cordtrack.server.intake.models import Protocol, Randomisation
from cordtrack.server.intake.protocols import DEMO_RANDOMISED
from cordtrack.server.patients.models import Patient
from cordtrack.server.services import exams, intake, patients, randomisation, signatures

from .conftest import TODAY, complete_t6_exam, normal_exam

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
    return made


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
    safety = report["per_arm"]["MSC-IT"]["safety"]["any"]
    assert (safety["events"], safety["method"]) == (0, "Clopper-Pearson exact")


def test_the_pdf_report_shows_the_flow_and_the_differences(
    trial: dict[str, list[Randomisation]], tmp_path: Path
) -> None:
    target = tmp_path / "arms.pdf"
    assert main([*COMMAND, "--format", "pdf", "-o", str(target)]) == 0
    document = pdfium.PdfDocument(target.read_bytes())
    text = " ".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    document.close()
    for words in ("Outcomes by arm", "Flow (CONSORT)", "MSC-IT", "SHAM-IT", "Newcombe",
                  "randomised, concurrent control"):  # fmt: skip
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
