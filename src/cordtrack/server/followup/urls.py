from __future__ import annotations

from django.urls import path

from . import letters, views

urlpatterns = [
    path("visits/<int:pk>/", views.visit_detail, name="visit-detail"),
    path(
        "visits/<int:pk>/logistics/arranged/",
        views.logistics_arranged,
        name="logistics-arranged",
    ),
    path("visits/<int:pk>/travel-letter/", letters.travel_letter, name="travel-letter"),
    path("patients/<int:pk>/visits/schedule/", views.schedule_new, name="schedule-new"),
    path("visits/<int:pk>/instruments/<str:code>/", views.instrument_new, name="instrument-new"),
]
