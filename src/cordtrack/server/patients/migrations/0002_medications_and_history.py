"""Medications gain route, indication and an ATC code (classes come from the WHO ATC code, not a
hand-ticked "anticoagulant" box); the medical history gains an onset date."""

from __future__ import annotations

from typing import Any

from django.db import migrations, models


def classify_flagged(apps: Any, schema_editor: Any) -> None:
    """A medication ticked "anticoagulant" keeps that meaning: its identified substance's ATC code
    is stored, and one the list does not know is kept visible in its indication for review."""
    from cordtrack.clinical.medications import identify

    Medication = apps.get_model("patients", "Medication")
    for m in Medication.objects.filter(anticoagulant=True):
        substance = identify(m.name)
        if substance is not None:
            m.atc_code = substance.atc
        else:
            m.indication = "anticoagulant (ticked before ATC classification): enter its ATC code"
        m.save(update_fields=["atc_code", "indication"])


class Migration(migrations.Migration):
    dependencies = [("patients", "0001_initial")]

    operations = [
        migrations.RenameField("medication", "started_on", "start_date"),
        migrations.RenameField("medication", "stopped_on", "stop_date"),
        migrations.AddField(
            "medication", "route",
            models.CharField(blank=True, max_length=15, choices=[
                ("oral", "Oral"), ("intravenous", "Intravenous"), ("subcutaneous", "Subcutaneous"),
                ("intramuscular", "Intramuscular"), ("intrathecal", "Intrathecal"),
                ("transdermal", "Transdermal"), ("topical", "Topical"), ("inhaled", "Inhaled"),
                ("rectal", "Rectal"), ("other", "Other"),
            ]),
        ),  # fmt: skip
        migrations.AddField(
            "medication", "indication", models.CharField(blank=True, max_length=120)
        ),
        migrations.AddField("medication", "atc_code", models.CharField(blank=True, max_length=7)),
        migrations.RunPython(classify_flagged, migrations.RunPython.noop),
        migrations.RemoveField("medication", "anticoagulant"),
        migrations.AlterModelOptions("medication", {"ordering": ("patient", "start_date", "pk")}),
        migrations.RenameField("comorbidity", "active", "ongoing"),
        migrations.AddField("comorbidity", "onset_date", models.DateField(blank=True, null=True)),
        migrations.AlterModelOptions(
            "comorbidity",
            {"ordering": ("patient", "onset_date", "pk"), "verbose_name": "medical history entry",
             "verbose_name_plural": "medical history"},
        ),  # fmt: skip
    ]
