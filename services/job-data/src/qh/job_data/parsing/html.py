"""Vacancies from any web page (title from the page, body through trafilatura), and the
completion every structured parser shares: what the source's fields lack is filled from the
description's text, the source's own fields always winning."""

from __future__ import annotations

from datetime import datetime

import msgspec
import trafilatura
from selectolax.lexbor import LexborHTMLParser

from qh.job_data.parsing.model import (
    Employment,
    ParsedVacancy,
    RequiredLanguage,
    RequiredSkill,
    Requirements,
    Source,
    WorkFormat,
)
from qh.job_data.parsing.sanitize import html_to_text, sanitize_html
from qh.job_data.parsing.text import analyse_text
from qh.nlp.taxonomy import taxonomy

WORK_FORMATS: frozenset[str] = frozenset({"onsite", "remote", "hybrid", "field"})
EMPLOYMENTS: frozenset[str] = frozenset(
    {"full", "part", "project", "internship", "volunteer", "temporary"}
)
_TITLE_SEPARATORS = (" | ", " — ", " – ", " - ", " :: ", " · ")


# -- shared by every parser ---------------------------------------------------------------


def canonical_skill(name: str) -> str | None:
    """The taxonomy's name for a skill as a source spells it, when the skill is known."""
    return taxonomy().canonical(name)


def required_skill(name: str, *, required: bool = True) -> RequiredSkill:
    clean = " ".join(name.split())
    return RequiredSkill(name=clean, canonical=canonical_skill(clean), required=required)


def skill_key(skill: RequiredSkill) -> str:
    return (skill.canonical or skill.name).casefold()


def merge_skills(first: list[RequiredSkill], then: list[RequiredSkill]) -> list[RequiredSkill]:
    """``first`` (the source's own list) in order, then what ``then`` adds, one per canonical
    skill; a skill required by either is required."""
    merged: dict[str, RequiredSkill] = {}
    for skill in [*first, *then]:
        key = skill_key(skill)
        known = merged.get(key)
        if known is None:
            merged[key] = msgspec.structs.replace(skill)
        elif skill.required and not known.required:
            known.required = True
    return list(merged.values())


def merge_languages(
    first: list[RequiredLanguage], then: list[RequiredLanguage]
) -> list[RequiredLanguage]:
    merged: dict[str, RequiredLanguage] = {}
    for language in [*first, *then]:
        known = merged.get(language.code)
        if known is None:
            merged[language.code] = msgspec.structs.replace(language)
        elif known.level is None and language.level is not None:
            known.level = language.level
    return list(merged.values())


def complete_from_text(vacancy: ParsedVacancy) -> ParsedVacancy:
    """Fill what the structured fields lack from the description text; merge its skills and
    languages after the structured ones."""
    text = vacancy.description_text.strip()
    if not text:
        return vacancy
    analysis = analyse_text(text)
    requirements = vacancy.requirements
    experience = vacancy.experience or analysis.experience
    experience_years = requirements.experience_years
    if experience_years is None and experience is not None:
        experience_years = experience.min_years
    work_format = vacancy.work_format or [f for f in analysis.work_format if f in WORK_FORMATS]
    employment = vacancy.employment
    if employment is None and analysis.employment in EMPLOYMENTS:
        employment = analysis.employment
    return msgspec.structs.replace(
        vacancy,
        salary=vacancy.salary or analysis.salary,
        experience=experience,
        work_format=work_format,
        employment=employment,
        requirements=Requirements(
            skills=merge_skills(requirements.skills, analysis.skills),
            languages=merge_languages(requirements.languages, analysis.languages),
            education=requirements.education or analysis.education,
            experience_years=experience_years,
        ),
        responsibilities=vacancy.responsibilities or analysis.responsibilities,
        benefits=vacancy.benefits or analysis.benefits,
        language=vacancy.language or analysis.language,
    )


def as_work_formats(values: list[str]) -> list[WorkFormat]:
    out: list[WorkFormat] = []
    for value in values:
        if value in WORK_FORMATS and value not in out:
            out.append(value)  # type: ignore[arg-type]
    return out


def as_employment(value: str | None) -> Employment | None:
    return value if value in EMPLOYMENTS else None  # type: ignore[return-value]


# -- a generic page -----------------------------------------------------------------------


def _meta(tree: LexborHTMLParser, *names: str) -> str | None:
    for name in names:
        node = tree.css_first(f'meta[property="{name}"]') or tree.css_first(f'meta[name="{name}"]')
        content = node.attributes.get("content") if node is not None else None
        if content and content.strip():
            return " ".join(content.split())
    return None


def page_title(tree: LexborHTMLParser) -> str | None:
    """og:title, else the first h1, else <title> without a trailing site name."""
    title = _meta(tree, "og:title", "twitter:title")
    if not title:
        h1 = tree.css_first("h1")
        title = " ".join(h1.text(separator=" ").split()) if h1 is not None else None
    if not title:
        node = tree.css_first("title")
        title = " ".join(node.text().split()) if node is not None else None
        if title:
            for separator in _TITLE_SEPARATORS:
                if separator in title:
                    title = title.split(separator)[0].strip()
                    break
    return title or None


def parse_html_page(
    html: str, *, url: str | None = None, fetched_at: datetime | None = None
) -> ParsedVacancy:
    """Any page: its title, its site as the company when nothing better, its main content."""
    tree = LexborHTMLParser(html)
    title = page_title(tree) or ""
    company = _meta(tree, "og:site_name", "application-name", "author")
    body_html = trafilatura.extract(
        html,
        url=url,
        output_format="html",
        include_formatting=True,
        include_links=False,
        include_images=False,
        include_tables=True,
        include_comments=False,
        favor_recall=True,
    )
    description_html = sanitize_html(body_html) if body_html else None
    if description_html:
        text = html_to_text(description_html)
    else:
        text = trafilatura.extract(html, url=url, output_format="txt", favor_recall=True) or ""
    if not text and tree.body is not None:
        text = html_to_text(tree.body.html or "")
    vacancy = ParsedVacancy(
        title=title,
        company=company,
        description_html=description_html or None,
        description_text=text,
        source=Source(kind="html", url=url, fetched_at=fetched_at),
    )
    return complete_from_text(vacancy)


__all__ = [
    "as_employment",
    "as_work_formats",
    "canonical_skill",
    "complete_from_text",
    "merge_languages",
    "merge_skills",
    "page_title",
    "parse_html_page",
    "required_skill",
    "skill_key",
]
