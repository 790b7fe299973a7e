"""A sentence of the engine as a stable code, its parameters and its English wording.

The engines speak English (no Django, no catalogs here). A reason or caveat that a patient may
read is also returned as a :class:`Said`, so that the web layer can word it in the reader's
language from ``code`` and ``params`` (``cordtrack.server.evidence_words``) while ``english``
stays exactly the text the engine has always returned. Codes are part of the public API: rename
one only together with its wording in the web layer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Said"]


@dataclass(frozen=True, slots=True)
class Said:
    """``code`` names the sentence, ``params`` fill it in; ``english`` is the engine's wording."""

    code: str
    english: str
    params: dict[str, Any] = field(default_factory=dict, hash=False, compare=True)

    def __str__(self) -> str:
        return self.english
