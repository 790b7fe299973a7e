"""Which wording of a questionnaire a patient sees: the original, a validated or a working
translation (ADR 0044).

The instruments (``cordtrack.clinical.instruments``) are defined in English, their original
language here. A translated questionnaire is not the same measurement until the translation has
been validated (forward and back translation, cognitive debriefing; Wild D et al., "Principles of
Good Practice for the Translation and Cultural Adaptation Process for Patient-Reported Outcomes
Measures", Value Health 2005;8(2):94-104). So another language is shown as:

* a **validated** translation when one is recorded for the instrument's current version and the
  language (:class:`~.models.ValidatedTranslation`, with its source), in its recorded wording;
* else a **working** translation from ``questionnaire_texts/<language>.json`` (package data, kept
  out of the gettext catalogs: item wording is not interface text), labelled "not validated";
* else the English original.

The answer keeps the language and the status (``InstrumentResponse.language``/``translation``).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from cordtrack.clinical.instruments import INSTRUMENTS, Instrument

from .models import TranslationStatus, ValidatedTranslation

#: The language the instruments are defined in.
ORIGINAL_LANGUAGE: Final = "en"

#: Shown, in English, beside a working translation's own notice (for staff reading the page).
WORKING_LABEL: Final = "Working translation, not validated"

_TEXTS: Final = Path(__file__).with_name("questionnaire_texts")


@dataclass(frozen=True, slots=True)
class Wording:
    """The texts of one instrument in one language, and whether they are validated."""

    instrument: str
    version: str
    language: str
    status: str  # a TranslationStatus value
    name: str
    labels: Mapping[str, str] = field(default_factory=dict)
    options: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    notice: str = ""  # shown above the items; "" for the original
    source: str = ""  # the validation's citation, for a validated translation

    def label(self, definition: Instrument, key: str) -> str:
        return self.labels.get(key) or definition.item(key).label

    def option(self, definition: Instrument, key: str, answer: object) -> str:
        """The meaning of ``answer`` to item ``key`` ("" when none is published)."""
        own = self.options.get(key, {}).get(str(answer))
        if own is not None:
            return own
        return definition.item(key).label_of(answer) or ""  # type: ignore[arg-type]


@functools.cache
def working_texts(language: str) -> Mapping[str, Any] | None:
    """The working translations into ``language`` (None when none is shipped)."""
    path = _TEXTS / f"{language}.json"
    if not language.isalpha() or not path.is_file():  # a code, never a path
        return None
    loaded: Mapping[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def shipped_languages() -> tuple[str, ...]:
    """The languages with working translations in the package."""
    return tuple(sorted(p.stem for p in _TEXTS.glob("*.json")))


def problems(definition: Instrument, texts: Mapping[str, Any]) -> list[str]:
    """What is missing or wrong in ``texts`` for ``definition``: every item needs a label, every
    published option meaning a translation, and nothing may name an item or answer not there."""
    found: list[str] = []
    if not isinstance(texts.get("name"), str) or not texts["name"].strip():
        found.append("name: missing")
    items = texts.get("items")
    if not isinstance(items, Mapping):
        return [*found, "items: missing"]
    for key in sorted(set(items) - set(definition.keys)):
        found.append(f"items.{key}: no such item in {definition.code}")
    for item in definition.items:
        entry = items.get(item.key)
        if not isinstance(entry, Mapping) or not str(entry.get("label", "")).strip():
            found.append(f"items.{item.key}.label: missing")
            continue
        options = entry.get("options", {})
        allowed = {str(a) for a in item.allowed}
        for answer in sorted(set(options) - allowed):
            found.append(f"items.{item.key}.options.{answer}: not an answer of this item")
        for answer, _ in item.option_labels:
            if not str(options.get(str(answer), "")).strip():
                found.append(f"items.{item.key}.options.{answer}: missing")
    return found


def _from_texts(definition: Instrument, texts: Mapping[str, Any]) -> dict[str, Any]:
    items: Mapping[str, Mapping[str, Any]] = texts["items"]
    return {
        "name": texts["name"],
        "labels": {k: str(v["label"]) for k, v in items.items()},
        "options": {k: {str(a): str(t) for a, t in v.get("options", {}).items()}
                    for k, v in items.items()},
    }  # fmt: skip


def original(code: str) -> Wording:
    definition = INSTRUMENTS[code][0]
    return Wording(
        code, definition.version, ORIGINAL_LANGUAGE, TranslationStatus.ORIGINAL, definition.name
    )


def wording(code: str, language: str) -> Wording:
    """The wording of instrument ``code`` to show a patient whose language is ``language``."""
    definition = INSTRUMENTS[code][0]
    if not language or language == ORIGINAL_LANGUAGE:
        return original(code)
    working = working_texts(language) or {}
    validated = ValidatedTranslation.objects.filter(
        instrument=code, version=definition.version, language=language
    ).first()
    if validated is not None:
        return Wording(
            code, definition.version, language, TranslationStatus.VALIDATED,
            notice=str(working.get("validated_notice") or "Validated translation"),
            source=validated.source, **_from_texts(definition, validated.texts),
        )  # fmt: skip
    entry = working.get("instruments", {}).get(code)
    # A working translation of another version of the instrument is not shown (its items may
    # differ); nor is an incomplete one.
    if entry and entry.get("version") == definition.version and not problems(definition, entry):
        return Wording(
            code, definition.version, language, TranslationStatus.WORKING,
            notice=str(working["notice"]), **_from_texts(definition, entry),
        )  # fmt: skip
    return original(code)
