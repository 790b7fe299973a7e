"""Read-only admin for data stewards; each record's History page is its audit trail."""

from __future__ import annotations

from django.contrib import admin

from ..audit.admin import AuditHistoryAdmin
from .models import DataQuery, QueryMessage, SourceVerification


@admin.register(DataQuery)
class DataQueryAdmin(AuditHistoryAdmin):
    list_display = ("patient", "target", "target_id", "field", "status", "raised_at")
    list_filter = ("status", "target")
    search_fields = ("patient__study_id",)


@admin.register(QueryMessage)
class QueryMessageAdmin(AuditHistoryAdmin):
    list_display = ("query", "kind", "author", "at")
    search_fields = ("query__patient__study_id",)


@admin.register(SourceVerification)
class SourceVerificationAdmin(AuditHistoryAdmin):
    list_display = ("patient", "target", "target_id", "field", "verified_by", "verified_at")
    search_fields = ("patient__study_id",)
