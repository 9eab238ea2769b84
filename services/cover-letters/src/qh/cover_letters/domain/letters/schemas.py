"""Wire types of cover letters: the create, PATCH and regenerate bodies and the answers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from msgspec import UNSET, Meta, Struct, UnsetType

from qh.kit.llm import ProviderName

Language = Literal["ru", "en"]
Tone = Literal["formal", "friendly", "enthusiastic"]
ExportFormat = Literal["txt", "docx", "pdf"]
LetterText = Annotated[str, Meta(min_length=1, max_length=20_000)]
Name = Annotated[str, Meta(min_length=1, max_length=200)]
MaxWords = Annotated[
    int, Meta(ge=40, le=3000, description="At most this many words (hh.ru's form: ~250)")
]
MaxChars = Annotated[
    int, Meta(ge=300, le=20_000, description="At most this many characters, spaces included")
]


class LetterIn(Struct, kw_only=True, forbid_unknown_fields=True):
    """A letter for ``vacancy_id`` from the caller's profile (and ``resume_id``'s content
    when given)."""

    vacancy_id: UUID
    resume_id: UUID | None = None
    tone: Tone = "formal"
    language: Language | None = None
    ai: ProviderName | None = None
    recruiter_name: Name | None = None
    max_words: MaxWords | None = None
    max_chars: MaxChars | None = None
    title: Name | None = None


class LetterPatch(Struct, kw_only=True, forbid_unknown_fields=True):
    """A field left out stays; a changed ``text`` is a new version."""

    text: LetterText | UnsetType = UNSET
    title: Name | UnsetType = UNSET


class RegenerateIn(Struct, kw_only=True, forbid_unknown_fields=True):
    """Write the letter again (a new version; the history stays). A field left out keeps
    the letter's own."""

    tone: Tone | UnsetType = UNSET
    ai: ProviderName | None = None
    recruiter_name: Name | UnsetType | None = UNSET
    max_words: MaxWords | UnsetType | None = UNSET
    max_chars: MaxChars | UnsetType | None = UNSET


class Evidence(Struct, kw_only=True):
    """A line of the candidate's own (a highlight) picked for the vacancy: where it comes
    from and which of the vacancy's skills it shows."""

    text: str
    company: str
    position: str
    skills: list[str]
    score: float


class RemovedClaim(Struct, kw_only=True):
    """A statement the provider wrote that the profile does not support, taken out."""

    kind: str
    text: str
    reason: str


class Generation(Struct, kw_only=True):
    """Who wrote the draft, from which evidence, and what grounding did: ``grounded`` is
    the check of the text as generated (after removals for an AI text); ``refused`` names
    an AI text grounding left nothing of (the offline draft was kept)."""

    provider: ProviderName
    model: str
    evidence: list[Evidence] = msgspec.field(default_factory=list)
    matched_skills: list[str] = msgspec.field(default_factory=list)
    removed_claims: list[RemovedClaim] = msgspec.field(default_factory=list)
    refused: list[str] = msgspec.field(default_factory=list)
    grounded: bool = True
    trimmed: bool = False


class ToneIssue(Struct, kw_only=True):
    start: int
    end: int
    text: str
    kind: str
    suggestion: str


class ToneSentiment(Struct, kw_only=True):
    """text-analysis's sentiment: a label and a score from -1 to 1."""

    label: str
    score: float


class ToneFeedback(Struct, kw_only=True):
    """text-analysis's reading of the draft (``POST /api/v1/analysis/tone``)."""

    language: str
    sentiment: ToneSentiment
    formality: float
    formality_label: str
    confidence: float
    issues: list[ToneIssue] = msgspec.field(default_factory=list)


class LetterOut(Struct, kw_only=True):
    id: UUID
    title: str
    language: Language
    requested_tone: Tone
    vacancy_id: UUID
    vacancy_title: str | None
    company: str | None
    resume_id: UUID | None
    recruiter_name: str | None
    max_words: int | None
    max_chars: int | None
    version: int
    text: str
    words: int
    chars: int
    generation: Generation
    tone: ToneFeedback | None
    document_id: UUID | None
    created_at: datetime
    updated_at: datetime


class LetterSummary(Struct, kw_only=True):
    id: UUID
    title: str
    language: Language
    requested_tone: Tone
    vacancy_id: UUID
    vacancy_title: str | None
    company: str | None
    resume_id: UUID | None
    version: int
    words: int
    updated_at: datetime


class VersionOut(Struct, kw_only=True):
    version: int
    reason: str
    requested_tone: Tone
    text: str
    created_at: datetime
