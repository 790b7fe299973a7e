"""Server-rendered previews of uploaded documents for the de-identification review: the first
page of a PDF (pypdfium2, the PDFium library in a wheel) or an image (Pillow), as a PNG no wider
than :data:`WIDTH` pixels. Nothing is loaded from elsewhere; the page's CSP stays strict (the
preview is a same-origin image). DICOM files show their header instead."""

from __future__ import annotations

import io

from PIL import Image

WIDTH = 900
#: Largest image accepted for a preview, in pixels (a decompression bomb is refused).
MAX_PIXELS = 60_000_000
PREVIEWABLE = frozenset({"application/pdf", "image/png", "image/jpeg"})


def _png(image: Image.Image) -> bytes:
    image.thumbnail((WIDTH, WIDTH * 2))
    out = io.BytesIO()
    image.convert("RGB").save(out, format="PNG", optimize=True)
    return out.getvalue()


def preview_png(data: bytes, content_type: str) -> bytes:
    """A PNG preview of a PDF's first page or of an image.

    Raises
    ------
    ValueError
        If the type has no preview or the file cannot be rendered.
    """
    if content_type == "application/pdf":
        import pypdfium2 as pdfium  # type: ignore[import-untyped]

        try:
            pdf = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            raise ValueError(f"the PDF cannot be rendered: {exc}") from exc
        try:
            if len(pdf) == 0:
                raise ValueError("the PDF has no pages")
            page = pdf[0]
            width = page.get_width() or 1
            bitmap = page.render(scale=min(3.0, WIDTH / width))
            return _png(bitmap.to_pil())
        finally:
            pdf.close()
    if content_type in ("image/png", "image/jpeg"):
        Image.MAX_IMAGE_PIXELS = MAX_PIXELS
        try:
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                return _png(image.copy())
        except (OSError, Image.DecompressionBombError) as exc:
            raise ValueError(f"the image cannot be rendered: {exc}") from exc
    raise ValueError(f"no preview for {content_type}")
