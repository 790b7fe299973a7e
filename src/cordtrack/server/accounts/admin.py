from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db import transaction
from django.http import HttpRequest

from ..audit.chain import record_change, snapshot
from ..audit.models import AuditAction
from .models import Membership, Site, User


class MembershipInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Membership
    extra = 0


@admin.register(User)
class CordTrackUserAdmin(UserAdmin):  # type: ignore[type-arg]
    """Superusers bootstrap accounts here; role changes are audited like the members page."""

    inlines = (MembershipInline,)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        with transaction.atomic():
            before = {m.pk: snapshot(m) for m in formset.queryset if m.pk}
            instances = formset.save(commit=False)
            for deleted in formset.deleted_objects:
                record_change(
                    request.user, deleted, before.get(deleted.pk), action=AuditAction.DELETE,
                    reason="changed in the admin",
                )  # fmt: skip
                deleted.delete()
            for membership in instances:
                old = before.get(membership.pk)
                membership.save()
                record_change(request.user, membership, old, reason="changed in the admin")
            formset.save_m2m()


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("code", "name", "next_patient_number")
    readonly_fields = ("next_patient_number",)
