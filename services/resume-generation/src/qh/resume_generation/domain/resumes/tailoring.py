"""Deterministic tailoring: a QH profile export (and optionally a job-data vacancy) to the
resume's structured content.

Relevance comes from ``qh.nlp.relevance``: the vacancy's skills (its ``requirements.skills`` with the
required flag, plus the taxonomy skills found in its text) and the lemmas of its
responsibilities. A highlight scores 3 per required skill it mentions, 2 per other vacancy
skill and 0.5 per shared responsibility lemma; highlights are ordered by score (ties keep
the candidate's order) and trimmed; skills the vacancy requires come first, in the
vacancy's order, then the ones it also asks for, then the rest as the candidate ordered
them. Nothing is invented: every line is one of the profile's, and only sections with
content are kept. Without a vacancy the profile's order is kept (a general resume).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from qh.nlp.relevance import VacancyFocus, line_score, order_lines, skill_id, vacancy_focus
from qh.resume_generation.domain.resumes.schemas import (
    Basics,
    Entry,
    Job,
    LanguageItem,
    LinkItem,
    ResumeContent,
    SkillItem,
    Study,
)

LANGUAGE_NAMES = {
    "ru": {"ru": "Русский", "en": "Английский", "de": "Немецкий", "fr": "Французский",
           "es": "Испанский", "zh": "Китайский", "it": "Итальянский", "uk": "Украинский"},
    "en": {"ru": "Russian", "en": "English", "de": "German", "fr": "French",
           "es": "Spanish", "zh": "Chinese", "it": "Italian", "uk": "Ukrainian"},
}  # fmt: skip
LEVEL_WORDS = {
    "ru": {"native": "родной", "beginner": "начальный", "intermediate": "средний",
           "advanced": "продвинутый", "expert": "эксперт"},
    "en": {"native": "native", "beginner": "beginner", "intermediate": "intermediate",
           "advanced": "advanced", "expert": "expert"},
}  # fmt: skip


def _s(value: Any) -> str:
    return str(value).strip() if value is not None else ""


_skill_id = skill_id


def order_skills(
    names: list[tuple[str, str | None]], focus: VacancyFocus | None
) -> tuple[list[SkillItem], list[str]]:
    """Skills (name, level) with the vacancy's required ones first, then its other ones,
    then the rest in the candidate's order; and the display names the vacancy matched."""
    seen: set[str] = set()
    items: list[tuple[int, int, SkillItem]] = []
    matched: list[str] = []
    for index, (name, level) in enumerate(names):
        skill_id = _skill_id(name)
        key = skill_id or name.casefold()
        if key in seen:
            continue
        seen.add(key)
        rank, required = 2, False
        if focus is not None and key in focus.required:
            rank, required = 0, True
            index = focus.required.index(key)
        elif focus is not None and key in focus.optional:
            rank = 1
            index = focus.optional.index(key)
        if rank < 2:
            matched.append(name)
        items.append((rank, index, SkillItem(name=name, level=level, required=required)))
    items.sort(key=lambda t: (t[0], t[1]))
    return [item for _, _, item in items], matched


def _location(personal: Mapping[str, Any]) -> str | None:
    location = personal.get("location") or {}
    parts = [_s(location.get("city")), _s(location.get("region"))]
    text = ", ".join(p for p in parts if p)
    return text or None


