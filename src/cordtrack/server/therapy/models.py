"""Cell product lots (with chain of identity) and their administration to patients."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..accounts.models import Site
from ..blinding import HiddenWhenBlinded
from ..patients.models import Patient


class CellType(models.TextChoices):
    BM_MSC = "bm_msc", _("Bone-marrow MSC")
    AD_MSC = "ad_msc", _("Adipose-derived MSC")
    UC_MSC = "uc_msc", _("Umbilical-cord MSC")
    NSC = "nsc", _("Neural stem cells")
    IPSC = "ipsc", _("iPSC-derived")
    OTHER = "other", _("Other")


class Source(models.TextChoices):
    AUTOLOGOUS = "autologous", _("Autologous")
    ALLOGENEIC = "allogeneic", _("Allogeneic")


class CellProductLot(models.Model):
    """A manufactured lot. An autologous lot names its source patient and may only be given
    back to that patient (chain of identity); release tests must all pass and the release be
    signed before use."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="lots")
    lot_number = models.CharField(max_length=40)
    manufacturer = models.CharField(max_length=100)
    cell_type = models.CharField(max_length=10, choices=CellType.choices)
    source = models.CharField(max_length=10, choices=Source.choices)
    source_patient = models.ForeignKey(
        Patient, null=True, blank=True, on_delete=models.PROTECT, related_name="own_lots"
    )
    donor_code = models.CharField(max_length=40, blank=True)
    manufactured_on = models.DateField()
    expires_on = models.DateField()
    viability_pct = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    cell_count = models.PositiveBigIntegerField()
    release_tests = models.JSONField(default=list)  # [{"test", "result", "passed": bool}]
    # The release: a signature meaning "approved" (services.therapy.release_lot), once every
    # release test passed; a later change of the lot invalidates it.
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    # No lot at all in a blinded assessor's request (blinding.py, ADR 0040).
    objects = HiddenWhenBlinded["CellProductLot"]()

    SITE_PATH: ClassVar[str] = "site"

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=("manufacturer", "lot_number"), name="lot_unique_per_manufacturer"
            ),
        )

    def __str__(self) -> str:
        return f"lot {self.lot_number}"

    @property
    def tests_passed(self) -> bool:
        return bool(self.release_tests) and all(t.get("passed") for t in self.release_tests)

    @property
    def released(self) -> bool:
        """Every release test passed and the release was signed (its signature may still have
        been invalidated by a later change: ``services.signatures.is_signed``)."""
        return self.tests_passed and self.released_at is not None


class Route(models.TextChoices):
    INTRATHECAL = "intrathecal", _("Intrathecal")
    INTRAVENOUS = "intravenous", _("Intravenous")
    INTRALESIONAL = "intralesional", _("Intralesional")
    INTRAMUSCULAR = "intramuscular", _("Intramuscular")
    INTRANASAL = "intranasal", _("Intranasal")


class Administration(models.Model):
    """One administration. ``vitals`` is ``{"before"|"during"|"after": {"hr", "sbp", "dbp",
    "temp_c", "spo2"}}``."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="administrations")
    lot = models.ForeignKey(
        CellProductLot, on_delete=models.PROTECT, related_name="administrations"
    )
    administered_at = models.DateTimeField()
    route = models.CharField(max_length=15, choices=Route.choices)
    dose_total_cells = models.PositiveBigIntegerField()
    weight_kg = models.DecimalField(max_digits=5, decimal_places=1)
    dose_per_kg = models.PositiveBigIntegerField()
    vitals = models.JSONField(default=dict)
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # The protocol version followed (that of the patient's screening); never rewritten.
    protocol = models.ForeignKey(
        "intake.Protocol", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = HiddenWhenBlinded["Administration"]()

    SITE_PATH: ClassVar[str] = "patient__site"
    PATIENT_PATH: ClassVar[str] = "patient"

    class Meta:
        ordering = ("patient", "administered_at")

    def __str__(self) -> str:
        return f"administration {self.pk}"
