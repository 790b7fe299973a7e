"""URL map of the registry."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import health
from .accounts import language_views, site_views
from .accounts import views as account_views
from .api.api import api as api_v1

admin.site.site_header = "CordTrack data stewardship"
admin.site.site_title = "CordTrack admin"

urlpatterns = [
    # First: Django tries the routes in order, and the pages' many prefix-less includes ("") are
    # each walked before a later route is reached; no page route starts with api/v1/ (a test
    # holds it), so the API's requests resolve without walking the pages' routes.
    path("api/v1/", api_v1.urls),
    # Unnamed: the load balancer's probe, no page of the registry (it shows no patient data).
    path("healthz", health.healthz, name="healthz"),
    path("", account_views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/otp/", account_views.otp_verify, name="otp-verify"),
    path("language/", language_views.language, name="language"),
    path("accounts/otp/setup/", account_views.otp_setup, name="otp-setup"),
    path("sites/<str:code>/members/", site_views.members, name="site-members"),
    path("sites/<str:code>/members/<int:pk>/revoke/", site_views.revoke, name="site-member-revoke"),
    path("patients/", include("cordtrack.server.patients.urls")),
    path("", include("cordtrack.server.intake.urls")),
    path("", include("cordtrack.server.exams.urls")),
    path("", include("cordtrack.server.therapy.urls")),
    path("", include("cordtrack.server.safety.urls")),
    path("", include("cordtrack.server.followup.urls")),
    path("", include("cordtrack.server.worksheet.urls")),
    path("", include("cordtrack.server.journey.urls")),
    path("", include("cordtrack.server.reminders.urls")),
    path("", include("cordtrack.server.consent.urls")),
    path("", include("cordtrack.server.monitoring.urls")),
    path("reports/", include("cordtrack.server.reports.urls")),
    path("sponsor/", include("cordtrack.server.sponsor.urls")),
    path("expect/", include("cordtrack.server.expect.urls")),
    path("jobs/", include("cordtrack.server.jobs.urls")),
    path("admin/", admin.site.urls),
]
