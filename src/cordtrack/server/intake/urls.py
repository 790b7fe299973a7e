from __future__ import annotations

from django.urls import path

from . import protocol_views, public, randomise, screening, unblind_views, views

urlpatterns = [
    path("inquire/", public.inquire, name="inquire"),
    path("inquire/received/", public.inquire_received, name="inquire-received"),
    path("patients/<int:pk>/documents/", views.document_upload, name="document-upload"),
    path("documents/<int:pk>/", views.document_detail, name="document-detail"),
    path("documents/<int:pk>/download/", views.document_download, name="document-download"),
    path("documents/<int:pk>/preview.png", views.document_preview, name="document-preview"),
    path("inquiries/<int:pk>/status/", views.inquiry_status, name="inquiry-status"),
    path("patients/<int:pk>/screening/new/", views.screening_new, name="screening-new"),
    path("screenings/<int:pk>/", screening.screening_detail, name="screening-detail"),
    path("screenings/<int:pk>/confirm/", screening.screening_confirm, name="screening-confirm"),
    path("patients/<int:pk>/randomise/", randomise.patient_randomise, name="patient-randomise"),
    path("patients/<int:pk>/unblind/", unblind_views.patient_unblind, name="patient-unblind"),
    path("unblindings/<int:pk>/", unblind_views.unblinding_detail, name="unblinding-detail"),
    path(
        "randomisations/<int:pk>/notes/",
        unblind_views.randomisation_note,
        name="randomisation-note",
    ),
    path("protocols/", protocol_views.protocol_list, name="protocol-list"),
    path("protocols/new/", protocol_views.protocol_draft, name="protocol-new"),
    path("protocols/<str:code>/", protocol_views.protocol_detail, name="protocol-detail"),
    path("protocols/<str:code>/new/", protocol_views.protocol_draft, name="protocol-draft"),
    path("protocol-versions/<int:pk>/", protocol_views.protocol_version, name="protocol-version"),
    path(
        "protocol-versions/<int:pk>/activate/",
        protocol_views.protocol_activate,
        name="protocol-activate",
    ),
]
