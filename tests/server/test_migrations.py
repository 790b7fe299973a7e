"""The committed migrations match the models."""

from __future__ import annotations

from django.core.management import call_command


def test_migrations_are_committed_for_every_model_change(db: None) -> None:
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
