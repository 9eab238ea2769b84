"""A QH profile export (``GET /api/v1/profile/me/export?format=qh``) as resume text.

``profile_to_text(document)`` writes the profile the way a plain one-page resume reads:
name and headline, contacts, summary, then experience, education, skills, languages,
achievements, certificates and projects under standard headings, in the profile's resume
language (the first of ``resume_languages``, else the language of its own words). The
text-analysis service scores this text; the resume generator starts from the same one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from qh.nlp.language import detect_language

__all__ = ["profile_language", "profile_to_text"]

_HEADINGS = {
    "ru": {
        "summary": "О себе",
        "contacts": "Контакты",
        "experience": "Опыт работы",
        "education": "Образование",
        "skills": "Навыки",
        "languages": "Языки",
        "achievements": "Достижения",
        "certificates": "Сертификаты",
        "projects": "Проекты",
        "present": "настоящее время",
        "years": "лет",
        "native": "родной",
    },
    "en": {
        "summary": "Summary",
        "contacts": "Contacts",
        "experience": "Experience",
        "education": "Education",
        "skills": "Skills",
        "languages": "Languages",
        "achievements": "Achievements",
        "certificates": "Certificates",
        "projects": "Projects",
        "present": "present",
        "years": "years",
        "native": "native",
    },
}


def _s(value: Any) -> str:
    return str(value).strip() if value not in (None, "") else ""


def _items(document: Mapping[str, Any], name: str) -> list[Mapping[str, Any]]:
    items = document.get(name) or []
    if not isinstance(items, Sequence):
        return []
    listed = [i for i in items if isinstance(i, Mapping)]
    return sorted(listed, key=lambda i: (i.get("order") is None, i.get("order") or 0))


def _words(document: Mapping[str, Any]) -> str:
    personal = document.get("personal") or {}
    parts = [_s(personal.get("headline")), _s(personal.get("summary"))]
    for item in _items(document, "experience"):
        parts += [_s(item.get("position")), _s(item.get("description"))]
        parts += [_s(h) for h in item.get("highlights") or []]
    return " ".join(p for p in parts if p)


def profile_language(document: Mapping[str, Any]) -> str:
    """``ru`` or ``en``: the first resume language, else the language of the profile."""
    personal = document.get("personal") or {}
    for code in personal.get("resume_languages") or []:
        if code in ("ru", "en"):
            return str(code)
    words = _words(document)
    return detect_language(words).language if words else "en"


def _period(item: Mapping[str, Any], present: str) -> str:
    start, end = _s(item.get("start_date")), _s(item.get("end_date"))
    if not start and not end:
        return ""
    return f"{start or '?'} – {end or present}"


def profile_to_text(document: Mapping[str, Any], language: str | None = None) -> str:
    """The profile as plain resume text (headings in ``language`` or the profile's own)."""
    lang = language if language in _HEADINGS else profile_language(document)
    h = _HEADINGS[lang]
    personal: Mapping[str, Any] = document.get("personal") or {}
    out: list[str] = []
    name = _s(personal.get("full_name"))
    if name:
        out.append(name)
    headline = _s(personal.get("headline")) or _s(personal.get("desired_position"))
    if headline:
        out.append(headline)
    contacts = [_s(personal.get("email")), _s(personal.get("phone"))]
    location = personal.get("location") or {}
    if isinstance(location, Mapping):
        contacts.append(
            ", ".join(p for p in (_s(location.get("city")), _s(location.get("country_code"))) if p)
        )
    contacts += [
        _s(link.get("url")) for link in personal.get("links") or [] if isinstance(link, Mapping)
    ]
    contacts = [c for c in contacts if c]
    if contacts:
        out += ["", h["contacts"], *contacts]
    summary = _s(personal.get("summary"))
    if summary:
        out += ["", h["summary"], summary]

    experience = _items(document, "experience")
    if experience:
        out += ["", h["experience"]]
        for item in experience:
            head = " — ".join(p for p in (_s(item.get("position")), _s(item.get("company"))) if p)
            period = _period(item, h["present"])
            out.append(f"{head} ({period})" if period else head)
            if _s(item.get("description")):
                out.append(_s(item.get("description")))
            out += [f"- {_s(x)}" for x in item.get("highlights") or [] if _s(x)]
            used = [_s(x) for x in item.get("skills") or [] if _s(x)]
            if used:
                out.append(", ".join(used))
    education = _items(document, "education")
    if education:
        out += ["", h["education"]]
        for item in education:
            what = ", ".join(
                p
                for p in (
                    _s(item.get("degree")),
                    _s(item.get("field")),
                    _s(item.get("institution")),
                )
                if p
            )
            period = _period(item, h["present"])
            out.append(f"{what} ({period})" if period else what)
    skills = _items(document, "skills")
    if skills:
        out += ["", h["skills"]]
        for item in skills:
            line = _s(item.get("name"))
            if item.get("years"):
                line += f" ({_s(item.get('years'))} {h['years']})"
            keywords = [_s(k) for k in item.get("keywords") or [] if _s(k)]
            if keywords:
                line += ": " + ", ".join(keywords)
            out.append(f"- {line}")
    languages = _items(document, "languages")
    if languages:
        out += ["", h["languages"]]
        for item in languages:
            level = _s(item.get("level"))
            level = h["native"] if level == "native" else level
            out.append(
                " — ".join(p for p in (_s(item.get("name")) or _s(item.get("code")), level) if p)
            )
    for section, title_key in (
        ("achievements", "title"),
        ("certificates", "name"),
        ("projects", "name"),
    ):
        entries = _items(document, section)
        if not entries:
            continue
        out += ["", h[section]]
        for item in entries:
            line = _s(item.get(title_key))
            extra = _s(item.get("description")) or _s(item.get("issuer"))
            out.append(f"- {line}: {extra}" if extra else f"- {line}")
    return "\n".join(out).strip() + "\n"
