from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("portal/reminders/", views.portal_reminders, name="portal-reminders"),
]
