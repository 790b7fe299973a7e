"""``{{ value|evidence }}``: an engine sentence or a data phrase in the reader's language.

The translation as text, or the engine's English marked ``<span lang="en">`` when there is none
(:mod:`cordtrack.server.evidence_words`). A value that is already :class:`Words` is rendered.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from cordtrack.server.evidence_words import Words, words

register = template.Library()


@register.filter
def evidence(value: Any) -> SafeString | str:
    found = value if isinstance(value, Words) else words(value)
    return found.__html__() if isinstance(found, Words) else ""
