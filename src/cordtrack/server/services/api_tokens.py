"""Creating, checking and revoking API tokens (the secret is never stored, only its SHA-256)."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from ..accounts.models import User
from ..api.models import ApiToken
from .base import FieldErrors

TOKEN_PREFIX = "ct_"


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(user: User, *, name: str = "") -> tuple[ApiToken, str]:
    """A new token for ``user``; returns the record and the secret (shown once, never stored)."""
    errors = FieldErrors()
    if not user.is_active:
        errors.add("user", "is not active")
    if len(name) > 60:
        errors.add("name", "at most 60 characters")
    errors.raise_if_any()
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name, prefix=secret[:10], digest=digest(secret)
        )
    return token, secret


def authenticate(secret: str) -> User | None:
    """The active user of an active token, else None; records when the token was last used."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=digest(secret), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def revoke_tokens(user: User, *, prefix: str | None = None) -> int:
    """Revoke the user's active tokens (only those starting with ``prefix`` if given)."""
    tokens = ApiToken.objects.filter(user=user, revoked_at__isnull=True)
    if prefix:
        tokens = tokens.filter(prefix__startswith=prefix[:10])
    return tokens.update(revoked_at=timezone.now())
