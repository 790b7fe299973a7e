"""Creating, checking and revoking API tokens (the secret is never stored, only its SHA-256).

Creating and revoking a token grant and withdraw access to patient records, so both are in the
audit trail (the token's owner, name and prefix; never its secret nor its digest).
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone

from ..accounts.models import User
from ..api.models import ApiToken
from ..audit.chain import Change, append_many
from ..audit.models import AuditAction
from ..prepared import Prepared
from .base import FieldErrors

TOKEN_PREFIX = "ct_"


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(
    user: User, *, name: str = "", actor: Any = None, reason: str = ""
) -> tuple[ApiToken, str]:
    """A new token for ``user``, audited as created by ``actor`` (None: the system) with
    ``reason``; returns the record and the secret (shown once, never stored)."""
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
        fields = {"user_id": [None, user.pk], "name": [None, name], "prefix": [None, token.prefix]}
        append_many(actor, [Change(AuditAction.CREATE, _LABEL, token.pk, fields, reason)])
    return token, secret


#: The active token of a digest, with its user (asked by every API request).
_ACTIVE_TOKEN: Prepared[ApiToken] = Prepared(
    lambda digest: (
        ApiToken.objects.select_related("user")
        .filter(digest=digest, revoked_at__isnull=True)
        .order_by("pk")[:1]
    ),
    str,
)


def authenticate(secret: str) -> User | None:
    """The active user of an active token, else None; records when the token was last used."""
    token = _ACTIVE_TOKEN.first(digest(secret))
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def revoke_tokens(
    user: User, *, prefix: str | None = None, actor: Any = None, reason: str = ""
) -> int:
    """Revoke the user's active tokens (only those starting with ``prefix`` if given), each
    audited as revoked by ``actor`` (None: the system) with ``reason``; returns how many."""
    now = timezone.now()
    with transaction.atomic():
        tokens = ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True)
        if prefix:
            tokens = tokens.filter(prefix__startswith=prefix[:10])
        revoked = list(tokens.order_by("pk").values_list("pk", "prefix"))
        ApiToken.objects.filter(pk__in=[pk for pk, _ in revoked]).update(revoked_at=now)
        changes = [
            Change(AuditAction.UPDATE, _LABEL, pk, {"revoked_at": [None, now]}, reason)
            for pk, _ in revoked
        ]
        append_many(actor, changes)
    return len(revoked)


_LABEL = ApiToken._meta.label_lower
