from __future__ import annotations

from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "cordtrack.server.interop"
    label = "interop"
    verbose_name = "Interoperability"
    default_auto_field = "django.db.models.BigAutoField"
