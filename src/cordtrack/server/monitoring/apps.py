from __future__ import annotations

from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "cordtrack.server.monitoring"
    label = "monitoring"
    verbose_name = "Monitoring: data queries and source data verification"

    def ready(self) -> None:
        # Any later change of a verified record clears its verification: through the audit
        # trail, which every change passes (services.base and the bulk writers alike).
        from ..audit.chain import on_append
        from .clearing import clear_changed

        on_append(clear_changed)
