from __future__ import annotations

from django.urls import path

from . import views

app_name = "sponsor"
urlpatterns = [
    path("", views.index, name="index"),
    path("cohort/", views.cohort, name="cohort"),
    path("cohort.pdf", views.cohort_pdf, name="cohort-pdf"),
    path("safety/", views.safety, name="safety"),
    path("safety.pdf", views.safety_pdf, name="safety-pdf"),
    path("export/", views.export, name="export"),
    path("export.zip", views.export_zip, name="export-zip"),
]
