from __future__ import annotations

from django.urls import path

from . import views

app_name = "consent"

urlpatterns = [
    path("portal/consent/", views.portal_consent, name="portal"),
    path("portal/consent/sign/", views.portal_sign, name="portal-sign"),
    path("portal/consent/copies/<int:pk>.pdf", views.portal_pdf, name="portal-pdf"),
    path("portal/consent/withdraw/", views.portal_withdraw, name="portal-withdraw"),
    path("patients/<int:pk>/consent/sign/", views.clinic_sign, name="clinic-sign"),
    path("patients/<int:pk>/consent/withdraw/", views.staff_withdraw, name="withdraw"),
    path("consent/reconsent/", views.reconsent_list, name="reconsent"),
]
