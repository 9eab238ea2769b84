"""How relevant a line of a candidate's profile is to a vacancy, shared by the generators
(resume tailoring, cover-letter evidence).

A vacancy's focus is its skills (``requirements.skills`` with the required flag, plus the
taxonomy skills found in its title, text and responsibilities) and the lemmas of its
responsibilities and title. A line scores 3 per required skill it mentions, 2 per other
vacancy skill and 0.5 per shared lemma; :func:`order_lines` keeps the most relevant first
(ties keep the candidate's order).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from qh.nlp.lexicon import STOP_WORDS
from qh.nlp.matcher import find_skills
from qh.nlp.taxonomy import taxonomy
from qh.nlp.tokens import tokenize


class VacancyFocus(msgspec.Struct, kw_only=True):
    """What of a vacancy a generator looks for."""

    required: list[str]  # skill ids (or case-folded names off the taxonomy), vacancy's order
    optional: list[str]
    lemmas: frozenset[str]
    names: dict[str, str]  # skill id -> display name

    @property
    def all(self) -> set[str]:
        return {*self.required, *self.optional}


def _s(value: Any) -> str:
    return str(value).strip() if value is not None else ""


def skill_id(name: str) -> str | None:
    """The taxonomy id of a skill name (or of the one skill a phrase names)."""
    skill = taxonomy().lookup(name)
    if skill is not None:
        return skill.id
    found = find_skills(name)
    return found[0].skill.id if len(found) == 1 else None


def content_lemmas(text: str) -> set[str]:
    return {t.lemma for t in tokenize(text) if len(t.lemma) > 2 and t.lemma not in STOP_WORDS}


def vacancy_focus(vacancy: Mapping[str, Any] | None) -> VacancyFocus | None:
    """The focus of a job-data vacancy (None without one)."""
    if not vacancy:
        return None
    required: list[str] = []
    optional: list[str] = []
    names: dict[str, str] = {}
    requirements = vacancy.get("requirements") or {}
    for item in requirements.get("skills") or []:
        if not isinstance(item, Mapping):
            continue
        name = _s(item.get("canonical") or item.get("name"))
        found = skill_id(name) if name else None
        key = found or name.casefold()
        if not key:
            continue
        names.setdefault(key, name)
        target = required if item.get("required", True) else optional
        if key not in required and key not in optional:
            target.append(key)
    text = "\n".join(
        [_s(vacancy.get("title")), _s(vacancy.get("description_text")),
         *(_s(r) for r in vacancy.get("responsibilities") or [])]
    )  # fmt: skip
    for mention in find_skills(text):
        if mention.skill.id not in required and mention.skill.id not in optional:
            optional.append(mention.skill.id)
        names.setdefault(mention.skill.id, mention.skill.name)
    lemmas = content_lemmas(" ".join(_s(r) for r in vacancy.get("responsibilities") or []))
    lemmas |= content_lemmas(_s(vacancy.get("title")))
    return VacancyFocus(required=required, optional=optional, lemmas=frozenset(lemmas), names=names)


def line_score(text: str, focus: VacancyFocus) -> float:
    ids = {m.skill.id for m in find_skills(text)}
    ids |= {key for key in focus.all if not taxonomy().get(key) and key in text.casefold()}
    score = 3.0 * len(ids & set(focus.required)) + 2.0 * len(ids & set(focus.optional))
    return score + 0.5 * len(content_lemmas(text) & focus.lemmas)


def order_lines(lines: list[str], focus: VacancyFocus | None, keep: int) -> list[str]:
    """Most relevant first (stable for ties), at most ``keep`` with a vacancy."""
    if focus is None:
        return list(lines)
    scored = sorted(enumerate(lines), key=lambda p: (-line_score(p[1], focus), p[0]))
    return [line for _, line in scored[:keep]]


__all__ = [
    "VacancyFocus",
    "content_lemmas",
    "line_score",
    "order_lines",
    "skill_id",
    "vacancy_focus",
]
