"""HTML to PDF through WeasyPrint with one shared font configuration and the asset fetcher.

Why it is fast: the packaged fonts are already cut to the scripts the templates print
(``fonts/build_fonts.py``: ~35 KB a face instead of ~450 KB), so what WeasyPrint still does
per render, keeping the glyphs used (HarfBuzz's subsetter, a few milliseconds) and
compressing the font streams, works on small files; the ``FontConfiguration`` (fontconfig
and Pango's font map, and the parsed ``@font-face`` files) is made once per renderer and
shared; images are not re-optimised. ``full_fonts=True`` (embed the whole font, no
per-render subsetting) was measured too: no faster here, and WeasyPrint 70 then writes a
ToUnicode map in which the space glyph is lost, so extracted text runs words together;
it stays off. Rendering holds a lock: WeasyPrint's font configuration is not made for
concurrent use, and a service runs renders in a worker thread one at a time.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import msgspec
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration

from qh.kit.render.fetcher import AssetFetcher
from qh.kit.render.templates import KIT_ASSETS

PDF_OPTIONS: dict[str, Any] = {
    "full_fonts": False,  # see above: whole fonts lose the space in the ToUnicode map
    "hinting": False,
    "optimize_images": False,
    "uncompressed_pdf": False,  # compressed streams: ~3x smaller files for ~2 ms
    "pdf_tags": False,
}


class RenderedPdf(msgspec.Struct, frozen=True):
    content: bytes
    pages: int
    milliseconds: float


class PdfRenderer:
    """One per process: ``render(html, base_url)`` → :class:`RenderedPdf`."""

    def __init__(self, asset_roots: Mapping[str, Path] | None = None, **options: Any) -> None:
        roots = {"kit": KIT_ASSETS, **(asset_roots or {})}
        self.fetcher = AssetFetcher(roots)
        self.font_config = FontConfiguration()
        self.options = {**PDF_OPTIONS, **options}
        self._lock = threading.Lock()

    def render(self, html: str, base_url: str) -> RenderedPdf:
        started = time.perf_counter()
        with self._lock:
            document = HTML(string=html, base_url=base_url, url_fetcher=self.fetcher).render(
                font_config=self.font_config, **self.options
            )
            content = document.write_pdf(**self.options)
        assert content is not None
        return RenderedPdf(
            content=content,
            pages=len(document.pages),
            milliseconds=(time.perf_counter() - started) * 1000,
        )


__all__ = ["PDF_OPTIONS", "PdfRenderer", "RenderedPdf"]
