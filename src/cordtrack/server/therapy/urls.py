from __future__ import annotations

from django.urls import path

from . import lots, views

urlpatterns = [
    path("lots/", views.lot_list, name="lot-list"),
    path("lots/new/", views.lot_new, name="lot-new"),
    path("lots/<int:pk>/", lots.lot_detail, name="lot-detail"),
    path("lots/<int:pk>/release/", lots.lot_release, name="lot-release"),
    path("administrations/<int:pk>/", views.administration_detail, name="administration-detail"),
    path(
        "patients/<int:pk>/administrations/new/",
        views.administration_new,
        name="administration-new",
    ),
]
