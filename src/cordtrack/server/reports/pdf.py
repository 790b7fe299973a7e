"""PDF rendering through WeasyPrint (docs/adr: "PDF reports with WeasyPrint").

The PDF templates are HTML with their own print stylesheet; charts are the same inline SVG as the
pages. Fonts come from fontconfig. Every PDF (reports, consent, travel letter, progress) may carry
a patient's name, answers or consent text in any shipped language, so :data:`SCRIPT_FONTS` is
added to every document: the Noto families that cover Latin, Arabic, Devanagari (Hindi) and Thai,
all in Debian's ``fonts-noto-core``, which the Makefile installs when missing. Without them pango
draws ".notdef" boxes for Hindi and Thai (DejaVu has neither script);
tests/server/test_pdf_scripts.py renders each script and fails on any missing glyph.
"""

from __future__ import annotations

import logging
from typing import Any, Final

from django.http import HttpResponse
from django.template.loader import render_to_string

# WeasyPrint and fontTools log every layout step at INFO; only their warnings are of interest.
for _name in ("weasyprint", "fontTools"):
    logging.getLogger(_name).setLevel(logging.WARNING)

#: Font families by script, in the order pango tries them for each character: Latin (and the
#: Spanish accents) first, Arabic in Naskh (the book style readers expect of a letter) then the
#: sans design, Devanagari, Thai; DejaVu last for the symbols ("≥", "–") it has always printed.
FONT_FAMILIES: Final = (
    "Noto Sans",
    "Noto Naskh Arabic",
    "Noto Sans Arabic",
    "Noto Sans Devanagari",
    "Noto Sans Thai",
    "DejaVu Sans",
    "sans-serif",
)

#: Added after each template's own stylesheet. ``!important``: a template may name a Latin-only
#: family for its body, and one font stack for every PDF keeps each script covered whatever the
#: template says (CSS 2.1 §6.4.2: an important declaration wins over normal ones). ``html`` too:
#: the page margin boxes (footers) inherit from the root element (CSS Paged Media §4.1).
SCRIPT_FONTS: Final = "html, body {{ font-family: {} !important; }}".format(
    ", ".join(f'"{f}"' if " " in f else f for f in FONT_FAMILIES)
)


def html_to_pdf(html: str) -> bytes:
    """The PDF of an HTML document, with :data:`SCRIPT_FONTS`."""
    # Imported here: loading pango takes a moment. WeasyPrint ships no type information.
    from weasyprint import CSS, HTML  # type: ignore[import-untyped]

    pdf: bytes = HTML(string=html).write_pdf(stylesheets=[CSS(string=SCRIPT_FONTS)])
    return pdf


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    """The PDF of ``template`` rendered with ``context``."""
    return html_to_pdf(render_to_string(template, context))


def pdf_response(pdf: bytes, name: str) -> HttpResponse:
    """``pdf`` shown in the browser (not downloaded), saved as ``name`` if the reader saves it."""
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response
