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
    RandomisationNote,
    Unblinding,
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


@admin.register(RandomisationNote)
class RandomisationNoteAdmin(AuditHistoryAdmin):
    list_display = ("randomisation", "author", "written_at")
    search_fields = ("randomisation__patient__study_id",)


@admin.register(Unblinding)
class UnblindingAdmin(AuditHistoryAdmin):
    # Who unblinded whom, when and why; the arm stays on the randomisation (ADR 0041).
    list_display = ("patient", "requested_by", "requested_at")
    search_fields = ("patient__study_id",)


@admin.register(AllocationList)
class AllocationListAdmin(AuditHistoryAdmin):
    # Never the seed: stewards (data managers, monitors) stay blind to the list (ADR 0033).
    exclude = ("seed",)
    list_display = ("protocol_code", "created_at")
