"""``manage.py load_demo``: create the demo sites, users and synthetic patients (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from cordtrack.server.demo import load


class Command(BaseCommand):
    help = (
        "Load demo sites, a user per role per site, 60 journey patients and a treated cohort of "
        "CORDTRACK_DEMO_COHORT (400) patients per site (CORDTRACK_DEMO=1)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            counts = load()
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"demo ready: {counts['patients_created']} patients created, "
            f"{counts['patients']} in total, {counts['users']} users"
        )
