from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("patients/<int:pk>/exams/new/", views.exam_new, name="exam-new"),
    path("exams/<int:pk>/", views.exam_detail, name="exam-detail"),
    path("exams/<int:pk>/sign/", views.exam_sign, name="exam-sign"),
    path("exams/<int:pk>/edit/", views.exam_edit, name="exam-edit"),
]
