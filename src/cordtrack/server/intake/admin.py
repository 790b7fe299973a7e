"""Read-only admin for data stewards; each record's History page is its audit trail."""

from __future__ import annotations

from django.contrib import admin

from ..audit.admin import AuditHistoryAdmin
from .models import (
    AllocationList,
    Document,
    EligibilityScreening,
    Inquiry,
    Protocol,
    Randomisation,
)


@admin.register(Inquiry)
class InquiryAdmin(AuditHistoryAdmin):
    list_display = ("patient", "received_on", "status")
    list_filter = ("status",)
    search_fields = ("patient__study_id",)


@admin.register(Document)
class DocumentAdmin(AuditHistoryAdmin):
    list_display = ("patient", "kind", "content_type", "size", "deidentified_ok")
    list_filter = ("kind",)
    search_fields = ("patient__study_id", "sha256")


@admin.register(Protocol)
class ProtocolAdmin(AuditHistoryAdmin):
    list_display = ("code", "version", "title")
    search_fields = ("code",)


@admin.register(EligibilityScreening)
class EligibilityScreeningAdmin(AuditHistoryAdmin):
    list_display = ("patient", "protocol", "decision", "reviewed_at")
    list_filter = ("decision",)
    search_fields = ("patient__study_id",)


@admin.register(Randomisation)
class RandomisationAdmin(AuditHistoryAdmin):
    list_display = ("patient", "protocol_code", "stratum", "arm", "randomised_at")
    search_fields = ("patient__study_id",)


@admin.register(AllocationList)
class AllocationListAdmin(AuditHistoryAdmin):
    # Never the seed: stewards (data managers, monitors) stay blind to the list (ADR 0033).
    exclude = ("seed",)
    list_display = ("protocol_code", "created_at")
