"""Medication classes by WHO ATC code for screening (anticoagulants, immunosuppressants).

A medication is entered by name (free text, as on a referral letter: "Apixaban 5 mg bid") and,
optionally, its ATC code. :func:`identify` finds the substance whose international
non-proprietary name or synonym appears as whole words in the name; :func:`classify` gives its
ATC code (the one entered wins) and the classes that code falls in. Classes are ATC prefixes:
an anticoagulant is B01AA, B01AB, B01AE, B01AF or B01AX05; an immunosuppressant any L04 code.

Source
------
The list is vendored in ``data/atc_medication_classes.json`` with its source (the WHO
Collaborating Centre for Drug Statistics Methodology's ATC/DDD Index), the index year, and how it
was compiled (a hand-made subset, not the full index). Matching by prefix keeps a substance's
class when the index moves it within a group (as the 2024 edition did within L04).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any, Final

__all__ = [
    "ATC_PATTERN",
    "MedicationClass",
    "Substance",
    "classes",
    "classify",
    "identify",
    "in_class",
    "source",
]

#: A WHO ATC code at any level: A, A01, A01A, A01AA, A01AA01.
ATC_PATTERN: Final = re.compile(r"[A-Z](\d\d([A-Z]([A-Z](\d\d)?)?)?)?")
_WORDS: Final = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True, slots=True)
class MedicationClass:
    """A class of medications, defined by ATC code prefixes."""

    code: str
    label: str
    atc: tuple[str, ...]

    def contains(self, atc_code: str) -> bool:
        return any(atc_code.startswith(prefix) for prefix in self.atc)


@dataclass(frozen=True, slots=True)
class Substance:
    """One substance of the vendored list: its ATC code, name and synonyms (lower case)."""

    atc: str
    name: str
    synonyms: tuple[str, ...]


@cache
def _data() -> dict[str, Any]:
    text = resources.files(__package__).joinpath("data/atc_medication_classes.json").read_text()
    data: dict[str, Any] = json.loads(text)
    return data


def source() -> dict[str, str]:
    """Where the list comes from: title, source, version and how it was compiled."""
    return {k: str(_data()[k]) for k in ("title", "source", "version", "compiled")}


@cache
def classes() -> Mapping[str, MedicationClass]:
    """The classes protocols may exclude, by code (``anticoagulant``, ``immunosuppressant``...)."""
    return {
        code: MedicationClass(code, str(c["label"]), tuple(c["atc"]))
        for code, c in _data()["classes"].items()
    }


def _words(text: str) -> tuple[str, ...]:
    return tuple(_WORDS.findall(text.lower()))


@cache
def _index() -> tuple[tuple[tuple[str, ...], Substance], ...]:
    """Every name and synonym as a word sequence, longest first (so "mycophenolate mofetil"
    is preferred to a shorter name inside it)."""
    out = []
    for row in _data()["substances"]:
        substance = Substance(str(row["atc"]), str(row["name"]), tuple(row["synonyms"]))
        for alias in (substance.name, *substance.synonyms):
            out.append((_words(alias), substance))
    out.sort(key=lambda pair: -len(pair[0]))
    return tuple(out)


def _contains(words: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(words[i : i + n] == phrase for i in range(len(words) - n + 1))


@lru_cache(maxsize=4096)  # the same few names are screened again and again (a registry's)
def identify(name: str) -> Substance | None:
    """The substance named in ``name`` (whole words, any case), or None."""
    words = _words(name)
    for phrase, substance in _index():
        if phrase and _contains(words, phrase):
            return substance
    return None


def classify(name: str, atc_code: str = "") -> tuple[str, frozenset[str]]:
    """The ATC code of a medication (``atc_code`` if given, else its identified substance's;
    "" when unknown) and the codes of the classes it belongs to."""
    code = atc_code.strip().upper()
    if not code:
        substance = identify(name)
        code = substance.atc if substance is not None else ""
    if not code:
        return "", frozenset()
    return code, frozenset(c.code for c in classes().values() if c.contains(code))


def in_class(medications: Iterable[tuple[str, str]], class_code: str) -> list[tuple[str, str]]:
    """The ``(name, atc_code)`` medications that belong to the class ``class_code``."""
    found = []
    for name, atc in medications:
        code, member_of = classify(name, atc)
        if class_code in member_of:
            found.append((name, code))
    return found
