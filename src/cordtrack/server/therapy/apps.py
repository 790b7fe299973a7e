from __future__ import annotations

from django.apps import AppConfig


class TherapyConfig(AppConfig):
    name = "cordtrack.server.therapy"
    label = "therapy"
    verbose_name = "Cell products and administrations"
