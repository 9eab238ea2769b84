"""Writing a letter: the evidence picked from the candidate's own lines by the vacancy's
requirements (``qh.nlp.relevance``), the offline draft built from it in each language's
conventions and tone, an AI draft grounded against the profile, and the length limit.

A letter is a greeting, an opening tied to the company and role, two or three paragraphs
of evidence (each names where the candidate did it and which of the vacancy's skills it
shows), a closing and a sign-off with the candidate's name. Nothing in the offline draft is
invented: every highlight, skill, employer and title is the profile's (or the resume's,
itself made from the profile) and the company and role are the vacancy's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import msgspec

from qh.cover_letters.domain.letters.schemas import Evidence, RemovedClaim
from qh.kit.llm import LLMRequest
from qh.nlp.grounding import (
    GroundingFacts,
    check_grounding,
    profile_facts,
    remove_unsupported,
    vacancy_facts,
)
from qh.nlp.matcher import find_skills
from qh.nlp.relevance import VacancyFocus, line_score, skill_id, vacancy_focus
from qh.nlp.sentences import split_sentences

MAX_EVIDENCE = 6
_GREETING = re.compile(
    r"^\s*(dear|hello|hi|greetings|уважаем\w*|здравствуйте|добрый день|привет)\b", re.I
)
_SIGN_OFF = re.compile(
    r"^\s*(sincerely|best regards|kind regards|warm regards|regards|best wishes|yours|"
    r"с уважением|всего доброго|с наилучшими пожеланиями)\b",
    re.I,
)


def _s(value: Any) -> str:
    return str(value).strip() if value is not None else ""


# --- evidence ------------------------------------------------------------------------------


class Job(msgspec.Struct, kw_only=True):
    company: str
    position: str
    highlights: list[str]
    skills: list[str]


def jobs_of(profile: Mapping[str, Any], resume: Mapping[str, Any] | None) -> list[Job]:
    """The jobs the evidence comes from: the resume's (as tailored and edited) when the
    letter is for a resume, else the profile's."""
    source: Any = profile.get("experience") or []
    if resume is not None:
        source = (resume.get("content") or {}).get("experience") or []
    return [
        Job(
            company=_s(item.get("company")),
            position=_s(item.get("position")),
            highlights=[_s(h) for h in item.get("highlights") or [] if _s(h)],
            skills=[_s(s) for s in item.get("skills") or [] if _s(s)],
        )
        for item in source
        if isinstance(item, Mapping)
    ]


def skill_names(
    profile: Mapping[str, Any], resume: Mapping[str, Any] | None, jobs: list[Job]
) -> list[str]:
    items: Any = profile.get("skills") or []
    if resume is not None:
        items = (resume.get("content") or {}).get("skills") or []
    names = [_s(s.get("name")) for s in items if isinstance(s, Mapping) and _s(s.get("name"))]
    for job in jobs:
        names.extend(job.skills)
    return names


def _ids_in(text: str, focus: VacancyFocus) -> list[str]:
    found = [m.skill.id for m in find_skills(text)]
    found += [key for key in focus.all if key not in found and key in text.casefold()]
    order = [*focus.required, *focus.optional]
    return sorted({k for k in found if k in focus.all}, key=order.index)


def pick_evidence(
    jobs: list[Job],
    focus: VacancyFocus | None,
    limit: int = MAX_EVIDENCE,
    spelling: Mapping[str, str] | None = None,
) -> list[Evidence]:
    """The candidate's highlights that show the vacancy's requirements, the most relevant
    first (ties keep the candidate's order); a highlight that matches nothing is left out.
    Without a focus, the first highlights of the latest jobs."""
    scored: list[tuple[float, int, Evidence]] = []
    order = 0
    for job in jobs:
        for line in job.highlights:
            order += 1
            score = line_score(line, focus) if focus else 0.0
            if focus is not None and score <= 0:
                continue
            ids = _ids_in(line, focus) if focus else []
            skills = [
                (spelling or {}).get(k) or (focus.names.get(k, k) if focus else k) for k in ids
            ]
            scored.append(
                (score, order, Evidence(text=line, company=job.company, position=job.position,
                                        skills=skills, score=score))
            )  # fmt: skip
    scored.sort(key=lambda t: (-t[0], t[1]))
    return [e for _, _, e in scored[:limit]]


def matched_skills(names: list[str], focus: VacancyFocus | None) -> list[str]:
    """The candidate's skills the vacancy asks for, required first, in the vacancy's order
    (the candidate's spelling)."""
    if focus is None:
        return []
    order = [*focus.required, *focus.optional]
    found: dict[str, str] = {}
    for name in names:
        key = skill_id(name) or name.casefold()
        if key in order and key not in found:
            found[key] = name
    return [found[k] for k in sorted(found, key=order.index)]


# --- the offline draft ---------------------------------------------------------------------


class Draft(msgspec.Struct, kw_only=True):
    """A letter in parts, so the length limit can drop whole sentences."""

    greeting: str
    opening: list[str]
    body: list[list[str]]
    closing: list[str]
    sign_off: str
    name: str

    def text(self) -> str:
        blocks = [self.greeting, " ".join(self.opening)]
        blocks += [" ".join(p) for p in self.body if p]
        blocks.append(" ".join(self.closing))
        blocks.append(f"{self.sign_off}\n{self.name}" if self.name else self.sign_off)
        return "\n\n".join(b for b in blocks if b.strip())


SIGN_OFF = {
    "en": {"formal": "Sincerely,", "friendly": "Best regards,", "enthusiastic": "Warm regards,"},
    "ru": {"formal": "С уважением,", "friendly": "Всего доброго,",
           "enthusiastic": "С наилучшими пожеланиями,"},
}  # fmt: skip

_FEMININE_PATRONYMIC = ("вна", "чна", "кызы")
_MASCULINE_PATRONYMIC = ("вич", "ьич", "оглы")


def russian_address(name: str) -> tuple[str | None, str]:
    """``f``/``m`` from a patronymic (the reliable sign in Russian), else None; and how the
    person is addressed: the first name and patronymic without the surname
    («Мария Ивановна» of «Петрова Мария Ивановна»), else the name as given."""
    words = name.split()
    for index, word in enumerate(words):
        low = word.casefold()
        gender = ("f" if low.endswith(_FEMININE_PATRONYMIC)
                  else "m" if low.endswith(_MASCULINE_PATRONYMIC) else None)  # fmt: skip
        if gender and index >= 1:
            return gender, f"{words[index - 1]} {word}"
    return None, name


def greeting(language: str, tone: str, recruiter: str | None) -> str:
    """The salutation in the language's convention: by name when the recruiter is known
    (Russian: «Уважаемый/Уважаемая» with the name and patronymic for a formal letter,
    «Здравствуйте» otherwise), else the neutral form."""
    name = (recruiter or "").strip()
    if language == "ru":
        if not name:
            return "Здравствуйте!" if tone != "enthusiastic" else "Добрый день!"
        if tone == "formal":
            gender, addressed = russian_address(name)
            if gender == "f":
                return f"Уважаемая {addressed}!"
            if gender == "m":
                return f"Уважаемый {addressed}!"
            return f"Здравствуйте, {name}!"
        return f"Здравствуйте, {name}!" if tone == "friendly" else f"Добрый день, {name}!"
    if not name:
        return "Dear Hiring Manager," if tone == "formal" else "Hello,"
    if tone == "formal":
        return f"Dear {name},"
    return f"Hello {name}," if tone == "friendly" else f"Hi {name},"


def _lower_first(text: str) -> str:
    """``Built …`` → ``built …``, but ``ETL …`` and ``Kafka …`` stay."""
    text = text.strip().rstrip(".;")
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        first = text.split(" ", 1)[0]
        if not find_skills(first):
            return text[0].lower() + text[1:]
    return text


def _join(items: list[str], language: str) -> str:
    if len(items) <= 1:
        return "".join(items)
    last = " и " if language == "ru" else " and "
    return ", ".join(items[:-1]) + last + items[-1]


