"""The AI part of a resume: the summary aimed at the vacancy, written by the chosen LLM
provider (``offline``: the extractive writer below), checked by ``qh.nlp.grounding``
against the profile and the vacancy, and offered to the owner as a proposal.

What grounding does with a generated text: sentences or list items carrying an employer, a
title, a date, a degree, a number or a skill the profile does not contain are removed and
listed in the proposal's ``removed_claims``; when nothing is left the proposal is refused
(``generation.refused`` says why) and the resume keeps its template text.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any
from uuid import uuid4

from qh.kit.clock import utc_now
from qh.kit.llm import LLMRequest, LLMRouter
from qh.nlp.grounding import (
    GroundingFacts,
    check_grounding,
    profile_facts,
    remove_unsupported,
    vacancy_facts,
)
from qh.nlp.sentences import split_sentences
from qh.resume_generation.domain.resumes.schemas import (
    Generation,
    Proposal,
    RemovedClaim,
    ResumeContent,
)
from qh.resume_generation.domain.resumes.tailoring import VacancyFocus, line_score

SUMMARY_SCHEMA = None  # the summary is plain text; structured output is for lists


def career_years(content: ResumeContent, today: date | None = None) -> int | None:
    """Whole years between the earliest job's start and today (or the last end)."""
    today = today or utc_now().date()
    months = 0
    for job in content.experience:
        try:
            start = [int(p) for p in (job.start_date or "").split("-")[:2]]
            end_raw = (job.end_date or "").split("-")[:2]
            end = [int(p) for p in end_raw] if job.end_date else [today.year, today.month]
        except ValueError:
            continue
        if not start:
            continue
        start_m = start[0] * 12 + (start[1] if len(start) > 1 else 1)
        end_m = end[0] * 12 + (end[1] if len(end) > 1 else 12)
        months += max(0, end_m - start_m)
    return months // 12 if months >= 12 else None


def _years_ru(n: int) -> str:
    if n % 10 == 1 and n % 100 != 11:
        return "год"
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return "года"
    return "лет"


def summary_variables(
    content: ResumeContent,
    vacancy: Mapping[str, Any] | None,
    matched_skills: list[str],
    focus: VacancyFocus | None,
) -> dict[str, Any]:
    """What the summary prompt is filled with (the same for every provider)."""
    return {
        "name": content.basics.name,
        "headline": content.basics.headline or "",
        "years": career_years(content),
        "profile_summary": content.summary or "",
        "jobs": [
            {
                "position": j.position,
                "company": j.company,
                "start": j.start_date or "",
                "end": j.end_date or "",
                "highlights": j.highlights[:3],
            }
            for j in content.experience[:5]
        ],
        "skills": [s.name for s in content.skills[:15]],
        "matched_skills": matched_skills[:8],
        "vacancy_title": (vacancy or {}).get("title") or "",
        "vacancy_company": (vacancy or {}).get("company") or "",
        "required_skills": [focus.names.get(k, k) for k in focus.required][:10] if focus else [],
    }


def offline_summary(request: LLMRequest) -> str | None:
    """The offline provider's summary: extractive, from the profile only. A first line
    built from the headline, the career's years and the skills the vacancy matched, then
    the profile summary's sentences, the most relevant to the vacancy first (at most two
    more). Nothing here can be unsupported: every fact is the profile's own."""
    v = request.variables
    ru = request.language == "ru"
    first: list[str] = []
    headline, years = v.get("headline") or "", v.get("years")
    if headline and years:
        first.append(
            f"{headline}, опыт работы — {years} {_years_ru(years)}." if ru
            else f"{headline} with {years} years of experience."
        )  # fmt: skip
    elif headline:
        first.append(f"{headline}.")
    matched = v.get("matched_skills") or []
    if matched and v.get("vacancy_title"):
        joined = ", ".join(matched[:6])
        first.append(
            f"Ключевые навыки для этой роли: {joined}." if ru
            else f"Key skills for this role: {joined}."
        )  # fmt: skip
    sentences = [s.text for s in split_sentences(v.get("profile_summary") or "")]
    terms = [t.casefold() for t in matched]
    ranked = sorted(
        enumerate(sentences),
        key=lambda p: (-sum(1 for t in terms if t in p[1].casefold()), p[0]),
    )
    chosen = sorted(ranked[:2], key=lambda p: p[0])
    text = " ".join([*first, *(s for _, s in chosen)]).strip()
    return text or None


def facts_for(profile: Mapping[str, Any], vacancy: Mapping[str, Any] | None) -> GroundingFacts:
    facts = profile_facts(profile)
    return facts | vacancy_facts(vacancy) if vacancy else facts


async def propose_summary(
    llm: LLMRouter,
    ai: str | None,
    *,
    content: ResumeContent,
    profile: Mapping[str, Any],
    vacancy: Mapping[str, Any] | None,
    matched: list[str],
    focus: VacancyFocus | None,
    language: str,
    generation: Generation,
) -> Proposal | None:
    """Ask the provider for a summary; return it grounded as a proposal (None when it
    declined, said nothing new, or grounding left nothing). A provider failure raises its
    problem (502/504/429) before anything is saved."""
    result = await llm.generate(
        LLMRequest(
            prompt="summary",
            language="ru" if language == "ru" else "en",
            variables=summary_variables(content, vacancy, matched, focus),
            max_tokens=600,
            temperature=0.2,
        ),
        ai,
    )
    generation.provider, generation.model = result.provider, result.model
    text = " ".join(result.text.split())
    if result.declined or not text:
        return None
    report = check_grounding(
        text, facts=facts_for(profile, vacancy), language="ru" if language == "ru" else "en"
    )
    removed = [RemovedClaim(kind=c.kind, text=c.text, reason=c.reason) for c in report.claims]
    if not report.grounded:
        text = " ".join(remove_unsupported(text, report).split())
    if not text:
        reasons = "; ".join(c.reason for c in removed) or "nothing supported was left"
        generation.refused.append(f"summary ({result.provider}): {reasons}")
        return None
    if text == (content.summary or "").strip():
        return None
    return Proposal(
        id=uuid4().hex[:12],
        field="summary",
        current=content.summary,
        proposed=text,
        provider=result.provider,
        model=result.model,
        removed_claims=removed,
    )


__all__ = ["career_years", "line_score", "offline_summary", "propose_summary"]
