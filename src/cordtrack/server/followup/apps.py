from __future__ import annotations

from django.apps import AppConfig


class FollowupConfig(AppConfig):
    name = "cordtrack.server.followup"
    label = "followup"
    verbose_name = "Follow-up"
