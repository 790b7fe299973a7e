"""Read-only admin for data stewards; each record's History page is its audit trail."""

from __future__ import annotations

from django.contrib import admin

from ..audit.admin import AuditHistoryAdmin
from .models import Comorbidity, Injury, Medication, Patient


@admin.register(Patient)
class PatientAdmin(AuditHistoryAdmin):
    list_display = ("study_id", "site", "year_of_birth", "sex", "consent_status")
    list_filter = ("site", "consent_status")
    search_fields = ("study_id",)


@admin.register(Injury)
class InjuryAdmin(AuditHistoryAdmin):
    list_display = ("patient", "injury_date", "level", "baseline_ais")
    list_filter = ("baseline_ais",)
    search_fields = ("patient__study_id",)


@admin.register(Comorbidity)
class ComorbidityAdmin(AuditHistoryAdmin):
    list_display = ("patient", "condition", "onset_date", "ongoing")
    search_fields = ("patient__study_id",)


@admin.register(Medication)
class MedicationAdmin(AuditHistoryAdmin):
    list_display = ("patient", "name", "atc_code", "start_date", "stop_date")
    search_fields = ("patient__study_id",)
