"""The glyphs a PDF draws, read back from the file: which font, which glyph, which characters.

A PDF shows text as codes in a font (ISO 32000-1 §9.4.3, ``Tj``/``TJ``); for the composite
(Type 0) fonts WeasyPrint writes, the font's ``/Encoding`` CMap maps each 2-byte code to a CID
(``/Identity-H``: the code itself; otherwise a ``begincidchar`` table) and ``/CIDToGIDMap`` maps
the CID to a glyph of the embedded font program (§9.7.4.2; WeasyPrint writes ``/Identity``).
Glyph 0 is ``.notdef`` in every TrueType/OpenType font: what a viewer draws, as an empty box, for
a character no font covered. WeasyPrint maps such a character's code to CID 0 in its own CMap.
The ``/ToUnicode`` CMap (§9.10.3) tells which characters each code stands for.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from fontTools.ttLib import TTFont
from pypdf import PdfReader
from pypdf.generic import (
    ByteStringObject,
    ContentStream,
    DictionaryObject,
    NameObject,
    TextStringObject,
)

_BFCHAR = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>")
_CIDCHAR = re.compile(rb"<([0-9a-fA-F]+)>\s+(\d+)")
_BLOCK = re.compile(rb"begin(bfchar|cidchar)(.*?)end\1", re.S)


@dataclass(frozen=True, slots=True)
class Glyph:
    """One drawn glyph, in drawing order (left to right along a line)."""

    font: str  # the font's /BaseFont, e.g. "/ABCDEF+NotoSansThai-Regular"
    gid: int  # the glyph in the embedded font program; 0 is .notdef
    text: str  # the characters it stands for (a ligature stands for several)
    run: int  # which TJ/Tj operator drew it: a run's glyphs follow each other on the line

    @property
    def missing(self) -> bool:
        return self.gid == 0


def _pairs(stream: bytes, kind: str) -> dict[int, bytes]:
    out: dict[int, bytes] = {}
    for block_kind, body in _BLOCK.findall(stream):
        if block_kind.decode() != kind:
            continue
        pattern = _BFCHAR if kind == "bfchar" else _CIDCHAR
        for code, value in pattern.findall(body):
            out[int(code, 16)] = value
    return out


@dataclass
class _Font:
    name: str
    to_unicode: dict[int, str]
    to_cid: dict[int, int] | None  # None: Identity-H
    glyph_count: int

    def glyph(self, code: int) -> int:
        cid = code if self.to_cid is None else self.to_cid.get(code, 0)
        return cid  # CIDToGIDMap /Identity (asserted in _font)


def _font(font: DictionaryObject) -> _Font:
    font = font.get_object()
    assert font["/Subtype"] == "/Type0", f"not a composite font: {font['/Subtype']}"
    descendant = font["/DescendantFonts"][0].get_object()
    assert descendant.get("/CIDToGIDMap") == "/Identity", "only identity CID-to-glyph maps"
    program = descendant["/FontDescriptor"].get_object()
    data = (program.get("/FontFile2") or program.get("/FontFile3")).get_object().get_data()
    glyph_count = len(TTFont(io.BytesIO(data), lazy=True).getGlyphOrder())
    encoding = font["/Encoding"]
    to_cid = None
    if not isinstance(encoding, NameObject):
        to_cid = {
            code: int(v) for code, v in _pairs(encoding.get_object().get_data(), "cidchar").items()
        }
    else:
        assert encoding == "/Identity-H", encoding
    to_unicode = {
        code: bytes.fromhex(v.decode()).decode("utf-16-be")
        for code, v in _pairs(font["/ToUnicode"].get_object().get_data(), "bfchar").items()
    }
    return _Font(str(font["/BaseFont"]), to_unicode, to_cid, glyph_count)


def drawn_glyphs(pdf: bytes) -> list[Glyph]:
    """Every glyph every page draws, in content-stream order."""
    reader = PdfReader(io.BytesIO(pdf))
    glyphs: list[Glyph] = []
    run = 0
    for page in reader.pages:
        fonts = {name: _font(ref) for name, ref in page["/Resources"]["/Font"].items()}
        current: _Font | None = None
        for operands, operator in ContentStream(page.get_contents(), reader).operations:
            if operator == b"Tf":
                current = fonts[operands[0]]
            elif operator in (b"Tj", b"TJ") and current is not None:
                run += 1
                parts = operands[0] if operator == b"TJ" else [operands[0]]
                for item in parts:
                    # pypdf decodes a string it can read as text: the codes are its bytes.
                    if isinstance(item, TextStringObject):
                        part = item.original_bytes
                    elif isinstance(item, ByteStringObject):
                        part = bytes(item)
                    else:
                        continue  # a kerning adjustment
                    for i in range(0, len(part), 2):
                        code = int.from_bytes(part[i : i + 2], "big")
                        gid = current.glyph(code)
                        assert gid < current.glyph_count, f"glyph {gid} not in {current.name}"
                        text = current.to_unicode.get(code, "")
                        glyphs.append(Glyph(current.name, gid, text, run))
    return glyphs
