"""PDF rendering through WeasyPrint (docs/adr: "PDF reports with WeasyPrint").

The PDF templates are HTML with their own print stylesheet; charts are the same inline SVG as the
pages. Fonts come from fontconfig (DejaVu on Debian), so "≥" and "–" print as they read.
"""

from __future__ import annotations

import logging
from typing import Any

from django.template.loader import render_to_string

# WeasyPrint and fontTools log every layout step at INFO; only their warnings are of interest.
for _name in ("weasyprint", "fontTools"):
    logging.getLogger(_name).setLevel(logging.WARNING)


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    """The PDF of ``template`` rendered with ``context``."""
    # Imported here: loading pango takes a moment. WeasyPrint ships no type information.
    from weasyprint import HTML  # type: ignore[import-untyped]

    html = render_to_string(template, context)
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf
