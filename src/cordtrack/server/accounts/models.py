"""Sites (programs), users and their roles at each site."""

from __future__ import annotations

from typing import ClassVar

from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models


class Role(models.TextChoices):
    CLINICIAN = "clinician", "Clinician"
    COORDINATOR = "coordinator", "Coordinator"
    DATA_MANAGER = "data_manager", "Data manager"
    # Reads, raises data queries, marks source verified, closes adverse events: not read-only.
    MONITOR = "monitor", "Monitor"
    SITE_ADMIN = "site_admin", "Site administrator"
    PATIENT = "patient", "Patient"
    # Holds the randomisation lists (issue 15, ADR 0033); reads no patient record.
    UNBLINDED = "unblinded", "Unblinded statistician"
    # Enters ISNCSCI exams and instruments, kept blind to arm, product and treatment-related
    # adverse events (issue 15 item 3; blinding.py, ADR 0040).
    ASSESSOR = "assessor", "Blinded outcome assessor"
    # Sees aggregates of the sites it sponsors and their de-identified export; no patient page,
    # no identifier (issue 15 item 5, ADR 0050).
    SPONSOR = "sponsor", "Sponsor"


class Site(models.Model):
    """A treatment program at one place. Its code prefixes the study ids of its patients."""

    code = models.CharField(
        max_length=5,
        unique=True,
        validators=[RegexValidator(r"^[A-Z]{2,5}$", "2 to 5 capital letters, e.g. NTH")],
    )
    name = models.CharField(max_length=100)
    next_patient_number = models.PositiveIntegerField(default=1)

    SITE_PATH: ClassVar[str] = "id"

    class Meta:
        ordering = ("code",)

    def __str__(self) -> str:
        return self.code


class User(AbstractUser):
    """A person who signs in. What they may do is decided by their :class:`Membership` rows."""

    # One of settings.LANGUAGES; blank follows the browser (issue 17 item 1).
    preferred_language = models.CharField(max_length=8, blank=True, default="")


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)

    SITE_PATH: ClassVar[str] = "site"

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=("user", "site", "role"), name="one_role_per_site"),
        )

    def __str__(self) -> str:
        return f"{self.user_id} {self.role}@{self.site_id}"
