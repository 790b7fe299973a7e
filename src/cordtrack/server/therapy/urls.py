from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("lots/", views.lot_list, name="lot-list"),
    path("lots/new/", views.lot_new, name="lot-new"),
    path("administrations/<int:pk>/", views.administration_detail, name="administration-detail"),
    path(
        "patients/<int:pk>/administrations/new/",
        views.administration_new,
        name="administration-new",
    ),
]
