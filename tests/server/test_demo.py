"""Demo data: refused outside demo mode; two sites, a user per role, 60 journey patients and a
treated cohort; idempotent."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, override_settings
from django.utils import timezone

from cordtrack.server.accounts.models import Role, Site, User
from cordtrack.server.audit.chain import verify
from cordtrack.server.consent.models import Consent
from cordtrack.server.demo import PASSWORD, REVIEW_DAYS
from cordtrack.server.demo_rct import PLANNED
from cordtrack.server.demo_trial import WAITING_AT_NORTH
from cordtrack.server.exams.models import IsncsciExam
from cordtrack.server.followup.models import Logistics
from cordtrack.server.intake.models import Inquiry, Protocol, Randomisation
from cordtrack.server.patients.models import Patient
from cordtrack.server.safety.models import AdverseEvent
from cordtrack.server.services import signatures


def test_load_demo_is_refused_unless_demo_mode_is_on(db: None) -> None:
    with pytest.raises(CommandError, match="CORDTRACK_DEMO=1"):
        call_command("load_demo")
    assert not Site.objects.exists()


COHORT = 40  # per site here; `make run` loads CORDTRACK_DEMO_COHORT (400) per site


@override_settings(DEMO_MODE=True, DEMO_COHORT_PER_SITE=COHORT)
def test_the_demo_covers_the_journey_and_every_demo_user_sees_only_their_site(db: None) -> None:
    call_command("load_demo")
    counts = (Patient.objects.count(), IsncsciExam.objects.count(), User.objects.count())
    call_command("load_demo")  # idempotent

    assert (Patient.objects.count(), IsncsciExam.objects.count(), User.objects.count()) == counts
    assert counts[0] == 60 + WAITING_AT_NORTH + 2 * COHORT + PLANNED  # the trial at North
    assert counts[2] == 17  # eight roles at two sites, and sponsor@all
    statuses = set(Inquiry.objects.values_list("status", flat=True))
    assert statuses >= {"new", "under_review", "not_eligible", "in_followup", "completed"}
    assert AdverseEvent.objects.exists()
    upcoming = Logistics.objects.filter(visit__status="scheduled")
    assert upcoming.filter(travel_arranged=True, lodging_arranged=True).exists()
    assert upcoming.filter(travel_arranged=False).exists()  # some still to arrange
    assert not Logistics.objects.exclude(visit__status="scheduled").filter(travel_arranged=False)
    assert IsncsciExam.objects.exclude(ais="").count() == IsncsciExam.objects.count()
    assert list(verify()) == []
    # patient@sth reads Arabic (account and record), patient@nth English (issue 17 item 1).
    for name, language in (("patient@sth", "ar"), ("patient@nth", "en")):
        account = User.objects.get(username=name)
        assert (account.preferred_language, account.patient_record.preferred_language) == (
            language, language,
        )  # fmt: skip
        # ... and signed the consent in clinic in that language: their copy is in it too.
        signed = Consent.objects.filter(patient=account.patient_record).latest("signed_at")
        assert signed.document.language == language
    waiting = Patient.objects.filter(
        site__code="NTH", consent_status="consented", screenings__decision="eligible",
        screenings__protocol__code="CT-MSC-RCT", randomisations__isnull=True,
    ).distinct()  # fmt: skip
    assert waiting.count() >= 5
    trial = Randomisation.objects.filter(patient__site__code="NTH", protocol_code="CT-MSC-RCT")
    assert {a: trial.filter(arm=a).count() >= 60 for a in ("MSC-IT", "SHAM-IT")} == {
        "MSC-IT": True, "SHAM-IT": True,
    }  # fmt: skip
    assert set(Protocol.objects.filter(status="active").values_list("code", "design")) == {
        ("CT-MSC-IT", "uncontrolled"), ("CT-MSC-RCT", "randomised"),
    }  # fmt: skip

    for site in Site.objects.all():
        other = Site.objects.exclude(pk=site.pk).get()
        for role in Role.values:
            if role == Role.SPONSOR:  # one sponsor of both sites, below
                continue
            client = Client()
            name = f"{role}@{site.code.lower()}"
            response = client.post("/accounts/login/", {"username": name, "password": PASSWORD})
            assert response.status_code == 302, name
            page = client.get("/patients/?page=1", follow=True).content.decode()
            assert f"{other.code}-" not in page, name
            if role == Role.PATIENT:  # sent to their portal, which names their record only
                assert 'href="/portal/reminders/"' in page  # in Arabic for patient@sth
                assert page.count(f"{site.code}-") == 1
            else:
                waiting = WAITING_AT_NORTH + PLANNED if site.code == "NTH" else 0
                assert f"{30 + waiting + COHORT} patients" in page, name
    sponsor = Client()
    response = sponsor.post("/accounts/login/", {"username": "sponsor@all", "password": PASSWORD})
    assert response.status_code == 302
    assert sponsor.get("/", follow=True).request["PATH_INFO"] == "/sponsor/"
    page = sponsor.get("/sponsor/").content.decode()
    assert "NTH (" in page
    assert "STH (" in page
    assert sponsor.get("/patients/").status_code == 403


@override_settings(DEMO_MODE=True, DEMO_COHORT_PER_SITE=0)
def test_the_demo_closes_events_a_week_after_they_resolved_and_leaves_later_ones_open(
    db: None,
) -> None:
    call_command("load_demo")
    today = timezone.localdate()
    events = list(AdverseEvent.objects.filter(patient__site__code__in=["NTH", "STH"]))
    closed = [e for e in events if e.closed_at is not None]
    waiting = [e for e in events if e.closed_at is None]
    assert closed
    assert waiting
    assert any(e.serious for e in closed)  # a serious one too, its initial report recorded
    for event in closed:
        # resolved a week or more before today, closed by the site's monitor with a signature
        # that still holds ("reviewed")
        resolved = event.resolution_date
        assert resolved is not None
        assert resolved + dt.timedelta(days=REVIEW_DAYS) <= today
        assert event.closed_by == User.objects.get(
            username=f"monitor@{event.patient.site.code.lower()}"
        )
        state = signatures.current(event, "reviewed")
        assert state is not None
        assert state.state == "valid"
    for event in waiting:  # not resolved, or resolved within the week
        resolved = event.resolution_date
        assert resolved is None or resolved + dt.timedelta(days=REVIEW_DAYS) > today
    assert list(verify()) == []
