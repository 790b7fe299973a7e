from __future__ import annotations

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "cordtrack.server.reports"
    label = "reports"
    verbose_name = "Reports"