def build_content(
    profile: Mapping[str, Any],
    vacancy: Mapping[str, Any] | None,
    language: str,
    *,
    max_highlights: int = 5,
) -> tuple[ResumeContent, list[str]]:
    """The tailored content and the skills that matched the vacancy."""
    focus = vacancy_focus(vacancy)
    personal = profile.get("personal") or {}
    links = [
        LinkItem(label=_s(link.get("network") or link.get("username") or link.get("url")),
                 url=_s(link.get("url")) or None)
        for link in personal.get("links") or []
        if isinstance(link, Mapping) and (link.get("url") or link.get("network"))
    ]  # fmt: skip
    basics = Basics(
        name=_s(personal.get("full_name")),
        headline=_s(personal.get("headline") or personal.get("desired_position")) or None,
        email=_s(personal.get("email")) or None,
        phone=_s(personal.get("phone")) or None,
        location=_location(personal),
        website=_s(personal.get("website")) or None,
        links=links[:20],
    )
    jobs = [
        Job(
            company=_s(item.get("company")),
            position=_s(item.get("position")),
            location=_s(item.get("location")) or None,
            start_date=_s(item.get("start_date")) or None,
            end_date=_s(item.get("end_date")) or None,
            description=_s(item.get("description")) or None,
            highlights=order_lines(
                [_s(h) for h in item.get("highlights") or [] if _s(h)], focus, max_highlights
            ),
            skills=[_s(s) for s in item.get("skills") or [] if _s(s)],
        )
        for item in profile.get("experience") or []
        if isinstance(item, Mapping)
    ]
    studies = [
        Study(
            institution=_s(item.get("institution")),
            degree=_s(item.get("degree")) or None,
            field=_s(item.get("field")) or None,
            start_date=_s(item.get("start_date")) or None,
            end_date=_s(item.get("end_date")) or None,
            grade=_s(item.get("grade")) or None,
        )
        for item in profile.get("education") or []
        if isinstance(item, Mapping)
    ]
    levels = LEVEL_WORDS.get(language, LEVEL_WORDS["en"])
    skill_names: list[tuple[str, str | None]] = [
        (_s(s.get("name")), _s(s.get("level_text")) or levels.get(_s(s.get("level"))) or None)
        for s in profile.get("skills") or []
        if isinstance(s, Mapping) and _s(s.get("name"))
    ]
    for job in jobs:
        skill_names.extend((name, None) for name in job.skills)
    skills, matched = order_skills(skill_names, focus)
    language_names = LANGUAGE_NAMES.get(language, LANGUAGE_NAMES["en"])
    languages = [
        LanguageItem(
            name=_s(item.get("name"))
            or language_names.get(_s(item.get("code")), _s(item.get("code"))),
            level=_s(item.get("level_text"))
            or levels.get(_s(item.get("level")), _s(item.get("level")))
            or None,
        )
        for item in profile.get("languages") or []
        if isinstance(item, Mapping) and (item.get("name") or item.get("code"))
    ]
    projects = [
        Entry(
            title=_s(item.get("name")),
            subtitle=_s(item.get("entity")) or None,
            date=_s(item.get("start_date")) or None,
            end_date=_s(item.get("end_date")) or None,
            description="\n".join(
                p for p in [_s(item.get("description")),
                            *order_lines([_s(h) for h in item.get("highlights") or []], focus, max_highlights)] if p
            ) or None,
            url=_s(item.get("url")) or None,
        )
        for item in profile.get("projects") or []
        if isinstance(item, Mapping) and _s(item.get("name"))
    ]  # fmt: skip
    certificates = [
        Entry(title=_s(item.get("name")), subtitle=_s(item.get("issuer")) or None,
              date=_s(item.get("date")) or None, url=_s(item.get("url")) or None)
        for item in profile.get("certificates") or []
        if isinstance(item, Mapping) and _s(item.get("name"))
    ]  # fmt: skip
    achievements = [
        Entry(title=_s(item.get("title")), subtitle=_s(item.get("awarder")) or None,
              date=_s(item.get("date")) or None, description=_s(item.get("description")) or None)
        for item in profile.get("achievements") or []
        if isinstance(item, Mapping) and _s(item.get("title"))
    ]  # fmt: skip
    publications = [
        Entry(title=_s(item.get("name")), subtitle=_s(item.get("publisher")) or None,
              date=_s(item.get("release_date")) or None, url=_s(item.get("url")) or None,
              description=_s(item.get("description")) or None)
        for item in profile.get("publications") or []
        if isinstance(item, Mapping) and _s(item.get("name"))
    ]  # fmt: skip
    content = ResumeContent(
        basics=basics,
        summary=_s(personal.get("summary")) or None,
        experience=jobs,
        education=studies,
        skills=skills,
        languages=languages,
        projects=projects,
        certificates=certificates,
        achievements=achievements,
        publications=publications,
    )
    return content, matched


__all__ = [
    "VacancyFocus",
    "build_content",
    "line_score",
    "order_lines",
    "order_skills",
    "vacancy_focus",
]
