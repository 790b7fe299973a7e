from __future__ import annotations

from django.apps import AppConfig


class SignaturesConfig(AppConfig):
    name = "cordtrack.server.signatures"
    label = "signatures"
    verbose_name = "Electronic signatures"