def _opening(language: str, tone: str, role: str, company: str, headline: str) -> list[str]:
    ru = language == "ru"
    if ru:
        at = f" в компании {company}" if company else ""
        first = {
            "formal": f"Прошу рассмотреть мою кандидатуру на позицию «{role}»{at}.",
            "friendly": f"Меня заинтересовала вакансия «{role}»{at}.",
            "enthusiastic": f"Вакансия «{role}»{at} — именно то, чем мне хочется заниматься!",
        }[tone]
        second = {
            "formal": f"Моя специализация — {headline.lower()}, и мой опыт отвечает задачам этой роли.",
            "friendly": f"Я — {headline.lower()}, и эта роль очень близка к тому, что я делаю.",
            "enthusiastic": f"Я — {headline.lower()}, и мне очень хочется применить свой опыт в вашей команде.",
        }[tone] if headline else ""  # fmt: skip
    else:
        at = f" at {company}" if company else ""
        first = {
            "formal": f"I am writing to apply for the {role} position{at}.",
            "friendly": f"I'd like to apply for the {role} role{at}.",
            "enthusiastic": f"I was excited to see the {role} opening{at}!",
        }[tone]
        second = {
            "formal": f"As a {headline}, I believe my experience matches what this role requires.",
            "friendly": f"I'm a {headline}, and this role is very close to what I do every day.",
            "enthusiastic": f"As a {headline}, I would love to bring my experience to your team.",
        }[tone] if headline else ""  # fmt: skip
    return [s for s in (first, second) if s]


def _evidence_paragraph(
    language: str, tone: str, group: list[Evidence], first: bool = True
) -> list[str]:
    ru = language == "ru"
    head = group[0]
    lines = [_lower_first(e.text) for e in group]
    skills: list[str] = []
    for e in group:
        skills += [s for s in e.skills if s not in skills]
    where = head.company
    if ru:
        place = f"В компании {where}" if where else "На прошлой работе"
        role = f" на позиции «{head.position}»" if head.position else ""
        out = [f"{place}{role} я {lines[0]}."]
        out += [f"Также я {line}." for line in lines[1:]]
        if skills and not first:
            out.append(f"Это закрывает и требование к {_join(skills, 'ru')}.")
        elif skills:
            out.append({
                "formal": f"Это отвечает требованиям вакансии: {_join(skills, 'ru')}.",
                "friendly": f"Это как раз тот опыт, который вы ищете: {_join(skills, 'ru')}.",
                "enthusiastic": f"Именно этот опыт ({_join(skills, 'ru')}) мне хочется применить у вас!",
            }[tone])  # fmt: skip
    else:
        role = (
            f"As {head.position} at {where}"
            if head.position and where
            else (f"At {where}" if where else "In my previous role")
        )
        out = [f"{role}, I {lines[0]}."]
        out += [f"I also {line}." for line in lines[1:]]
        if skills and not first:
            out.append(f"This covers {_join(skills, 'en')} as well.")
        elif skills:
            out.append({
                "formal": f"This corresponds to your requirements for {_join(skills, 'en')}.",
                "friendly": f"That's the {_join(skills, 'en')} experience you're looking for.",
                "enthusiastic": f"I can't wait to bring this {_join(skills, 'en')} experience to your team!",
            }[tone])  # fmt: skip
    return out


def _skills_sentence(language: str, tone: str, skills: list[str]) -> list[str]:
    if not skills:
        return []
    if language == "ru":
        return [f"Также в моём арсенале — {_join(skills, 'ru')}, которые есть среди требований вакансии."]  # fmt: skip
    return [{
        "formal": f"My skills also include {_join(skills, 'en')}, which the vacancy lists.",
        "friendly": f"I also work with {_join(skills, 'en')}, which you list in the vacancy.",
        "enthusiastic": f"I also work with {_join(skills, 'en')} — all on your list!",
    }[tone]]  # fmt: skip


