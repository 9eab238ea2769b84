"""Section headings of resumes, Russian and English, including hh.ru's own export.

``resume_heading(line)`` says which part of a resume a heading line opens, or None. It
knows ``lexicon.HEADINGS`` plus what resumes write and vacancies do not: hh.ru's
"Желаемая должность и зарплата", "Опыт работы — 4 года 11 месяцев", "Знание языков",
"Дополнительная информация", and "Interests", "Certifications", "Volunteering"... A
duration after a dash ("— 6 years 2 months") and decoration (``##``, ``:``, capitals) are
ignored; the kind is one of :data:`ResumePart`.
"""

from __future__ import annotations

import re
from typing import Literal

from qh.nlp.lexicon import heading_kind

__all__ = ["RESUME_HEADINGS", "ResumePart", "resume_heading"]

ResumePart = Literal[
    "summary",
    "contacts",
    "desired",
    "experience",
    "education",
    "skills",
    "languages",
    "projects",
    "achievements",
    "certificates",
    "volunteer",
    "publications",
    "interests",
    "references",
    "other",
]

RESUME_HEADINGS: dict[str, ResumePart] = {
    "желаемая должность и зарплата": "desired",
    "желаемая должность": "desired",
    "desired position": "desired",
    "desired position and salary": "desired",
    "опыт работы": "experience",
    "experience": "experience",
    "work experience": "experience",
    "employment": "experience",
    "опыт работы и стажировки": "experience",
    "образование": "education",
    "высшее образование": "education",
    "среднее специальное образование": "education",
    "education": "education",
    "ключевые навыки": "skills",
    "навыки": "skills",
    "skills": "skills",
    "key skills": "skills",
    "technical skills": "skills",
    "знание языков": "languages",
    "владение языками": "languages",
    "языки": "languages",
    "languages": "languages",
    "language skills": "languages",
    "обо мне": "summary",
    "о себе": "summary",
    "summary": "summary",
    "about me": "summary",
    "about": "summary",
    "profile": "summary",
    "дополнительная информация": "other",
    "additional information": "other",
    "повышение квалификации, курсы": "certificates",
    "повышение квалификации": "certificates",
    "курсы": "certificates",
    "сертификаты": "certificates",
    "certificates": "certificates",
    "certifications": "certificates",
    "licenses & certifications": "certificates",
    "тесты, экзамены": "certificates",
    "интересы": "interests",
    "хобби": "interests",
    "interests": "interests",
    "hobbies": "interests",
    "волонтерство": "volunteer",
    "волонтерский опыт": "volunteer",
    "volunteering": "volunteer",
    "volunteer experience": "volunteer",
    "публикации": "publications",
    "publications": "publications",
    "рекомендации": "references",
    "references": "references",
    "проекты": "projects",
    "projects": "projects",
    "достижения": "achievements",
    "награды": "achievements",
    "achievements": "achievements",
    "awards": "achievements",
    "honors & awards": "achievements",
    "контакты": "contacts",
    "contacts": "contacts",
    "contact": "contacts",
    "контактная информация": "contacts",
    "contact information": "contacts",
    "гражданство, время в пути до работы": "other",
    "опыт вождения": "other",
    "специализации": "other",
}

_DURATION = re.compile(
    r"\s*[—–-]\s*\d+\s*(?:год|года|лет|years?|yrs?|месяц\w*|months?)\b.*$", re.IGNORECASE
)
_KINDS = {
    "summary": "summary",
    "contacts": "contacts",
    "experience": "experience",
    "education": "education",
    "skills": "skills",
    "languages": "languages",
    "projects": "projects",
    "achievements": "achievements",
    "certificates": "certificates",
}


def resume_heading(line: str) -> ResumePart | None:
    """The part of a resume the heading ``line`` opens ("ОПЫТ РАБОТЫ — 6 лет", "## Skills:"),
    or None when the line is not a heading."""
    words = line.strip().strip("#*=_-—–:|. \t").strip()
    if not words or len(words) > 70:
        return None
    words = _DURATION.sub("", words).strip(" :")
    key = " ".join(words.casefold().replace("ё", "е").split())
    if key in RESUME_HEADINGS:
        return RESUME_HEADINGS[key]
    kind = heading_kind(words)
    return _KINDS.get(kind) if kind else None  # type: ignore[return-value]
