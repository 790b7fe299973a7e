"""A site's members, for its site administrators."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from ..access import Cap, get_scoped_or_404
from ..forms import add_service_errors
from ..services import accounts as account_services
from .models import Membership, Role, Site


class GrantForm(forms.Form):
    username = forms.CharField(max_length=150)
    role = forms.ChoiceField(choices=Role.choices)
    password = forms.CharField(
        widget=forms.PasswordInput, required=False, help_text="Only for a new account"
    )
    study_id = forms.CharField(max_length=20, required=False, help_text="Patient role only")
    reason = forms.CharField(
        max_length=500,
        help_text="Why this person needs this role (kept on the audit trail)",
    )


@login_required
@require_http_methods(["GET", "POST"])
def members(request: HttpRequest, code: str) -> HttpResponse:
    site = get_scoped_or_404(request.user, Site.objects.all(), Cap.USERS, code=code.upper())
    form = GrantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account_services.grant_role(request.user, site, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("site-members", code=site.code)
    return render(request, "accounts/members.html", _context(site, form))


def _context(site: Site, form: GrantForm, **extra: object) -> dict[str, object]:
    rows = Membership.objects.filter(site=site).select_related("user").order_by("user__username")
    return {"site": site, "rows": rows, "form": form, **extra}


@login_required
@require_POST
def revoke(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    site = get_scoped_or_404(request.user, Site.objects.all(), Cap.USERS, code=code.upper())
    membership = get_scoped_or_404(
        request.user, Membership.objects.filter(site=site), Cap.USERS, pk=pk
    )
    try:
        account_services.revoke_role(
            request.user, membership, reason=request.POST.get("reason", "")
        )
    except ValidationError as exc:
        context = _context(site, GrantForm(), errors=exc.messages)
        return render(request, "accounts/members.html", context, status=400)
    return redirect("site-members", code=site.code)
