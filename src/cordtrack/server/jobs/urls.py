from __future__ import annotations

from django.urls import path

from . import views

app_name = "jobs"
urlpatterns = [
    path("", views.job_list, name="list"),
    path("exports/", views.start_export, name="start-export"),
    path("<uuid:pk>/download/", views.download, name="download"),
]
