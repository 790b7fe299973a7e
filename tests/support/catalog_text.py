"""English left standing where a translated text was due, found with the shipped catalog.

A page or message in Arabic (or another shipped language) that still shows an English msgid
whose catalog HAS a translation forgot to translate it: a template without ``{% translate %}``
around a label, a string rendered outside ``translation.override``, a lazy string forced too
early. Only msgids with a translation different from the English count, so an English word the
catalog leaves alone (a drug's name, "SCIM III (0-100)") and a person's name (never a msgid)
are not flagged. Placeholders (``%(name)s``) match any text; HTML tags in a msgid are dropped,
as the browser's text drops them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parents[2] / "src" / "cordtrack" / "server" / "locale"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%[sd]")
TAG = re.compile(r"<[^>]+>")
LETTER = re.compile(r"[A-Za-z]")
#: A pattern with placeholders must hold this many English letters of its own to count:
#: "%(opens)s – %(closes)s" would otherwise match any text at all.
MIN_LETTERS = 4


def plain(text: str) -> str:
    """Tags dropped, whitespace collapsed (as ``innerText`` and a trimmed blocktranslate)."""
    return " ".join(TAG.sub("", text).replace("%%", "%").split())


def regex(message: str) -> str:
    """A regex source for ``message`` (whitespace collapsed, tags dropped) with each
    placeholder matching any text."""
    text = plain(message)
    pieces = []
    last = 0
    for found in PLACEHOLDER.finditer(text):
        pieces.append(re.escape(text[last : found.start()]))
        pieces.append(".+?")
        last = found.end()
    pieces.append(re.escape(text[last:]))
    return "".join(pieces)


def pattern(message: str) -> str | None:
    """:func:`regex` of an English ``message``, or None when it has too few letters of its own
    to tell it from any other text."""
    text = plain(message)
    letters = len(LETTER.findall(PLACEHOLDER.sub("", text)))
    if not letters or (PLACEHOLDER.search(text) and letters < MIN_LETTERS):
        return None
    return regex(text)


@dataclass(frozen=True)
class Entry:
    english: str
    translated: str


@cache
def entries(code: str) -> tuple[Entry, ...]:
    """The catalog's entries of ``code`` that are translated (not fuzzy, not empty) into
    something other than the English: singular and plural forms alike."""
    po = polib.pofile(str(LOCALE / code / "LC_MESSAGES" / "django.po"))
    found: list[Entry] = []
    for e in po:
        if e.obsolete or "fuzzy" in e.flags or not e.msgid:
            continue
        if e.msgid_plural:
            forms = [s for s in e.msgstr_plural.values() if s]
            if forms:
                found.append(Entry(e.msgid, forms[-1]))
                found.append(Entry(e.msgid_plural, forms[-1]))
        elif e.msgstr and plain(e.msgstr) != plain(e.msgid):
            found.append(Entry(e.msgid, e.msgstr))
    return tuple(found)


class Catalog:
    """The translated msgids of one language, to find in a page's texts or a message."""

    def __init__(self, code: str) -> None:
        self.code = code
        self.exact: dict[str, Entry] = {}
        self.patterned: list[tuple[re.Pattern[str], Entry]] = []
        for entry in entries(code):
            if PLACEHOLDER.search(entry.english):
                source = pattern(entry.english)
                if source is not None:
                    self.patterned.append((re.compile(source), entry))
            elif LETTER.search(entry.english):
                self.exact[plain(entry.english)] = entry
        # One alternation tells quickly whether any patterned msgid matches a text at all.
        self._any = re.compile("|".join(f"(?:{p.pattern})" for p, _ in self.patterned) or "(?!)")

    def untranslated(self, text: str) -> Entry | None:
        """The entry whose English ``text`` is, whole (a text node, an element's text)."""
        text = plain(text)
        if text in self.exact:
            return self.exact[text]
        if self._any.fullmatch(text):
            for compiled, entry in self.patterned:
                if compiled.fullmatch(text):
                    return entry
        return None

    def spans(self, text: str) -> list[tuple[int, int, Entry]]:
        """The translated msgids found inside ``text`` (whole words), longest first and not
        overlapping: the sentence wins over the word ("no") inside it."""
        text = plain(text)
        found: list[tuple[int, int, Entry]] = []
        sources = [(re.escape(k), e) for k, e in self.exact.items()]
        sources += [(p.pattern, e) for p, e in self.patterned]
        for source, entry in sources:
            for m in re.finditer(rf"(?<!\w){source}(?!\w)", text):
                found.append((m.start(), m.end(), entry))
        found.sort(key=lambda s: s[0] - s[1])
        kept: list[tuple[int, int, Entry]] = []
        for start, end, entry in found:
            if all(end <= s or start >= e for s, e, _ in kept):
                kept.append((start, end, entry))
        return sorted(kept, key=lambda s: s[0])
