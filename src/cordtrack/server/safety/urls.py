from __future__ import annotations

from django.urls import path

from . import detail, views

urlpatterns = [
    path("patients/<int:pk>/adverse-events/new/", views.adverse_event_new, name="ae-new"),
    path("adverse-events/<int:pk>/sign/", detail.adverse_event_sign, name="ae-sign"),
    path("adverse-events/<int:pk>/close/", detail.adverse_event_close, name="ae-close"),
    path("adverse-events/<int:pk>/", detail.adverse_event_detail, name="ae-detail"),
]
