from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "cordtrack.server.accounts"
    label = "accounts"
    verbose_name = "Accounts and sites"
