from __future__ import annotations

from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("cohort/", views.cohort, name="cohort"),
    path("cohort.pdf", views.cohort_pdf, name="cohort-pdf"),
    path("safety/", views.safety, name="safety"),
    path("safety.pdf", views.safety_pdf, name="safety-pdf"),
    path("claim/", views.claim, name="claim"),
    path("evidence/", views.evidence, name="evidence"),
    path("patients/<int:pk>/", views.patient_outcomes, name="patient"),
    path("patients/<int:pk>/progress.pdf", views.progress_pdf, name="progress"),
]
