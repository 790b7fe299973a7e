"""What the pages show of signatures: a record's signatures with their state, and a sign-off form
(the statement, the meaning, the password field and its error)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from ..services import signatures
from .models import Meaning


def signature_context(record: models.Model) -> dict[str, Any]:
    """``sig_states`` for ``signatures/_list.html``."""
    return {"sig_states": signatures.states(record)}


def sign_form(
    user: Any,
    *,
    action: str,
    meaning: str,
    title: str,
    statement: str,
    button: str,
    errors: Mapping[str, Sequence[str]] | None = None,
    note: str = "",
    form_id: str = "sign",
    fields: Sequence[Any] = (),
) -> dict[str, Any]:
    """The ``sign`` context of ``signatures/_form.html``."""
    return {
        "action": action, "meaning": meaning, "meaning_label": Meaning(meaning).label,
        "title": title, "statement": statement, "button": button, "errors": dict(errors or {}),
        "note": note, "id": form_id, "printed_name": signatures.printed_name(user),
        "fields": list(fields),
    }  # fmt: skip


def field_errors(exc: ValidationError) -> dict[str, list[str]]:
    """A service's ValidationError as ``{field: [messages]}``."""
    if hasattr(exc, "error_dict"):
        return {k: list(v) for k, v in exc.message_dict.items()}
    return {"__all__": list(exc.messages)}
