"""The language picker (/language/, linked from every page's footer; ADR 0043).

A choice is kept in a cookie (so it holds before signing in and after signing out) and, for a
signed-in user, as their ``preferred_language`` through an audited service write, so it follows
them to another browser and, for a patient, to the messages sent to them.
"""

from __future__ import annotations

from typing import Literal, cast

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from ..services import accounts as account_services


class LanguageForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language"), choices=settings.LANGUAGES, widget=forms.RadioSelect
    )


def _next(request: HttpRequest) -> str:
    """Where to go back to: a path on this site only (never another host: an open redirect)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if safe and target.startswith("/") else "/"


@require_http_methods(["GET", "POST"])
def language(request: HttpRequest) -> HttpResponse:
    current = translation.get_language()
    form = LanguageForm(request.POST or None, initial={"language": current})
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["language"]
        if request.user.is_authenticated:
            account_services.set_preferred_language(request.user, code)
        response = redirect(_next(request))
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME, code, max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH, secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=cast(Literal["Lax", "Strict", "None"], settings.LANGUAGE_COOKIE_SAMESITE),
        )  # fmt: skip
        return response
    context = {"form": form, "next": _next(request), "languages": settings.LANGUAGES,
               "current": current}  # fmt: skip
    return render(request, "accounts/language.html", context, status=400 if form.errors else 200)
