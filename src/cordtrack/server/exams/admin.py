"""Read-only admin for data stewards; each record's History page is its audit trail."""

from __future__ import annotations

from django.contrib import admin

from ..audit.admin import AuditHistoryAdmin
from .models import IsncsciExam


@admin.register(IsncsciExam)
class IsncsciExamAdmin(AuditHistoryAdmin):
    list_display = ("patient", "exam_date", "nli", "ais", "uems", "lems", "signed_at")
    list_filter = ("ais",)
    search_fields = ("patient__study_id",)
