from __future__ import annotations

from django.urls import path

from . import staff_views, views

urlpatterns = [
    path("portal/reminders/", views.portal_reminders, name="portal-reminders"),
    path("patients/<int:pk>/reminders/", staff_views.patient_reminders, name="patient-reminders"),
]
