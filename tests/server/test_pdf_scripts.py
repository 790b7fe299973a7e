"""Every PDF prints every shipped script: a page in English, Spanish, Arabic, Hindi and Thai
rendered by the project's PDF path (WeasyPrint), then read back glyph by glyph from the file.

A character no installed font covers is drawn as glyph 0, ``.notdef`` (an empty box); these tests
fail then. They need Debian's fonts-noto-core (``make install`` installs it): without it the
Hindi and Thai samples come out as .notdef (DejaVu, the only other font, has neither script).
"""

from __future__ import annotations

import unicodedata

import pytest
from django.template import engines
from pdf_glyphs import Glyph, drawn_glyphs

from cordtrack.server.reports.pdf import html_to_pdf

#: A sentence per shipped language, patient-facing in tone: their script's letters, vowel signs
#: and (Hindi) a conjunct and a reordered vowel sign; (Spanish) accents and ñ.
SAMPLES: dict[str, str] = {
    "en": "Your next visit is on 12 March; bring your walking aids.",
    "es": "Su próxima visita: traiga sus ayudas para caminar, señora Núñez.",
    "ar": "موعد زيارتك القادمة في المستشفى",
    "hi": "आपकी अगली मुलाक़ात अस्पताल में है, कृपया दवाइयाँ साथ लाएँ",
    "th": "การนัดหมายครั้งต่อไปของคุณที่โรงพยาบาล",
}

_PAGE = """{% extends "reports/pdf/base.html" %}{% block body %}
{% for lang, text in samples %}
<p lang="{{ lang }}"{% if lang == "ar" %} dir="rtl"{% endif %}>{{ text }}</p>
{% endfor %}{% endblock %}"""


def _pdf(samples: dict[str, str]) -> bytes:
    html = engines["django"].from_string(_PAGE).render({"samples": list(samples.items())})
    return html_to_pdf(html)


def _letters(text: str) -> set[str]:
    """The characters a reader must see: not spaces, not joiners/format controls."""
    return {c for c in text if not c.isspace() and unicodedata.category(c) != "Cf"}


def test_every_shipped_script_prints_without_a_missing_glyph() -> None:
    glyphs = drawn_glyphs(_pdf(SAMPLES))
    missing = sorted({g.text for g in glyphs if g.missing})
    assert missing == [], f".notdef drawn for {missing}"
    printed = "".join(g.text for g in glyphs)
    for lang, text in SAMPLES.items():
        absent = _letters(text) - set(printed)
        assert not absent, f"{lang}: no glyph stands for {sorted(absent)}"


@pytest.mark.parametrize(
    ("lang", "family"),
    [("ar", "NotoNaskhArabic"), ("hi", "NotoSansDevanagari"), ("th", "NotoSansThai")],
)
def test_each_script_prints_in_its_noto_family(lang: str, family: str) -> None:
    glyphs = drawn_glyphs(_pdf({lang: SAMPLES[lang]}))
    # A subset's /BaseFont is "ABCDEF+" and the font's PostScript name, here with dashes.
    fonts = {g.font.split("+")[-1].replace("-", "") for g in glyphs if g.text.strip()}
    assert any(name.startswith(family) for name in fonts), fonts


def test_a_character_no_font_covers_is_caught_as_notdef() -> None:
    # U+E000 is private use: no installed font has it, so the checker must report it (the same
    # failure these tests show for Hindi and Thai when fonts-noto-core is not installed).
    glyphs = drawn_glyphs(_pdf({"en": "box \ue000 here"}))
    assert [g.text for g in glyphs if g.missing] == ["\ue000"]


def _arabic_run(glyphs: list[Glyph]) -> list[Glyph]:
    runs = {g.run for g in glyphs if "\u0600" <= g.text[:1] <= "\u06ff"}
    assert len(runs) == 1, runs
    return [g for g in glyphs if g.run in runs]


def test_arabic_is_shaped_and_drawn_right_to_left() -> None:
    # "سلام" (peace) then "س" alone. Drawn order is visual, left to right: a right-to-left line
    # is drawn from its last letter (Unicode Bidirectional Algorithm, UAX #9); left to right, the
    # glyphs would start with the first letter, "س" of "سلام", then "ل".
    glyphs = [g for g in _arabic_run(drawn_glyphs(_pdf({"ar": "سلام س"}))) if g.text.strip()]
    texts = [g.text for g in glyphs]
    # Visual order: the lone "س" (logically last) is leftmost; "م" ends the word on the left.
    assert texts[:2] == ["س", "م"], texts
    # Contextual shaping (Unicode ch. 9.2, "Arabic"): the initial "س" of "سلام" is a different
    # glyph from the isolated one; unshaped text would draw the same glyph twice.
    seen = [g.gid for g in glyphs if g.text == "س"]
    assert len(seen) == 2, seen
    assert seen[0] != seen[1], seen
