from __future__ import annotations

from django.apps import AppConfig


class ExpectConfig(AppConfig):
    name = "cordtrack.server.expect"
    label = "expect"
    verbose_name = "What to expect (public)"
