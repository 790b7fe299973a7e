"""Scheduled visits, outcome instrument responses and per-visit logistics."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ..intake.models import Protocol
from ..patients.models import Patient


class VisitStatus(models.TextChoices):
    # Shown to patients in their portal: translated (catalogs.PATIENT_FACING).
    SCHEDULED = "scheduled", _("Scheduled")
    DONE = "done", _("Done")
    MISSED = "missed", _("Missed")
    OUT_OF_WINDOW = "out_of_window", _("Done out of window")


class Visit(models.Model):
    """A protocol visit placed by ``cordtrack.clinical.visits``: ``target_date`` is the reference
    date (first administration) plus ``target_day``; in window from ``window_open`` to
    ``window_close`` inclusive."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="visits")
    protocol = models.ForeignKey(Protocol, null=True, blank=True, on_delete=models.PROTECT)
    code = models.CharField(max_length=40)
    label = models.CharField(max_length=80, blank=True)
    target_day = models.IntegerField()
    target_date = models.DateField()
    window_open = models.DateField()
    window_close = models.DateField()
    status = models.CharField(
        max_length=15, choices=VisitStatus.choices, default=VisitStatus.SCHEDULED, db_index=True
    )
    done_on = models.DateField(null=True, blank=True)

    SITE_PATH: ClassVar[str] = "patient__site"
    PATIENT_PATH: ClassVar[str] = "patient"

    class Meta:
        ordering = ("patient", "target_day")
        constraints = (
            models.UniqueConstraint(fields=("patient", "code"), name="visit_code_per_patient"),
        )
        # ADR 0053: the dashboard's visits due and overdue (first by window close) and its
        # window counts read the scheduled visits only, a small share of all visits.
        indexes = (
            models.Index(
                fields=("window_close", "window_open"),
                condition=models.Q(status="scheduled"),
                name="visit_scheduled_window",
            ),
        )

    def __str__(self) -> str:
        return f"{self.label or self.code} (day {self.target_day})"


class TranslationStatus(models.TextChoices):
    """Which wording of an instrument's items the answers were given to (ADR 0044)."""

    ORIGINAL = "original", "Original (English)"
    WORKING = "working", "Working translation (not validated)"
    VALIDATED = "validated", "Validated translation"


class InstrumentResponse(models.Model):
    """One completed outcome instrument; ``score`` is computed by ``cordtrack.clinical``.

    ``language`` and ``translation`` say which wording the answers were given to: a working
    translation is not validated, so reports can leave such answers out (ADR 0044)."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="instruments")
    visit = models.ForeignKey(
        Visit, null=True, blank=True, on_delete=models.SET_NULL, related_name="instruments"
    )
    instrument = models.CharField(max_length=20, db_index=True)
    responses = models.JSONField()
    score = models.JSONField(default=dict)
    total = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    recorded_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    language = models.CharField(max_length=8, default="en")
    translation = models.CharField(
        max_length=10,
        choices=TranslationStatus.choices,
        default=TranslationStatus.ORIGINAL,
        db_index=True,
    )

    SITE_PATH: ClassVar[str] = "patient__site"
    PATIENT_PATH: ClassVar[str] = "patient"

    class Meta:
        ordering = ("patient", "recorded_on")

    def __str__(self) -> str:
        return f"{self.instrument} {self.recorded_on}"


class ValidatedTranslation(models.Model):
    """A translation of an instrument version's items recorded as validated, with its source.

    Shared by every site, like protocols. ``texts`` holds the validated wording (instrument name,
    item labels, option labels) in the shape of ``followup/questionnaire_texts/<lang>.json``;
    without such a record an item in another language is a working translation (ADR 0044).
    Recorded by ``services.translations.record_validated_translation``, never edited: a revised
    translation is recorded for the instrument's new version."""

    instrument = models.CharField(max_length=20)
    version = models.CharField(max_length=80)
    language = models.CharField(max_length=8)
    source = models.TextField(help_text="Citation of the validation (publication, licence holder)")
    texts = models.JSONField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    validated_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("instrument", "language", "version")
        constraints = (
            models.UniqueConstraint(
                fields=("instrument", "version", "language"), name="validated_translation_once"
            ),
        )

    def __str__(self) -> str:
        return f"{self.instrument} {self.version} ({self.language}), validated"


