from __future__ import annotations

from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "cordtrack.server.patients"
    label = "patients"
    verbose_name = "Patients"