def _closing(language: str, tone: str, company: str) -> list[str]:
    if language == "ru":
        return {
            "formal": ["Благодарю за рассмотрение моей кандидатуры.",
                       "С удовольствием расскажу подробнее о своём опыте на собеседовании."],
            "friendly": ["Спасибо, что дочитали!",
                         "С удовольствием расскажу больше при встрече или созвоне."],
            "enthusiastic": ["С нетерпением жду возможности познакомиться и обсудить, "
                             "чем мой опыт поможет вашей команде!"],
        }[tone]  # fmt: skip
    whom = company or "your team"
    return {
        "formal": [f"I would welcome the opportunity to discuss how my experience can contribute to {whom}.",
                   "Thank you for your consideration."],
        "friendly": [f"I'd be glad to talk about how I could help {whom}.", "Thanks for reading!"],
        "enthusiastic": [f"I would love to talk about how I can help {whom}, and I look forward to hearing from you!"],
    }[tone]  # fmt: skip


def group_evidence(evidence: list[Evidence], paragraphs: int = 2) -> list[list[Evidence]]:
    """At most ``paragraphs`` groups by job (the most relevant job first), three lines each."""
    groups: dict[tuple[str, str], list[Evidence]] = {}
    for e in evidence:
        groups.setdefault((e.company, e.position), []).append(e)
    return [g[:3] for g in list(groups.values())[:paragraphs]]


class Facts(msgspec.Struct, kw_only=True):
    """What a letter is written from, the same for every provider."""

    name: str
    headline: str
    role: str
    company: str
    evidence: list[Evidence]
    matched: list[str]


def letter_facts(
    profile: Mapping[str, Any], vacancy: Mapping[str, Any], resume: Mapping[str, Any] | None
) -> tuple[Facts, VacancyFocus | None]:
    personal = profile.get("personal") or {}
    focus = vacancy_focus(vacancy)
    jobs = jobs_of(profile, resume)
    basics = ((resume or {}).get("content") or {}).get("basics") or {}
    names = skill_names(profile, resume, jobs)
    spelling: dict[str, str] = {}
    for name in names:
        spelling.setdefault(skill_id(name) or name.casefold(), name)
    return Facts(
        name=_s(basics.get("name") or personal.get("full_name")),
        headline=_s(basics.get("headline") or personal.get("headline")
                    or personal.get("desired_position")),
        role=_s(vacancy.get("title")),
        company=_s(vacancy.get("company")),
        evidence=pick_evidence(jobs, focus, spelling=spelling),
        matched=matched_skills(names, focus),
    ), focus  # fmt: skip


def offline_draft(facts: Facts, *, language: str, tone: str, recruiter: str | None) -> Draft:
    body = [
        _evidence_paragraph(language, tone, g, first=not i)
        for i, g in enumerate(group_evidence(facts.evidence))
    ]
    shown = {s.casefold() for e in facts.evidence for s in e.skills}
    shown |= {
        s.casefold() for p in body for s in facts.matched if s.casefold() in " ".join(p).casefold()
    }
    rest = [s for s in facts.matched if s.casefold() not in shown][:6]
    skills = _skills_sentence(language, tone, rest)
    if skills:
        body.append(skills)
    return Draft(
        greeting=greeting(language, tone, recruiter),
        opening=_opening(language, tone, facts.role or ("вакансия" if language == "ru" else "open"), facts.company, facts.headline),
        body=body,
        closing=_closing(language, tone, facts.company),
        sign_off=SIGN_OFF[language][tone],
        name=facts.name,
    )  # fmt: skip


# --- the AI draft ----------------------------------------------------------------------


def prompt_variables(
    facts: Facts, *, tone: str, recruiter: str | None, max_words: int | None
) -> dict[str, Any]:
    return {
        "name": facts.name,
        "headline": facts.headline,
        "role": facts.role,
        "company": facts.company,
        "tone": tone,
        "recruiter": recruiter or "",
        "evidence": [msgspec.to_builtins(e) for e in facts.evidence],
        "matched_skills": facts.matched,
        "max_words": max_words or 0,
    }  # fmt: skip


