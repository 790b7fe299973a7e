"""Small helpers that read settings from the environment and fail loudly at start-up.

Each raises :class:`django.core.exceptions.ImproperlyConfigured` naming the variable and what was
wrong with it, so a bad deployment stops before serving a single request.
"""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off", ""})


def env_str(name: str, default: str | None = None) -> str:
    """The variable's value, or ``default``; a missing variable without a default is an error."""
    value = os.environ.get(name)
    if value is None:
        if default is None:
            raise ImproperlyConfigured(f"environment variable {name} is required")
        return default
    return value


def env_bool(name: str, default: bool = False) -> bool:
    """``1/true/yes/on`` or ``0/false/no/off`` (case-insensitive); anything else is an error."""
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use 1 or 0)")


def env_int(name: str, default: int, minimum: int = 0) -> int:
    """An integer at least ``minimum``."""
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not an integer") from None
    if number < minimum:
        raise ImproperlyConfigured(f"{name}={number} must be at least {minimum}")
    return number


def env_list(name: str, default: tuple[str, ...] = ()) -> list[str]:
    """A comma-separated list, blanks dropped."""
    value = os.environ.get(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


# Placeholders people paste from examples; a key containing one is refused outside debug mode.
_PLACEHOLDERS = ("insecure", "changeme", "change-me", "example")
KEY_MIN_LENGTH = 32
KEY_MIN_DISTINCT = 10


def _value_or_default(name: str, debug_default: str | None) -> tuple[str, bool]:
    """``(value, True)`` when the variable is set; ``(debug_default, False)`` when it is not and
    a debug default is given; else a one-line refusal."""
    value = os.environ.get(name)
    if value is not None and value.strip():
        return value, True
    if debug_default is not None:
        return debug_default, False
    raise ImproperlyConfigured(
        f"environment variable {name} is required (`cordtrack config init` generates one)"
    )


def _refuse_weak(name: str, value: str, min_distinct: int) -> str:
    """``value`` if it has 32+ characters, ``min_distinct`` of them different, and no
    placeholder text; else a one-line refusal naming the variable."""
    lowered = value.lower()
    if (
        len(value) < KEY_MIN_LENGTH
        or len(set(value)) < min_distinct
        or any(word in lowered for word in _PLACEHOLDERS)
    ):
        raise ImproperlyConfigured(
            f"{name} is too weak: it needs {KEY_MIN_LENGTH}+ random characters "
            f"({min_distinct}+ different, no placeholder text); `cordtrack config init` "
            "generates one"
        )
    return value


def env_key(name: str, debug_default: str | None = None) -> str:
    """A secret key: required (unless ``debug_default`` is given: debug mode) and, outside debug
    mode, strong (:func:`_refuse_weak`). In debug mode a value that is set is taken as it is."""
    value, was_set = _value_or_default(name, debug_default)
    if not was_set or debug_default is not None:
        return value
    return _refuse_weak(name, value, KEY_MIN_DISTINCT)


AUDIT_KEY_MIN_DISTINCT = 16


def env_audit_key(name: str, debug_default: str | None = None) -> str:
    """The audit key: the secret key's rule with more distinct characters, and checked whenever
    it is set, debug mode included, because entries sealed with it outlive the mode (ADR 0029)."""
    value, was_set = _value_or_default(name, debug_default)
    return _refuse_weak(name, value, AUDIT_KEY_MIN_DISTINCT) if was_set else value
