"""Read-only admin for the audit trail, and a mixin that shows a record's audit history."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from ..access import Cap, scoped, site_ids
from .models import AuditEntry


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Stewards look; every write goes through a service (with validation and audit).

    Staff with the audit capability (data managers, monitors, site administrators) see the
    records of their own sites only; superusers see everything.
    """

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser or bool(site_ids(request.user, Cap.AUDIT))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser or not hasattr(self.model, "SITE_PATH"):
            return queryset  # protocols are shared by every site
        return scoped(request.user, queryset, Cap.AUDIT)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AuditHistoryAdmin(ReadOnlyAdmin):
    """The admin "History" page of a record lists its entries in the audit trail."""

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        obj: Model | None = self.get_object(request, object_id)
        if obj is None:
            raise Http404("No such record")
        entries = AuditEntry.objects.filter(
            model=obj._meta.label_lower, object_id=str(obj.pk)
        ).select_related("actor")
        context = {
            **self.admin_site.each_context(request),
            "title": f"Audit history: {obj}",
            "object": obj,
            "opts": self.opts,
            "entries": entries,
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/audit_history.html", context)


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("seq", "at", "actor_label", "action", "model", "object_id", "patient_id")
    list_filter = ("action", "model")
    search_fields = ("object_id", "actor_label")
    ordering = ("-seq",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = admin.ModelAdmin.get_queryset(self, request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(site_id__in=site_ids(request.user, Cap.AUDIT))
