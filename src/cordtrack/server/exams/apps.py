from __future__ import annotations

from django.apps import AppConfig


class ExamsConfig(AppConfig):
    name = "cordtrack.server.exams"
    label = "exams"
    verbose_name = "ISNCSCI exams"
