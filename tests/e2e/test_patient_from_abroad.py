"""Issue 17's "Done when", in the browser: a coordinator withdraws a patient from further use of
their data; that patient leaves the research dataset (downloaded by the sponsor and read) and the
next reminder run sends them nothing, while the other patients due are reminded.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from .conftest import PASSWORD, login
from .screens import WALK_TIMEOUT_MS


def _dataset_rows(page: Any, tmp_path: Path, name: str) -> list[dict[str, str]]:
    """The sponsor downloads the de-identified research dataset (ZIP) and its patients.csv rows."""
    page.goto("/sponsor/export/")
    with page.expect_download(timeout=WALK_TIMEOUT_MS) as info:
        page.get_by_role("button", name="Download the dataset (ZIP)").click()
    saved = tmp_path / f"{name}.zip"
    info.value.save_as(saved)
    with zipfile.ZipFile(saved) as archive:
        text = archive.read("cordtrack-deidentified/patients.csv").decode("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


#: What a de-identified patient row says of a patient apart from their random research id and
#: their shifted dates (interop/deidentify.py): enough to tell which patient left the dataset.
FACTS = ("site", "sex", "age_at_injury", "etiology", "cause", "level", "baseline_ais")


def _facts(rows: list[dict[str, str]]) -> Counter[tuple[str, ...]]:
    return Counter(tuple(row.get(f, "") for f in FACTS) for row in rows)


def test_a_patient_withdrawn_from_data_use_leaves_the_research_dataset_and_the_reminders(
    page: Any, tmp_path: Path, settings: Any
) -> None:
    from cordtrack.server.interop import deidentify
    from cordtrack.server.patients.models import Patient
    from cordtrack.server.reminders.models import ContactPreference, ReminderLog
    from cordtrack.server.reminders.plan import due_reminders

    settings.REMINDER_OPENS_DAYS, settings.REMINDER_CLOSES_DAYS = [30, 7, 1], [7, 2]
    today = timezone.localdate()
    reachable = set(
        ContactPreference.objects.filter(email_opt_out=False)
        .exclude(email="")
        .values_list("patient_id", flat=True)
    )
    due = [
        d.patient for d in due_reminders(today)
        if d.patient.site.code == "STH" and d.patient.pk in reachable
        and not ReminderLog.objects.filter(cause=d.cause).exists()
    ]  # fmt: skip
    assert len({p.pk for p in due}) > 1, "South patients are due a reminder by e-mail, not sent"
    patient = due[0]  # would be reminded today, but for the withdrawal
    deidentify.export(Patient.objects.filter(pk=patient.pk), tmp_path / "one")
    with (tmp_path / "one" / "patients.csv").open(encoding="utf-8") as f:
        (own,) = _facts(list(csv.DictReader(f)))

    page.context.set_default_timeout(WALK_TIMEOUT_MS)  # building a dataset takes a while
    login(page, "sponsor@all")
    before = _dataset_rows(page, tmp_path, "before")
    page.get_by_role("button", name="Sign out").click()

    login(page, "coordinator@sth")
    page.goto(f"/patients/{patient.pk}/")
    page.get_by_role("link", name="record a withdrawal").click()
    page.get_by_label("Withdraw from further use of my data").check()
    page.get_by_label("Reason").fill("Participant asked, by telephone, to stop all data use")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign the withdrawal").click()
    expect(page.locator("[data-consent-state]")).to_contain_text(
        "withdrawn: withdraw from further data use"
    )
    page.get_by_role("button", name="Sign out").click()

    login(page, "sponsor@all")
    after = _dataset_rows(page, tmp_path, "after")
    assert len(after) == len(before) - 1
    assert _facts(before) - _facts(after) == Counter({own: 1})
    assert not _facts(after) - _facts(before)

    # `cordtrack reminders run --json`, in this process (the live server's database is the test
    # database, which a separate process could not open).
    out, started = io.StringIO(), timezone.now()
    call_command("reminders", "run", "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["sent"] > 0, "the others due are reminded"
    sent_to = set(
        ReminderLog.objects.filter(pk__in=[m["id"] for m in report["messages"]]).values_list(
            "patient_id", flat=True
        )
    )
    assert patient.pk not in sent_to
    assert not ReminderLog.objects.filter(patient=patient, created_at__gte=started).exists()
