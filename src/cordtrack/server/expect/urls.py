from __future__ import annotations

from django.urls import path

from . import views

app_name = "expect"
urlpatterns = [
    path("", views.expect, name="page"),
    path("pdf", views.expect_pdf, name="pdf"),
]