def offline_letter(request: LLMRequest) -> str | None:
    """The offline provider declines: the service writes the offline draft itself."""
    return None


def facts_for(profile: Mapping[str, Any], vacancy: Mapping[str, Any]) -> GroundingFacts:
    return profile_facts(profile) | vacancy_facts(vacancy)


class Grounded(msgspec.Struct, kw_only=True):
    paragraphs: list[list[str]]
    removed: list[RemovedClaim]
    grounded: bool


def ground(text: str, facts: GroundingFacts, language: str) -> Grounded:
    """Check a text; take out what the profile does not support; keep its paragraphs."""
    lang: Any = "ru" if language == "ru" else "en"
    report = check_grounding(text, facts=facts, language=lang)
    removed = [RemovedClaim(kind=c.kind, text=c.text, reason=c.reason) for c in report.claims]
    if not report.grounded:
        text = remove_unsupported(text, report)
    paragraphs = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        sentences = [s.text.strip() for s in split_sentences(" ".join(block.split()))]
        sentences = [s for s in sentences if s]
        if sentences:
            paragraphs.append(sentences)
    return Grounded(paragraphs=paragraphs, removed=removed, grounded=report.grounded)


def ai_draft(paragraphs: list[list[str]], *, facts: Facts, language: str, tone: str,
             recruiter: str | None) -> Draft:  # fmt: skip
    """An AI body (opening, evidence, closing) with the greeting and sign-off of the
    language's convention around it (a greeting or sign-off the provider wrote anyway is
    dropped, so there is one of each)."""
    paragraphs = [list(p) for p in paragraphs]
    if (
        paragraphs
        and _GREETING.match(" ".join(paragraphs[0]))
        and len(" ".join(paragraphs[0]).split()) <= 8
    ):
        paragraphs = paragraphs[1:]
    if paragraphs and _SIGN_OFF.match(" ".join(paragraphs[-1])):
        paragraphs = paragraphs[:-1]
    if not paragraphs:
        paragraphs = [[]]
    opening = paragraphs[0]
    closing = paragraphs[-1] if len(paragraphs) > 2 else []
    body = paragraphs[1:-1] if len(paragraphs) > 2 else paragraphs[1:]
    return Draft(
        greeting=greeting(language, tone, recruiter), opening=opening, body=body,
        closing=closing, sign_off=SIGN_OFF[language][tone], name=facts.name,
    )  # fmt: skip


# --- the length limit --------------------------------------------------------------------


def measure(text: str) -> tuple[int, int]:
    return len(text.split()), len(text)


def fits(text: str, max_words: int | None, max_chars: int | None) -> bool:
    words, chars = measure(text)
    return (max_words is None or words <= max_words) and (max_chars is None or chars <= max_chars)


def fit(draft: Draft, max_words: int | None, max_chars: int | None) -> tuple[str, bool]:
    """The draft's text within the limits: whole sentences are dropped, the last evidence
    first, then the opening's and the closing's second sentence; as a last resort the
    opening is cut at a word. Returns the text and whether anything was dropped."""
    trimmed = False
    while not fits(draft.text(), max_words, max_chars):
        trimmed = True
        if draft.body:
            draft.body[-1].pop()
            if not draft.body[-1]:
                draft.body.pop()
        elif len(draft.opening) > 1:
            draft.opening.pop()
        elif len(draft.closing) > 1:
            draft.closing.pop()
        elif draft.closing:
            draft.closing = []
        elif draft.opening and draft.opening[0].split():
            words = draft.opening[0].split()
            draft.opening = [" ".join(words[:-1]) + "…"] if len(words) > 1 else []
        else:
            break
    return draft.text(), trimmed


__all__ = [
    "Draft",
    "Facts",
    "ai_draft",
    "facts_for",
    "fit",
    "greeting",
    "ground",
    "letter_facts",
    "matched_skills",
    "measure",
    "offline_draft",
    "offline_letter",
    "pick_evidence",
    "prompt_variables",
]
