"""Ask for the second factor when a signed-in user has enrolled a TOTP device."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_otp import user_has_device


class RequireOTPWhenEnrolled:
    """Users with a confirmed device reach nothing but the token page until they verify."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not getattr(user, "is_verified", lambda: False)()
            and user_has_device(user)
            and not request.path.startswith(("/accounts/otp/", "/accounts/logout/", "/static/"))
        ):
            return redirect(f"{reverse('otp-verify')}?next={request.path}")
        return self.get_response(request)
