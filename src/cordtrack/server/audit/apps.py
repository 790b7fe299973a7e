from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.core import checks


class AuditConfig(AppConfig):
    name = "cordtrack.server.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        checks.register(audit_key_check, checks.Tags.security)
        # Every read of patient data in a request is audited by one mechanism (ADR 0031).
        from .reads import install

        install()


def audit_key_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Warn while the trail is sealed with the public development key (DEBUG or demo mode
    without ``CORDTRACK_AUDIT_KEY``): its seals prove nothing."""
    from .keys import using_dev_key

    if not using_dev_key():
        return []
    return [
        checks.Warning(
            "The audit trail is sealed with the public development key: anyone can forge its "
            "seals.",
            hint="Set CORDTRACK_AUDIT_KEY to 32+ random characters (make run writes one into "
            "var/cordtrack.env); never run real patients without it.",
            id="cordtrack.audit.W001",
        )
    ]
