from __future__ import annotations

from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "cordtrack.server.outbox"
    label = "outbox"
    verbose_name = "Notification outbox"
