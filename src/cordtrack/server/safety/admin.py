"""Read-only admin for data stewards; each record's History page is its audit trail."""

from __future__ import annotations

from django.contrib import admin

from ..audit.admin import AuditHistoryAdmin
from .models import AdverseEvent, AdverseEventFollowUp


@admin.register(AdverseEvent)
class AdverseEventAdmin(AuditHistoryAdmin):
    list_display = ("patient", "term", "onset_date", "ctcae_grade", "serious", "relatedness")
    list_filter = ("serious", "ctcae_grade")
    search_fields = ("patient__study_id", "term")


@admin.register(AdverseEventFollowUp)
class AdverseEventFollowUpAdmin(AuditHistoryAdmin):
    list_display = ("event", "date", "status", "grade_to", "outcome")
    search_fields = ("event__patient__study_id",)
