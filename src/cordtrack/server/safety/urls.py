from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("patients/<int:pk>/adverse-events/new/", views.adverse_event_new, name="ae-new"),
    path("adverse-events/<int:pk>/sign/", views.adverse_event_sign, name="ae-sign"),
]
