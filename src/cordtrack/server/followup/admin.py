"""Read-only admin for data stewards; each record's History page is its audit trail."""

from __future__ import annotations

from django.contrib import admin

from ..audit.admin import AuditHistoryAdmin
from .models import InstrumentResponse, Logistics, ValidatedTranslation, Visit


@admin.register(Visit)
class VisitAdmin(AuditHistoryAdmin):
    list_display = ("patient", "code", "target_date", "status")
    list_filter = ("status",)
    search_fields = ("patient__study_id",)


@admin.register(InstrumentResponse)
class InstrumentResponseAdmin(AuditHistoryAdmin):
    list_display = ("patient", "instrument", "recorded_on", "total", "language", "translation")
    list_filter = ("instrument", "translation", "language")
    search_fields = ("patient__study_id",)


@admin.register(Logistics)
class LogisticsAdmin(AuditHistoryAdmin):
    list_display = ("visit", "travel_mode", "distance_km", "lodging_nights")
    list_filter = ("travel_mode",)


@admin.register(ValidatedTranslation)
class ValidatedTranslationAdmin(AuditHistoryAdmin):
    list_display = ("instrument", "version", "language", "source", "validated_on", "recorded_by")
    list_filter = ("instrument", "language")
