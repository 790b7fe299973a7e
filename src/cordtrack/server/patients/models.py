"""Patients (pseudonymous), their injury, comorbidities and medications."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cordtrack.isncsci.types import AIS_GRADES, RESULT_LEVELS

from ..accounts.models import Site

STUDY_ID_PATTERN = r"^[A-Z]{2,5}-\d{4,}$"
LEVEL_CHOICES = [(level, level.replace("_", "-")) for level in RESULT_LEVELS]
AIS_CHOICES = [(grade, grade) for grade in AIS_GRADES]


class ConsentStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    CONSENTED = "consented", _("Consented")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Sex(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")
    OTHER = "X", _("Other / not stated")


class Patient(models.Model):
    """A participant, known only by study id ``<SITECODE>-<number>`` plus minimal identifiers."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="patients")
    study_id = models.CharField(
        max_length=20,
        unique=True,
        validators=[RegexValidator(STUDY_ID_PATTERN, "must look like NTH-0001")],
    )
    year_of_birth = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1900), MaxValueValidator(2100)]
    )
    sex = models.CharField(max_length=1, choices=Sex.choices)
    consent_status = models.CharField(
        max_length=10, choices=ConsentStatus.choices, default=ConsentStatus.PENDING
    )
    consent_date = models.DateField(null=True, blank=True)
    consent_version = models.CharField(max_length=20, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="patient_record",
    )
    # One of settings.LANGUAGES: the language of the patient's pages, messages, consent and PDFs;
    # blank means English (issue 17 item 1).
    preferred_language = models.CharField(max_length=8, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    SITE_PATH: ClassVar[str] = "site"
    PATIENT_PATH: ClassVar[str] = "id"

    class Meta:
        ordering = ("study_id",)
        # ADR 0053: a site's patients in study-id order (the patient list and API, page by
        # page) read from the index, instead of sorting the site's every patient per page.
        indexes = (models.Index(fields=("site", "study_id"), name="patient_site_study_id"),)

    def __str__(self) -> str:
        return self.study_id


class Etiology(models.TextChoices):
    TRAUMATIC = "traumatic", _("Traumatic")
    NON_TRAUMATIC = "non_traumatic", _("Non-traumatic")


class Cause(models.TextChoices):
    VEHICLE = "vehicle", _("Motor vehicle")
    FALL = "fall", _("Fall")
    SPORTS = "sports", _("Sports / recreation")
    VIOLENCE = "violence", _("Violence")
    OTHER_TRAUMATIC = "other_traumatic", _("Other traumatic")
    TUMOUR = "tumour", _("Tumour")
    VASCULAR = "vascular", _("Vascular")
    INFECTION = "infection", _("Infection")
    DEGENERATIVE = "degenerative", _("Degenerative")
    OTHER_NON_TRAUMATIC = "other_non_traumatic", _("Other non-traumatic")


TRAUMATIC_CAUSES = frozenset(
    {Cause.VEHICLE, Cause.FALL, Cause.SPORTS, Cause.VIOLENCE, Cause.OTHER_TRAUMATIC}
)


class Injury(models.Model):
    patient = models.OneToOneField(Patient, on_delete=models.CASCADE, related_name="injury")
    injury_date = models.DateField()
    etiology = models.CharField(max_length=15, choices=Etiology.choices)
    cause = models.CharField(max_length=20, choices=Cause.choices)
    level = models.CharField(max_length=4, choices=LEVEL_CHOICES)
    baseline_ais = models.CharField(max_length=1, choices=AIS_CHOICES)

    SITE_PATH: ClassVar[str] = "patient__site"
    PATIENT_PATH: ClassVar[str] = "patient"

    class Meta:
        verbose_name_plural = "injuries"

    def __str__(self) -> str:
        return f"injury {self.level} {self.baseline_ais}"


class Comorbidity(models.Model):
    """One condition of the medical history (pages and API call it "medical history")."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="comorbidities")
    condition = models.CharField(max_length=120)
    icd10 = models.CharField(max_length=8, blank=True)
    onset_date = models.DateField(null=True, blank=True)
    ongoing = models.BooleanField(default=True)

    SITE_PATH: ClassVar[str] = "patient__site"
    PATIENT_PATH: ClassVar[str] = "patient"

    class Meta:
        verbose_name = "medical history entry"
        verbose_name_plural = "medical history"
        ordering = ("patient", "onset_date", "pk")

    def __str__(self) -> str:
        return self.condition


class MedicationRoute(models.TextChoices):
    ORAL = "oral", _("Oral")
    INTRAVENOUS = "intravenous", _("Intravenous")
    SUBCUTANEOUS = "subcutaneous", _("Subcutaneous")
    INTRAMUSCULAR = "intramuscular", _("Intramuscular")
    INTRATHECAL = "intrathecal", _("Intrathecal")
    TRANSDERMAL = "transdermal", _("Transdermal")
    TOPICAL = "topical", _("Topical")
    INHALED = "inhaled", _("Inhaled")
    RECTAL = "rectal", _("Rectal")
    OTHER = "other", _("Other")


class Medication(models.Model):
    """A concomitant medication. ``atc_code`` is the WHO ATC code entered with it (blank: the
    substance is identified from ``name`` by ``cordtrack.clinical.medications``)."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="medications")
    name = models.CharField(max_length=120)
    dose = models.CharField(max_length=60, blank=True)
    route = models.CharField(max_length=15, choices=MedicationRoute.choices, blank=True)
    indication = models.CharField(max_length=120, blank=True)
    atc_code = models.CharField(max_length=7, blank=True)
    start_date = models.DateField(null=True, blank=True)
    stop_date = models.DateField(null=True, blank=True)

    SITE_PATH: ClassVar[str] = "patient__site"
    PATIENT_PATH: ClassVar[str] = "patient"

    class Meta:
        ordering = ("patient", "start_date", "pk")

    def __str__(self) -> str:
        return self.name

    @property
    def classification(self) -> tuple[str, frozenset[str]]:
        """(ATC code, class codes) from ``cordtrack.clinical.medications``."""
        from cordtrack.clinical.medications import classify

        return classify(self.name, self.atc_code)

    @property
    def class_labels(self) -> list[str]:
        from cordtrack.clinical.medications import classes

        return [classes()[c].label for c in sorted(self.classification[1])]
