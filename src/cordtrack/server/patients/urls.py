from __future__ import annotations

from django.urls import path

from ..journey import worklists
from . import history_views, language_views, views

app_name = "patients"
urlpatterns = [
    path("", views.patient_list, name="list"),
    path("new/", views.patient_new, name="new"),
    path("<int:pk>/", views.patient_detail, name="detail"),
    path("<int:pk>/consent/", views.consent_edit, name="consent"),
    path("<int:pk>/audit/", worklists.patient_audit, name="audit"),
    path("<int:pk>/injury/", views.injury_edit, name="injury"),
    path("<int:pk>/language/", language_views.patient_language, name="language"),
    path("<int:pk>/medications/", history_views.medications, name="medications"),
]
