"""Read-only admin for data stewards; each record's History page is its audit trail."""

from __future__ import annotations

from django.contrib import admin

from ..audit.admin import AuditHistoryAdmin
from .models import Consent, ConsentDocument, Withdrawal


@admin.register(ConsentDocument)
class ConsentDocumentAdmin(AuditHistoryAdmin):
    list_display = ("protocol", "version", "language", "title", "witness_required", "published_at")
    list_filter = ("language", "witness_required")
    search_fields = ("protocol__code", "version", "title")


@admin.register(Consent)
class ConsentAdmin(AuditHistoryAdmin):
    list_display = ("patient", "document", "setting", "signed_at", "comprehension_attempts")
    list_filter = ("setting",)
    search_fields = ("patient__study_id",)


@admin.register(Withdrawal)
class WithdrawalAdmin(AuditHistoryAdmin):
    list_display = ("patient", "scope", "withdrawn_at", "by_patient")
    list_filter = ("scope", "by_patient")
    search_fields = ("patient__study_id",)
