"""Ask for the second factor when a signed-in user has enrolled a TOTP device."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_otp import user_has_device

from ..fences import BASE_ROUTES
from ..hygiene import is_api


class RequireOTPWhenEnrolled:
    """Users with a confirmed device reach nothing but the token page until they verify."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not getattr(user, "is_verified", lambda: False)()
            and enrolled(user)
            and not request.path.startswith(("/accounts/otp/", "/accounts/logout/", "/static/"))
        ):
            return redirect(f"{reverse('otp-verify')}?next={request.path}")
        return self.get_response(request)


def enrolled(user: object) -> bool:
    """Whether the user has a confirmed device: read with the user when ``AccountBackend``
    loaded them (``otp_enrolled``), asked of django-otp otherwise (a user set on the request by
    other means, as in tests)."""
    known = getattr(user, "otp_enrolled", None)
    return bool(known) if known is not None else user_has_device(user)


#: The pages a patient user may open (each still scoped to their own record): the portal, their
#: own record's page, its signed exams, visits, documents, progress and outcome report, and their
#: account; with the public pages every fenced role opens (``fences.BASE_ROUTES``: signing in,
#: the second factor, /expect/; its API schema is no page, and the API is not redirected). Every
#: other page is a staff page (worklists, dashboards, lots, cohort reports, admin).
PATIENT_PAGES = BASE_ROUTES | {
    "portal", "portal-questionnaire", "portal-reminders", "patients:detail",
    "patient-progress", "exam-detail",
    "visit-detail", "document-detail", "document-download", "document-preview", "reports:patient",
    "reports:progress",
    # Their consent: read, sign, download their copy, withdraw (consent/views.py).
    "consent:portal", "consent:portal-sign", "consent:portal-pdf", "consent:portal-withdraw",
}  # fmt: skip


def is_patient_user(user: object) -> bool:
    """A signed-in user linked to a patient record (the header's test as well)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return getattr(user, "patient_record", None) is not None


class PatientsStayInThePortal:
    """A patient user who opens a staff page is sent to their portal instead (writes to staff
    URLs are refused by the views themselves, 403/404)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: object, args: object, kwargs: object
    ) -> HttpResponse | None:
        match = request.resolver_match
        if (
            request.method in ("GET", "HEAD")
            and match is not None
            and not is_api(request)
            and match.view_name not in PATIENT_PAGES
            and is_patient_user(request.user)
        ):
            return redirect("portal")
        return None
