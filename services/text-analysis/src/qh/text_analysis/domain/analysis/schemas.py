"""Requests and responses of the text-analysis routes (msgspec)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

import msgspec
from msgspec import Struct

Language = Literal["ru", "en"]
Side = Literal["resume", "vacancy"]
Kind = Literal["match", "missing", "weak"]


class ResumeRef(Struct, kw_only=True, forbid_unknown_fields=True):
    """A resume by value (``text``) or by reference (``profile: "me"``: the caller's
    profile from user-data)."""

    text: str | None = None
    profile: Literal["me"] | None = None


class VacancyRef(Struct, kw_only=True, forbid_unknown_fields=True):
    """A vacancy by value (``text``, optionally its ``title``) or by reference
    (``vacancy_id``: one of the caller's saved vacancies in job-data)."""

    text: str | None = None
    title: str | None = msgspec.field(default=None)
    vacancy_id: UUID | None = None


class MatchIn(Struct, kw_only=True, forbid_unknown_fields=True):
    resume: ResumeRef
    vacancy: VacancyRef


class ReviewIn(Struct, kw_only=True, forbid_unknown_fields=True):
    resume: ResumeRef


class ToneIn(Struct, kw_only=True, forbid_unknown_fields=True):
    text: str
    language: Language | None = None


class TermOut(Struct, kw_only=True):
    term: str
    key: str  # "skill:<taxonomy id>" or "term:<lemmas>"
    required: bool
    importance: float  # 0..1
    kind: Literal["skill", "term"]
    partial: bool = False  # missing, but a related skill or part of the term is there


class HighlightOut(Struct, kw_only=True):
    side: Side
    start: int
    end: int
    text: str
    kind: Kind


class RecommendationOut(Struct, kw_only=True, omit_defaults=True):
    message: str
    section: str | None = None
    term: str | None = None


class TextsOut(Struct, kw_only=True):
    """The texts the offsets point into, when one side was read by reference."""

    resume: str
    vacancy: str


class Breakdown(Struct, kw_only=True):
    """Each component 0–100, or null when the vacancy does not ask about it (left out of
    the weighting)."""

    skills: float | None
    title: float | None
    experience: float | None
    languages: float | None
    education: float | None
    keywords: float | None
    semantic: float | None


class MatchOut(Struct, kw_only=True):
    id: UUID | None  # set when the analysis was stored (by reference)
    score: float
    breakdown: Breakdown
    weights: dict[str, float]
    matched: list[TermOut]
    missing: list[TermOut]
    highlights: list[HighlightOut]
    recommendations: list[RecommendationOut]
    language: Language
    vacancy_language: Language
    texts: TextsOut | None = None


class ReviewIssueOut(Struct, kw_only=True, omit_defaults=True):
    kind: str
    message: str
    section: str | None = None
    start: int | None = None
    end: int | None = None
    suggestion: str | None = None


class ReviewOut(Struct, kw_only=True):
    id: UUID | None
    issues: list[ReviewIssueOut]
    language: Language
    text: str | None = None  # the resume text, when it was read from the profile


class Sentiment(Struct, kw_only=True):
    label: Literal["positive", "neutral", "negative"]
    score: float  # -1..1


class ToneIssueOut(Struct, kw_only=True):
    start: int
    end: int
    text: str
    kind: Literal["cliche", "passive", "filler", "negative"]
    suggestion: str


class ToneOut(Struct, kw_only=True):
    language: Language
    sentiment: Sentiment
    formality: float  # 0 informal .. 1 formal
    formality_label: Literal["formal", "neutral", "informal"]
    confidence: float
    issues: list[ToneIssueOut]


class AnalysisSummary(Struct, kw_only=True):
    id: UUID
    kind: Literal["match", "review"]
    language: Language
    score: float | None
    vacancy_id: UUID | None
    vacancy_title: str | None
    created_at: datetime


class AnalysisOut(AnalysisSummary, kw_only=True):
    result: dict[str, Any]
