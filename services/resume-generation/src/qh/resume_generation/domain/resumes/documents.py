"""A resume's content as a document: the HTML of its template (the preview and the PDF's
source, one and the same), the PDF, an ATS-readable DOCX and Markdown."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec

from qh.kit.render import (
    ASSET_ORIGIN,
    DocumentTemplate,
    DocxWriter,
    PageSize,
    PdfRenderer,
    RenderedPdf,
    TemplateLibrary,
    format_date,
    format_period,
    markdown_escape,
)
from qh.resume_generation.domain.resumes.schemas import Entry, ResumeContent

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"

SECTION_TITLES: dict[str, dict[str, str]] = {
    "summary": {"ru": "О себе", "en": "Summary"},
    "experience": {"ru": "Опыт работы", "en": "Experience"},
    "skills": {"ru": "Навыки", "en": "Skills"},
    "languages": {"ru": "Языки", "en": "Languages"},
    "education": {"ru": "Образование", "en": "Education"},
    "projects": {"ru": "Проекты", "en": "Projects"},
    "certificates": {"ru": "Сертификаты", "en": "Certificates"},
    "achievements": {"ru": "Достижения", "en": "Achievements"},
    "publications": {"ru": "Публикации", "en": "Publications"},
}
SECTION_ORDER = tuple(SECTION_TITLES)


def sections(content: ResumeContent, language: str) -> list[dict[str, str]]:
    """The sections that have content, in the resume's order, with their titles."""
    out = []
    for key in SECTION_ORDER:
        value = getattr(content, key)
        if value:
            out.append({"key": key, "title": SECTION_TITLES[key][language]})
    return out


class ResumeRenderer:
    """Templates, the PDF renderer (one font configuration for the process) and the
    writers for DOCX and Markdown."""

    def __init__(self, templates_root: Path = TEMPLATES) -> None:
        self.library = TemplateLibrary(templates_root)
        self.pdf_renderer = PdfRenderer({"templates": self.library.root})

    def template(self, name: str) -> DocumentTemplate | None:
        return self.library.get(name)

    def html(
        self,
        template: DocumentTemplate,
        content: ResumeContent,
        *,
        language: str,
        page_size: PageSize,
        show_photo: bool,
        asset_base: str = ASSET_ORIGIN,
    ) -> str:
        data: dict[str, Any] = {
            "r": msgspec.to_builtins(content),
            "sections": sections(content, language),
            "show_photo": show_photo and template.manifest.photo and bool(content.basics.photo),
        }
        return self.library.render(
            template,
            data,
            language=language,
            page_size=page_size,
            kit_base=f"{asset_base}kit/",
            template_base=f"{asset_base}templates/{template.name}/",
        )

    def pdf(
        self,
        template: DocumentTemplate,
        content: ResumeContent,
        *,
        language: str,
        page_size: PageSize,
        show_photo: bool,
    ) -> RenderedPdf:
        html = self.html(
            template, content, language=language, page_size=page_size, show_photo=show_photo
        )
        return self.pdf_renderer.render(html, f"{ASSET_ORIGIN}templates/{template.name}/")

    def docx(
        self, template: DocumentTemplate, content: ResumeContent, *, language: str, title: str
    ) -> bytes:
        doc = DocxWriter(
            font="Arial", accent=template.manifest.accent, title=title, language=language
        )
        b = content.basics
        doc.title(b.name or title)
        if b.headline:
            doc.paragraph(b.headline, bold=True)
        contacts = [c for c in (b.email, b.phone, b.location, b.website) if c]
        contacts += [f"{link.label}: {link.url}" if link.url else link.label for link in b.links]
        if contacts:
            doc.paragraph(" · ".join(contacts))
        for section in sections(content, language):
            doc.heading(section["title"], 1)
            key = section["key"]
            if key == "summary":
                doc.paragraph(content.summary or "")
            elif key == "experience":
                for job in content.experience:
                    doc.heading(f"{job.position} — {job.company}", 2)
                    meta = [format_period(job.start_date, job.end_date, language), job.location]
                    doc.paragraph(" · ".join(m for m in meta if m), italic=True)
                    if job.description:
                        doc.paragraph(job.description)
                    doc.bullets(job.highlights)
            elif key == "education":
                for study in content.education:
                    doc.heading(study.institution, 2)
                    line = [study.degree, study.field, format_period(study.start_date, study.end_date, language, current=False), study.grade]  # fmt: skip
                    doc.paragraph(" · ".join(x for x in line if x))
            elif key == "skills":
                doc.bullets(f"{s.name} — {s.level}" if s.level else s.name for s in content.skills)
            elif key == "languages":
                doc.bullets(
                    f"{x.name} — {x.level}" if x.level else x.name for x in content.languages
                )
            else:
                for entry in getattr(content, key):
                    doc.heading(entry.title, 2)
                    entry_meta = _entry_meta(entry, language)
                    if entry_meta:
                        doc.paragraph(entry_meta, italic=True)
                    if entry.description:
                        doc.paragraph(entry.description)
        return doc.to_bytes()

    def markdown(self, content: ResumeContent, *, language: str, title: str) -> str:
        e = markdown_escape
        b = content.basics
        out = [f"# {e(b.name or title)}", ""]
        if b.headline:
            out += [f"**{e(b.headline)}**", ""]
        contacts = [e(c) for c in (b.email, b.phone, b.location, b.website) if c]
        contacts += [e(f"{link.label}: {link.url}" if link.url else link.label) for link in b.links]
        if contacts:
            out += [" · ".join(contacts), ""]
        for section in sections(content, language):
            out += [f"## {e(section['title'])}", ""]
            key = section["key"]
            if key == "summary":
                out += [e(content.summary or ""), ""]
            elif key == "experience":
                for job in content.experience:
                    out.append(f"### {e(job.position)} — {e(job.company)}")
                    meta = [format_period(job.start_date, job.end_date, language), job.location]
                    out += [f"*{e(' · '.join(m for m in meta if m))}*", ""]
                    if job.description:
                        out += [e(job.description), ""]
                    out += [f"- {e(h)}" for h in job.highlights]
                    out.append("")
            elif key == "education":
                for study in content.education:
                    line = [study.degree, study.field, format_period(study.start_date, study.end_date, language, current=False), study.grade]  # fmt: skip
                    out += [f"### {e(study.institution)}", e(" · ".join(x for x in line if x)), ""]
            elif key == "skills":
                out += [f"- {e(s.name)}" + (f" — {e(s.level)}" if s.level else "") for s in content.skills]  # fmt: skip
                out.append("")
            elif key == "languages":
                out += [f"- {e(x.name)}" + (f" — {e(x.level)}" if x.level else "") for x in content.languages]  # fmt: skip
                out.append("")
            else:
                for entry in getattr(content, key):
                    out.append(f"### {e(entry.title)}")
                    entry_meta = _entry_meta(entry, language)
                    if entry_meta:
                        out.append(f"*{e(entry_meta)}*")
                    if entry.description:
                        out += ["", e(entry.description)]
                    out.append("")
        return "\n".join(out).rstrip() + "\n"


def _entry_meta(entry: Entry, language: str) -> str:
    when = (
        format_period(entry.date, entry.end_date, language, current=False)
        if entry.end_date
        else format_date(entry.date, language)
    )
    return " · ".join(x for x in (entry.subtitle, when, entry.url) if x)


__all__ = ["SECTION_TITLES", "TEMPLATES", "ResumeRenderer", "sections"]
