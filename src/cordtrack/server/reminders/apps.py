from __future__ import annotations

from django.apps import AppConfig


class RemindersConfig(AppConfig):
    name = "cordtrack.server.reminders"
    label = "reminders"
    verbose_name = "Patient reminders"
