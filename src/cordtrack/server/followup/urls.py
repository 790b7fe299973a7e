from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("visits/<int:pk>/", views.visit_detail, name="visit-detail"),
    path(
        "visits/<int:pk>/logistics/arranged/",
        views.logistics_arranged,
        name="logistics-arranged",
    ),
    path("patients/<int:pk>/visits/schedule/", views.schedule_new, name="schedule-new"),
    path("visits/<int:pk>/instruments/<str:code>/", views.instrument_new, name="instrument-new"),
]
