"""Adverse events: CTCAE grade, ICH E2A seriousness, relatedness, expectedness, outcome."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cordtrack.clinical.safety import DEFAULT_SUSPECTED

from ..blinding import FollowUpsHiddenWhenBlinded, TreatmentEventsHiddenWhenBlinded
from ..patients.models import Patient
from ..therapy.models import Administration, CellProductLot


class Relatedness(models.TextChoices):
    UNRELATED = "unrelated", _("Not related")
    UNLIKELY = "unlikely", _("Unlikely")
    POSSIBLE = "possible", _("Possible")
    PROBABLE = "probable", _("Probable")
    DEFINITE = "definite", _("Definite")


class Action(models.TextChoices):
    NONE = "none", _("None")
    INTERRUPTED = "interrupted", _("Administration interrupted")
    WITHDRAWN = "withdrawn", _("Treatment withdrawn")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


class Outcome(models.TextChoices):
    RECOVERED = "recovered", _("Recovered/resolved")
    RECOVERING = "recovering", _("Recovering/resolving")
    NOT_RECOVERED = "not_recovered", _("Not recovered")
    SEQUELAE = "sequelae", _("Recovered with sequelae")
    FATAL = "fatal", _("Fatal")
    UNKNOWN = "unknown", _("Unknown")


class AEStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


#: Outcomes that end follow-up: an event with one of them (and its resolution date) may close.
FINAL_OUTCOMES = frozenset({"recovered", "sequelae", "fatal", "unknown"})


class FollowUpStatus(models.TextChoices):
    ONGOING = "ongoing", _("Ongoing")
    IMPROVING = "improving", _("Improving")
    WORSENING = "worsening", _("Worsening")
    RESOLVED = "resolved", _("Resolved")


#: ICH E2A seriousness criteria, as model field names.
SERIOUSNESS_FIELDS = (
    "death",
    "life_threatening",
    "hospitalisation",
    "disability",
    "congenital_anomaly",
    "important_medical_event",
)


class AdverseEvent(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="adverse_events")
    term = models.CharField(max_length=120)
    onset_date = models.DateField()
    resolution_date = models.DateField(null=True, blank=True)
    ctcae_grade = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    # ICH E2A seriousness criteria, named as ``cordtrack.clinical.safety.SeriousnessCriterion``.
    death = models.BooleanField(default=False)
    life_threatening = models.BooleanField(default=False)
    hospitalisation = models.BooleanField(default=False)
    disability = models.BooleanField(default=False)
    congenital_anomaly = models.BooleanField(default=False)
    important_medical_event = models.BooleanField(default=False)
    serious = models.BooleanField(default=False, db_index=True)
    # A condition present before treatment (onset before consent, or before the first
    # administration): recorded for completeness, never counted as treatment-emergent.
    baseline = models.BooleanField(default=False)
    relatedness = models.CharField(max_length=10, choices=Relatedness.choices)
    expected = models.BooleanField()
    action = models.CharField(max_length=15, choices=Action.choices)
    outcome = models.CharField(max_length=15, choices=Outcome.choices)
    administration = models.ForeignKey(
        Administration,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="adverse_events",
    )
    lot = models.ForeignKey(
        CellProductLot,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="adverse_events",
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    # The regulatory clock of a serious event runs from the site's first knowledge of it; the
    # initial report (to the sponsor, or the expedited SUSAR report) is dated when made.
    awareness_date = models.DateField(null=True, blank=True)
    initial_report_date = models.DateField(null=True, blank=True)
    # Closure: after follow-up to an outcome, a reviewer's signature (issue 13's signatures).
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    # Treatment-related events hidden in a blinded assessor's request (blinding.py, ADR 0040).
    objects = TreatmentEventsHiddenWhenBlinded["AdverseEvent"]()

    SITE_PATH: ClassVar[str] = "patient__site"
    PATIENT_PATH: ClassVar[str] = "patient"

    class Meta:
        ordering = ("patient", "onset_date")
        # The dashboard's open serious events, newest onset first (journey/dashboard.py): read
        # in this index's order and stopped at 20, not hashed against every patient of the site
        # and sorted (12 ms at 100,000 patients with 989 open serious events; ADR 0062).
        indexes = (
            models.Index(
                models.F("onset_date").desc(),
                condition=models.Q(serious=True, closed_at__isnull=True),
                name="ae_serious_open_recency",
            ),
        )

    def __str__(self) -> str:
        return f"AE {self.pk} grade {self.ctcae_grade}"

    @property
    def locked(self) -> bool:
        return self.signed_at is not None

    @property
    def status(self) -> str:
        """open until closed; ``resolved`` tells whether it has resolved meanwhile."""
        return AEStatus.CLOSED if self.closed_at is not None else AEStatus.OPEN

    @property
    def resolved(self) -> bool:
        return self.resolution_date is not None or self.outcome == Outcome.FATAL

    @property
    def suspected_unexpected_serious(self) -> bool:
        """A SUSAR: serious, at least possibly related, and unexpected (the rule and its
        "suspected" convention live in :mod:`cordtrack.clinical.safety`)."""
        related = self.relatedness in DEFAULT_SUSPECTED
        return self.serious and related and not self.expected


class AdverseEventFollowUp(models.Model):
    """One follow-up of an event: its state on ``date``, a grade change (with its reason), the
    treatment given and the outcome so far. The event's own fields follow (through the service)."""

    event = models.ForeignKey(AdverseEvent, on_delete=models.CASCADE, related_name="follow_ups")
    date = models.DateField()
    status = models.CharField(max_length=10, choices=FollowUpStatus.choices)
    grade_from = models.PositiveSmallIntegerField()
    grade_to = models.PositiveSmallIntegerField()
    grade_reason = models.CharField(max_length=300, blank=True)
    treatment = models.TextField(max_length=1000, blank=True)
    outcome = models.CharField(max_length=15, choices=Outcome.choices)
    note = models.TextField(max_length=2000, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    objects = FollowUpsHiddenWhenBlinded["AdverseEventFollowUp"]()

    SITE_PATH: ClassVar[str] = "event__patient__site"
    PATIENT_PATH: ClassVar[str] = "event__patient"

    class Meta:
        ordering = ("event", "date", "pk")

    def __str__(self) -> str:
        return f"follow-up {self.date} of AE {self.event_id}"
