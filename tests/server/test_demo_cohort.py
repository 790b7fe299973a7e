"""The demo's treated cohort: readable rates and an observed/expected interval that covers 1.

This is issue 19's "done when": `cordtrack report outcomes --site NTH --format json` carries
observed, expected, O/E and its interval, per stratum; the PDF shows them; the demo's O/E
interval covers 1 (recovery follows natural history with no treatment effect)."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
from django.core.management import call_command
from django.test import Client, override_settings

from cordtrack.cli import main
from cordtrack.server.accounts.models import User
from cordtrack.server.demo import COHORT_SEED

pytestmark = pytest.mark.django_db(transaction=True)


@override_settings(DEMO_MODE=True)
def test_the_demo_cohort_report_carries_o_e_per_stratum_and_its_interval_covers_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], settings: Any
) -> None:
    call_command("load_demo", stdout=StringIO())  # the default cohort: 400 per site
    assert main(["report", "outcomes", "--site", "NTH", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)

    oe = report["observed_vs_expected"]
    assert report["patients_in_cohort"] >= 300
    assert oe["patients"] >= 250
    assert oe["observed"] > 0
    assert oe["expected"] > 0
    assert oe["ratio"] == pytest.approx(oe["observed"] / oe["expected"], abs=1e-3)
    assert oe["interval_95"]["low"] <= 1 <= oe["interval_95"]["high"]
    assert oe["widened_interval_95"]["low"] <= oe["interval_95"]["low"]
    assert oe["references"]
    assert all(r["url"].startswith("http") for r in oe["references"])
    assert oe["without_reference"]  # the later-treated patients are named, never dropped
    for key in ("baseline AIS", "level group", "phase"):
        strata = report["strata"][key]
        assert any(s["observed_vs_expected"]["ratio"] is not None for s in strata)
    motor = {m["measure"]: m for m in report["motor_change_vs_expected"]}
    assert motor["UEMS gain"]["patients"] > 0
    assert report["evidence_version"]
    # The demo trial (demo_rct.py) fills the arm report that README prints.
    command = ["report", "outcomes", "--site", "NTH", "--protocol", "CT-MSC-RCT"]
    assert main([*command, "--format", "json"]) == 0
    arms = json.loads(capsys.readouterr().out)
    assert [a["responders"]["due"] >= 50 for a in arms["per_arm"].values()] == [True, True]
    assert arms["comparison"]["responder_difference"] is not None
    assert arms["flow"]["eligible_not_randomised"] >= 5  # the patients waiting at North

    pdf_path = tmp_path / "cohort.pdf"
    assert (
        main(["report", "outcomes", "--site", "NTH", "--format", "pdf", "-o", str(pdf_path)]) == 0
    )
    document = pdfium.PdfDocument(str(pdf_path))
    text = "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    assert "Observed versus expected" in text
    assert f"{oe['ratio']:.2f}" in text

    client = Client()
    client.force_login(User.objects.get(username="monitor@nth"))
    page = client.get("/reports/cohort/?site=NTH").content.decode()
    assert "Observed versus expected" in page
    claim = client.get("/reports/claim/?site=NTH&claim=60-70%25").content.decode()
    assert "Observed versus expected in the same patients" in claim
    evidence = client.get("/reports/evidence/")
    assert evidence.status_code == 200
    assert "Kirshblum" in evidence.content.decode()
    assert COHORT_SEED == 1
