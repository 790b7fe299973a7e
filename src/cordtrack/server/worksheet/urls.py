from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("exams/classify/", views.classify_live, name="exam-classify"),
]
