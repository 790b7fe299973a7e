"""Read-only admin for data stewards; each record's History page is its audit trail."""

from __future__ import annotations

from django.contrib import admin

from ..audit.admin import AuditHistoryAdmin
from .models import Administration, CellProductLot


@admin.register(CellProductLot)
class CellProductLotAdmin(AuditHistoryAdmin):
    list_display = ("lot_number", "site", "cell_type", "source", "expires_on")
    list_filter = ("cell_type", "source")
    search_fields = ("lot_number",)


@admin.register(Administration)
class AdministrationAdmin(AuditHistoryAdmin):
    list_display = ("patient", "lot", "administered_at", "route", "dose_per_kg")
    list_filter = ("route",)
    search_fields = ("patient__study_id",)
