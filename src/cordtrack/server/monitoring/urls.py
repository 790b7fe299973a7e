from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("queries/new/", views.query_new, name="query-new"),
    path("queries/<int:pk>/", views.query_detail, name="query-detail"),
    path("verify/", views.verify, name="verify"),
]
