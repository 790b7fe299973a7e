from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest

from ..audit.chain import append, record_change, snapshot
from ..audit.models import AuditAction
from .models import Membership, Site, User

#: What a user may do beyond their site roles: changed only by someone else, with a reason.
PRIVILEGES = ("is_active", "is_staff", "is_superuser")
_REASON = "role_change_reason"
_REASON_FIELD = forms.CharField(
    label="Reason for a role or privilege change",
    required=False,
    widget=forms.Textarea(attrs={"rows": 2}),
    help_text="Required when roles or privileges change; kept on the audit trail.",
)


class _ReasonedChangeForm(UserChangeForm):  # type: ignore[type-arg]
    role_change_reason = _REASON_FIELD


class _ReasonedCreationForm(AdminUserCreationForm):
    role_change_reason = _REASON_FIELD


def _own_account(request: HttpRequest, user: User | None) -> bool:
    return user is not None and user.pk is not None and user.pk == request.user.pk


class MembershipFormSet(BaseInlineFormSet):  # type: ignore[type-arg]
    """Separation of duties in the admin: nobody changes their own roles, and every change
    states why (the reason field of the user's form, posted with the formset)."""

    request: HttpRequest

    def clean(self) -> None:
        super().clean()
        changed = bool(self.deleted_forms) or any(
            form.has_changed() for form in self.forms if form not in self.deleted_forms
        )
        if not changed:
            return
        if _own_account(self.request, self.instance):
            raise ValidationError(
                "You cannot change your own roles: another administrator must.", code="own"
            )
        if not str(self.data.get(_REASON, "")).strip():
            raise ValidationError(
                "Give the reason for this role change (“Reason for a role or privilege change”).",
                code="reason",
            )


class MembershipInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Membership
    formset = MembershipFormSet
    extra = 0

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        formset.request = request  # type: ignore[attr-defined]
        return formset


@admin.register(User)
class CordTrackUserAdmin(UserAdmin):  # type: ignore[type-arg]
    """Superusers bootstrap accounts here; role and privilege changes are audited like the
    members page, need a reason, and nobody changes their own."""

    inlines = (MembershipInline,)
    form = _ReasonedChangeForm
    add_form = _ReasonedCreationForm
    fieldsets = (*UserAdmin.fieldsets, ("Role change", {"fields": (_REASON,)}))  # type: ignore[misc]
    add_fieldsets = (*UserAdmin.add_fieldsets, ("Role change", {"fields": (_REASON,)}))

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form_class = super().get_form(request, obj, change=change, **kwargs)
        admin_user = self

        class Checked(form_class):  # type: ignore[misc,valid-type]
            def clean(self) -> dict[str, Any]:
                data: dict[str, Any] = super().clean()
                admin_user._check_privileges(request, self, data)
                return data

        return Checked

    def _check_privileges(self, request: HttpRequest, form: Any, data: dict[str, Any]) -> None:
        changed = [f for f in (*PRIVILEGES, "groups", "user_permissions") if f in form.changed_data]
        if not changed or form.instance.pk is None:
            return
        if _own_account(request, form.instance):
            form.add_error(changed[0], "You cannot change your own privileges.")
        elif not str(data.get(_REASON, "")).strip():
            form.add_error(_REASON, "Required: privileges are changing.")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        old = {f: form.initial.get(f) for f in PRIVILEGES} if change else {}
        super().save_model(request, obj, form, change)
        changes = {
            f: [old.get(f), getattr(obj, f)]
            for f in PRIVILEGES
            if not change or old.get(f) != getattr(obj, f)
        }
        if change and not changes:
            return
        if not change:
            changes["username"] = [None, obj.username]
        with transaction.atomic():  # privileges only: never the password hash
            append(
                request.user, AuditAction.UPDATE if change else AuditAction.CREATE,
                "accounts.user", obj.pk, changes=changes,
                reason=form.cleaned_data.get(_REASON, "").strip() or "changed in the admin",
            )  # fmt: skip

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        reason = form.cleaned_data.get(_REASON, "").strip()
        with transaction.atomic():
            before = {m.pk: snapshot(m) for m in formset.queryset if m.pk}
            instances = formset.save(commit=False)
            for deleted in formset.deleted_objects:
                record_change(
                    request.user, deleted, before.get(deleted.pk), action=AuditAction.DELETE,
                    reason=reason,
                )  # fmt: skip
                deleted.delete()
            for membership in instances:
                old = before.get(membership.pk)
                membership.save()
                record_change(request.user, membership, old, reason=reason)
            formset.save_m2m()


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("code", "name", "next_patient_number")
    readonly_fields = ("next_patient_number",)