class TravelMode(models.TextChoices):
    CAR = "car", _("Car")
    ADAPTED_VAN = "adapted_van", _("Adapted van")
    TRAIN = "train", _("Train")
    AIR = "air", _("Air")
    AMBULANCE = "ambulance", _("Ambulance")


class MobilityAid(models.TextChoices):
    MANUAL_WHEELCHAIR = "manual_wheelchair", _("Manual wheelchair")
    POWER_WHEELCHAIR = "power_wheelchair", _("Power wheelchair")
    WALKER = "walker", _("Walker")
    CRUTCHES = "crutches", _("Crutches")
    HOIST = "hoist", _("Patient hoist")
    NONE = "none", _("None")


class Logistics(models.Model):
    visit = models.OneToOneField(Visit, on_delete=models.CASCADE, related_name="logistics")
    travel_mode = models.CharField(max_length=15, choices=TravelMode.choices)
    distance_km = models.PositiveIntegerField()
    lodging_nights = models.PositiveSmallIntegerField(default=0)
    mobility_aids = models.JSONField(default=list, blank=True)  # none needed: an empty list
    companion = models.BooleanField(default=False)
    travel_arranged = models.BooleanField(default=False)
    lodging_arranged = models.BooleanField(default=False)
    mobility_aids_arranged = models.BooleanField(default=False)
    # Travel of an international patient (ADR 0049); each optional, checked by
    # ``services.followup.record_logistics`` against the visit's window. Passport details are
    # never stored: the travel letter prints them from its form only.
    arrival_date = models.DateField(null=True, blank=True)
    departure_date = models.DateField(null=True, blank=True)
    accompanying_persons = models.PositiveSmallIntegerField(null=True, blank=True)
    interpreter_language = models.CharField(max_length=10, blank=True, default="")

    #: The items a coordinator arranges, each with its "arranged" flag.
    ITEMS: ClassVar[dict[str, str]] = {
        "travel": "travel_arranged",
        "lodging": "lodging_arranged",
        "mobility_aids": "mobility_aids_arranged",
    }

    #: The items by name, for the visit's page (a patient's language) and the logistics board.
    ITEM_LABELS: ClassVar[dict[str, Promise]] = {
        "travel": _("travel"), "lodging": _("lodging"), "mobility_aids": _("mobility aids"),
    }  # fmt: skip

    SITE_PATH: ClassVar[str] = "visit__patient__site"
    PATIENT_PATH: ClassVar[str] = "visit__patient"

    class Meta:
        verbose_name_plural = "logistics"

    def __str__(self) -> str:
        return f"logistics for visit {self.visit_id}"

    def needs(self, item: str) -> bool:
        """Whether ``item`` must be arranged: travel always; lodging for at least one night;
        mobility aids when any other than "none" is listed."""
        if item == "travel":
            return True
        if item == "lodging":
            return self.lodging_nights > 0
        if item == "mobility_aids":
            return any(a != MobilityAid.NONE for a in self.mobility_aids)
        raise KeyError(item)

    def items(self) -> list[tuple[str, bool, bool]]:
        """``(item, needed, arranged)`` for each item."""
        return [(i, self.needs(i), bool(getattr(self, f))) for i, f in self.ITEMS.items()]

    @property
    def to_arrange(self) -> list[str]:
        """The needed items not arranged yet."""
        return [i for i, needed, arranged in self.items() if needed and not arranged]

    @property
    def interpreter_language_name(self) -> str:
        """The interpreter's language by its English name ("" when none is needed)."""
        from .travel import language_name

        return language_name(self.interpreter_language)

    @property
    def to_arrange_labels(self) -> list[str]:
        # str(): lazy translations, joined by the templates (join needs text).
        return [str(self.ITEM_LABELS[i]) for i in self.to_arrange]

    @property
    def mobility_aid_labels(self) -> list[str]:
        """The aids listed, by name in the active language ("none" listed is left out)."""
        names = dict(MobilityAid.choices)
        return [str(names.get(a, a)) for a in self.mobility_aids if a != MobilityAid.NONE]
