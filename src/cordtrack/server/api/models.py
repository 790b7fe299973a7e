"""API tokens (only their SHA-256 is stored), the responses kept for idempotent retries, and
the posts counted for rate limits of public forms."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ApiToken(models.Model):
    """A bearer token of one user. The secret is shown once, at creation; ``prefix`` (its first
    characters) lets people tell their tokens apart in ``cordtrack token list``."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=60, blank=True)
    prefix = models.CharField(max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("user", "created_at")

    def __str__(self) -> str:
        return f"token {self.prefix}… of user {self.user_id}"

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class IdempotencyRecord(models.Model):
    """The first response to a POST that carried ``Idempotency-Key``: a retry with the same key
    and body gets it back and changes nothing."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=300)
    body_sha256 = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=("user", "key"), name="idempotency_key_per_user"),
        )

    def __str__(self) -> str:
        return f"idempotency {self.pk}"


class PostCount(models.Model):
    """How many posts one client (a hashed key, never an address) made to a form open to anyone
    since ``window_started_at``: the rate limit of /inquire/ (``ratelimit.py``). In the
    database, not a process's memory, so every gunicorn worker and app server counts the same
    posts (ADR 0056 keeps the per-process cache for nothing that must be shared)."""

    key = models.CharField(max_length=64, primary_key=True)
    window_started_at = models.DateTimeField(db_index=True)
    count = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.count} posts since {self.window_started_at:%Y-%m-%d %H:%M}"
