from __future__ import annotations

from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "cordtrack.server.safety"
    label = "safety"
    verbose_name = "Adverse events"
