from __future__ import annotations

from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "cordtrack.server.consent"
    label = "consent"
    verbose_name = "Electronic consent"
