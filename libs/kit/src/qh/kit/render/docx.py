"""DOCX that applicant-tracking systems read: real heading styles (``Heading 1``/``2``),
real list paragraphs (``List Bullet``), plain paragraphs in reading order, and no tables or
text boxes for layout."""

from __future__ import annotations

import io
from collections.abc import Iterable

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor


def _hex(colour: str | None) -> RGBColor | None:
    if not colour or len(colour.lstrip("#")) != 6:
        return None
    return RGBColor.from_string(colour.lstrip("#").upper())


class DocxWriter:
    """Build a document top to bottom, then ``to_bytes()``."""

    def __init__(
        self,
        *,
        font: str = "Arial",
        size: float = 10.5,
        accent: str | None = None,
        title: str | None = None,
        language: str = "en",
    ) -> None:
        self.document = Document()
        self.accent = _hex(accent)
        styles = self.document.styles
        for name in ("Normal", "Title", "Heading 1", "Heading 2", "List Bullet"):
            style = styles[name]
            style.font.name = font  # type: ignore[attr-defined]
            r_pr = style.element.get_or_add_rPr()
            fonts = r_pr.get_or_add_rFonts()
            for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
                fonts.set(qn(attribute), font)
            lang = r_pr.find(qn("w:lang"))
            if lang is None:
                lang = r_pr.makeelement(qn("w:lang"), {})
                r_pr.append(lang)
            lang.set(qn("w:val"), "ru-RU" if language == "ru" else "en-US")
        styles["Normal"].font.size = Pt(size)  # type: ignore[attr-defined]
        styles["Title"].font.size = Pt(22)  # type: ignore[attr-defined]
        styles["Heading 1"].font.size = Pt(13)  # type: ignore[attr-defined]
        styles["Heading 2"].font.size = Pt(11)  # type: ignore[attr-defined]
        if self.accent is not None:
            for name in ("Title", "Heading 1"):
                styles[name].font.color.rgb = self.accent  # type: ignore[attr-defined]
        if title:
            self.document.core_properties.title = title[:255]
        self.document.core_properties.language = "ru-RU" if language == "ru" else "en-US"

    def title(self, text: str) -> None:
        self.document.add_paragraph(text, style="Title")

    def heading(self, text: str, level: int = 1) -> None:
        self.document.add_heading(text, level=level)

    def paragraph(
        self, text: str, *, bold: bool = False, italic: bool = False, small: bool = False
    ) -> None:
        """One paragraph; a line break in ``text`` is a line break in it."""
        paragraph = self.document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
        for index, line in enumerate(text.split("\n")):
            if index:
                paragraph.runs[-1].add_break()
            run = paragraph.add_run(line)
            run.bold, run.italic = bold or None, italic or None
            if small:
                run.font.size = Pt(9)

    def bullets(self, items: Iterable[str]) -> None:
        for item in items:
            self.document.add_paragraph(item, style="List Bullet")

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.document.save(buffer)
        return buffer.getvalue()


__all__ = ["DocxWriter"]
