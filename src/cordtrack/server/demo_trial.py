"""Demo patients of the randomised protocol: eligible, consented, waiting to be randomised.

Synthetic only. They are screened against ``CT-MSC-RCT`` (AIS A-C, C4-T12, 14 days to 2 years) and
left un-randomised so a coordinator can randomise them (page or ``POST /api/v1/randomisations``).
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from .accounts.models import Role, Site, User
from .consent import demo as consent_demo
from .intake.models import InquiryStatus, Protocol
from .patients.models import ConsentStatus, Etiology, Patient
from .services import intake, patients, signatures

#: How many wait at North (issue 15: at least five).
WAITING_AT_NORTH = 6
_LEVELS = ("C5", "C6", "T4", "T6", "T10", "T11")
_FIT = {"medically_stable": True, "active_infection": False, "malignancy": False,
        "pregnancy": False}  # fmt: skip


def waiting_for_randomisation(
    site: Site, users: dict[str, User], protocol: Protocol, count: int, password: str
) -> list[Patient]:
    """``count`` consented patients screened eligible against ``protocol`` (the clinician's
    decision confirmed with a signature; ``password`` is the demo password), not randomised."""
    rng = random.Random(f"cordtrack-demo-rct-{site.code}")
    today = timezone.localdate()
    coordinator, clinician = users[Role.COORDINATOR], users[Role.CLINICIAN]
    signing = signatures.reauthenticate(clinician, password, None)
    taking = signatures.reauthenticate(coordinator, password, None)  # consents, on the tablet
    made = []
    for n in range(count):
        injury = today - dt.timedelta(days=rng.randint(30, 200))
        received = injury + dt.timedelta(days=rng.randint(5, 20))
        p = patients.register_patient(
            coordinator, site, year_of_birth=rng.randint(1965, 2002), sex=rng.choice("FM"),
            received_on=received, source="physician",
        )  # fmt: skip
        patients.record_injury(
            clinician, p, injury_date=injury, etiology=Etiology.TRAUMATIC, cause="fall",
            level=_LEVELS[n % len(_LEVELS)], baseline_ais="ABC"[n % 3],
        )  # fmt: skip
        patients.record_consent(
            coordinator, p, status=ConsentStatus.CONSENTED,
            consent_date=min(today, received + dt.timedelta(days=3)), version="RCT-1.0",
        )  # fmt: skip
        consent_demo.sign_in_clinic(coordinator, taking, p, protocol.code)
        inquiry = p.inquiries.get()
        intake.advance_inquiry(coordinator, inquiry, InquiryStatus.UNDER_REVIEW)
        screening = intake.screen_eligibility(clinician, p, protocol, _FIT, screened_on=today)
        intake.confirm_eligibility(clinician, screening, decision="eligible", password=signing)
        intake.advance_inquiry(coordinator, inquiry, InquiryStatus.ELIGIBLE)
        made.append(p)
    return made
