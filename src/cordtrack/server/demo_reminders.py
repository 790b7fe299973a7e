"""Demo reminder contacts: synthetic addresses for the journey patients who have visits, so
that ``cordtrack reminders run`` on the demo sends e-mails (``var/mail/``) and text messages
(``var/sms/``) for the visits due soon. Addresses are ``example.org`` and numbers of the range
Ofcom reserves for drama (+44 7700 900xxx): never a real inbox or phone."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .patients.models import Patient
from .services import reminders


def add_contacts(coordinator: Any, patients: Iterable[Patient]) -> int:
    """Contact details for each patient with visits: every one has an e-mail, two in three a
    mobile number, and one in five has turned text messages off. Returns how many."""
    made = 0
    for n, patient in enumerate(p for p in patients if p.visits.exists()):
        # The address names no study id (an inbox's address is seen by more than the patient).
        reminders.set_contact(
            coordinator, patient, email=f"demo-patient-{patient.pk}@example.org",
            phone=f"+447700900{patient.pk % 1000:03d}" if n % 3 != 2 else "",
            email_opt_out=False, sms_opt_out=n % 5 == 4,
        )  # fmt: skip
        made += 1
    return made
