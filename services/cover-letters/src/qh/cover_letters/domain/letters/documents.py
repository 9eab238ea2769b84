"""A letter as a document: the HTML of its template (the PDF's source, in the resume
designs' family: PT Serif, the classic header), the PDF, a DOCX and plain UTF-8 text."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from qh.kit.render import (
    ASSET_ORIGIN,
    DocumentTemplate,
    DocxWriter,
    PdfRenderer,
    RenderedPdf,
    TemplateLibrary,
)

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
TEMPLATE = "letter"


class Sheet(dict[str, Any]):
    """What a letter renders from: ``name``, ``headline``, ``contacts``, ``company``,
    ``role``, ``date`` and ``paragraphs`` (the text's blocks)."""


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]


def sheet(
    text: str,
    *,
    profile: dict[str, Any] | None,
    company: str | None,
    role: str | None,
    language: str,
    today: date,
) -> Sheet:
    personal = (profile or {}).get("personal") or {}
    location = personal.get("location") or {}
    contacts = [
        str(c) for c in (personal.get("email"), personal.get("phone"), location.get("city")) if c
    ]
    return Sheet(
        name=str(personal.get("full_name") or ""),
        headline=str(personal.get("headline") or ""),
        contacts=contacts,
        company=company or "",
        role=role or "",
        date=letter_date(today, language),
        paragraphs=paragraphs(text),
    )


_MONTHS_RU = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
              "сентября", "октября", "ноября", "декабря")  # fmt: skip


_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December")  # fmt: skip


def letter_date(day: date, language: str) -> str:
    """The date line of a letter: «1 декабря 2026 г.» / «1 December 2026»."""
    if language == "ru":
        return f"{day.day} {_MONTHS_RU[day.month - 1]} {day.year} г."
    return f"{day.day} {_MONTHS_EN[day.month - 1]} {day.year}"


class LetterRenderer:
    def __init__(self, templates_root: Path = TEMPLATES) -> None:
        self.library = TemplateLibrary(templates_root)
        self.pdf_renderer = PdfRenderer({"templates": self.library.root})

    @property
    def template(self) -> DocumentTemplate:
        template = self.library.get(TEMPLATE)
        assert template is not None  # packaged
        return template

    def html(self, data: Sheet, *, language: str, asset_base: str = ASSET_ORIGIN) -> str:
        return self.library.render(
            self.template,
            {"l": data},
            language=language,
            kit_base=f"{asset_base}kit/",
            template_base=f"{asset_base}templates/{TEMPLATE}/",
        )

    def pdf(self, data: Sheet, *, language: str) -> RenderedPdf:
        html = self.html(data, language=language)
        return self.pdf_renderer.render(html, f"{ASSET_ORIGIN}templates/{TEMPLATE}/")

    def docx(self, data: Sheet, *, language: str, title: str) -> bytes:
        doc = DocxWriter(font="Times New Roman", size=11.5, title=title, language=language)
        if data["name"]:
            doc.paragraph(data["name"], bold=True)
        if data["contacts"]:
            doc.paragraph(" · ".join(data["contacts"]), small=True)
        doc.paragraph(data["date"])
        for block in data["paragraphs"]:
            doc.paragraph(block)
        return doc.to_bytes()

    @staticmethod
    def txt(text: str) -> bytes:
        return ("\n\n".join(paragraphs(text)) + "\n").encode("utf-8")


__all__ = ["LetterRenderer", "Sheet", "paragraphs", "sheet"]
