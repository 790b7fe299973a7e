"""The audit key: an HMAC key kept outside the database that seals every audit entry.

Each entry's hash covers its content and the previous entry's hash, so whoever controls the
database can still rewrite a row and recompute every later hash (ADR 0002). The seal, HMAC-SHA256
of the entry's hash under ``settings.AUDIT_KEY`` (``CORDTRACK_AUDIT_KEY``), cannot be recomputed
without the key, which lives in the application's environment, never in the database. Each entry
records the id of the key that sealed it (a digest of the key, never the key), so keys can be
rotated: new entries are sealed with the current key and older ones still verify with the keys in
``settings.AUDIT_PREVIOUS_KEYS`` (``CORDTRACK_AUDIT_PREVIOUS_KEYS``). See ADR 0029.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings

#: In DEBUG or demo mode without ``CORDTRACK_AUDIT_KEY`` the trail is sealed with this key. It is
#: public (it is in the source), so it proves nothing: a system check warns while it is in use.
DEV_KEY = "cordtrack-PUBLIC-development-audit-key-not-for-real-patients"

_ENTRY = b"cordtrack-audit-entry:"


def key_id(key: str) -> str:
    """A short public name of ``key``: a digest of it, from which the key cannot be found."""
    return hashlib.sha256(b"cordtrack-audit-key-id:" + key.encode()).hexdigest()[:16]


def current() -> tuple[str, bytes]:
    """The id and bytes of the key that seals new entries."""
    key: str = settings.AUDIT_KEY
    return key_id(key), key.encode()


def known() -> dict[str, bytes]:
    """Every key an entry may be sealed with (current and previous), by id."""
    keys = [settings.AUDIT_KEY, *getattr(settings, "AUDIT_PREVIOUS_KEYS", ())]
    return {key_id(key): key.encode() for key in keys}


def seal(entry_hash: str, key: bytes) -> str:
    """The entry's seal: HMAC-SHA256 of its hash (which covers its content and predecessors)."""
    return hmac.new(key, _ENTRY + entry_hash.encode(), hashlib.sha256).hexdigest()


def is_sealed(entry_hash: str, mac: str, key: bytes) -> bool:
    return hmac.compare_digest(seal(entry_hash, key), mac)


def using_dev_key() -> bool:
    return bool(settings.AUDIT_KEY == DEV_KEY)
