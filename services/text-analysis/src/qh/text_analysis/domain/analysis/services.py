"""The analysis service: resolves texts (by value or by reference), runs the analyzer in
a worker thread, stores by-reference results for their owner and announces them."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import anyio.to_thread
import msgspec
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from qh.contracts import ANALYSIS_COMPLETED, AnalysisCompleted
from qh.kit.auth import Principal
from qh.kit.problems import InvalidValue, NotFound
from qh.nlp import detect_language
from qh.nlp.profile_text import profile_to_text
from qh.text_analysis.clients.references import fetch_profile, fetch_vacancy
from qh.text_analysis.context import TextAnalysisContext
from qh.text_analysis.db.models import Analysis
from qh.text_analysis.domain.analysis.engine import MatchResult
from qh.text_analysis.domain.analysis.review import review
from qh.text_analysis.domain.analysis.schemas import (
    AnalysisOut,
    AnalysisSummary,
    Breakdown,
    HighlightOut,
    MatchIn,
    MatchOut,
    RecommendationOut,
    ResumeRef,
    ReviewIn,
    ReviewIssueOut,
    ReviewOut,
    Sentiment,
    TermOut,
    TextsOut,
    ToneIn,
    ToneIssueOut,
    ToneOut,
)
from qh.text_analysis.domain.analysis.tone import analyse_tone


class AnalysisService:
    def __init__(self, session: AsyncSession, context: TextAnalysisContext) -> None:
        self.session, self.context = session, context
        self.outbox, self.analyzer = context.outbox, context.analyzer
        self.max_chars = context.settings.max_text_chars

    # --- inputs -------------------------------------------------------------------------

    def _text(self, field: str, value: str) -> str:
        if not value.strip():
            raise InvalidValue.field(field, "must not be empty or only spaces")
        if len(value) > self.max_chars:
            raise InvalidValue.field(
                field, f"is {len(value)} characters long; at most {self.max_chars} are analysed"
            )
        return value

    async def _resume(self, principal: Principal, ref: ResumeRef, field: str) -> tuple[str, bool]:
        if (ref.text is None) == (ref.profile is None):
            raise InvalidValue.field(field, 'give either "text" or "profile": "me"')
        if ref.text is not None:
            return self._text(f"{field}.text", ref.text), False
        document = await fetch_profile(self.context.runtime.invoker, principal.token)
        text = profile_to_text(document)
        if not text.strip() or len(text.split()) < 3:
            raise InvalidValue.field(f"{field}.profile", "the profile is empty: fill it in first")
        return text[: self.max_chars], True

    # --- routes -------------------------------------------------------------------------

    async def match(self, principal: Principal, data: MatchIn) -> MatchOut:
        resume_text, resume_ref = await self._resume(principal, data.resume, "resume")
        v = data.vacancy
        if (v.text is None) == (v.vacancy_id is None):
            raise InvalidValue.field("vacancy", 'give either "text" or "vacancy_id"')
        asked: list[tuple[str, bool]] | None = None
        title = v.title
        if v.text is not None:
            vacancy_text = self._text("vacancy.text", v.text)
        else:
            assert v.vacancy_id is not None
            vacancy = await fetch_vacancy(
                self.context.runtime.invoker, principal.token, v.vacancy_id
            )
            if not vacancy.text.strip():
                raise InvalidValue.field("vacancy.vacancy_id", "the vacancy has no text")
            vacancy_text, title, asked = (
                vacancy.text[: self.max_chars],
                vacancy.title,
                vacancy.skills,
            )
        result = await anyio.to_thread.run_sync(
            lambda: self.analyzer.match(resume_text, vacancy_text, title=title, asked_skills=asked)
        )
        by_reference = resume_ref or v.vacancy_id is not None
        out = _match_out(result, self.analyzer.calibration.weights)
        if by_reference:
            out.texts = TextsOut(resume=resume_text, vacancy=vacancy_text)
            out.id = await self._store(
                principal.id, "match", out.language, out.score, v.vacancy_id, title, out
            )
        return out

    async def review(self, principal: Principal, data: ReviewIn) -> ReviewOut:
        text, by_reference = await self._resume(principal, data.resume, "resume")
        facts = await anyio.to_thread.run_sync(lambda: self.analyzer.resume(text))
        issues = await anyio.to_thread.run_sync(lambda: review(facts))
        out = ReviewOut(
            id=None,
            issues=[
                ReviewIssueOut(
                    kind=i.kind,
                    message=i.message,
                    section=i.section,
                    start=i.start,
                    end=i.end,
                    suggestion=i.suggestion,
                )
                for i in issues
            ],
            language="ru" if facts.language == "ru" else "en",
        )
        if by_reference:
            out.text = text
            out.id = await self._store(principal.id, "review", out.language, None, None, None, out)
        return out

    async def tone(self, data: ToneIn) -> ToneOut:
        text = self._text("text", data.text)
        language = data.language or detect_language(text).language
        tone = await anyio.to_thread.run_sync(lambda: analyse_tone(text, language))
        return ToneOut(
            language="ru" if tone.language == "ru" else "en",
            sentiment=Sentiment(label=tone.label, score=tone.score),  # type: ignore[arg-type]
            formality=tone.formality,
            formality_label=tone.formality_label,  # type: ignore[arg-type]
            confidence=tone.confidence,
            issues=[
                ToneIssueOut(
                    start=i.start,
                    end=i.end,
                    text=i.text,
                    kind=i.kind,  # type: ignore[arg-type]
                    suggestion=i.suggestion,
                )
                for i in tone.issues
            ],
        )

    # --- storage ------------------------------------------------------------------------

    async def _store(
        self,
        owner: UUID,
        kind: str,
        language: str,
        score: float | None,
        vacancy_id: UUID | None,
        title: str | None,
        out: Any,
    ) -> UUID:
        row = Analysis(
            owner_id=owner,
            kind=kind,
            language=language,
            score=score,
            vacancy_id=vacancy_id,
            vacancy_title=(title or None) and title[:300],  # type: ignore[index]
            result={},
        )
        self.session.add(row)
        await self.session.flush()
        out.id = row.id
        row.result = msgspec.to_builtins(out)
        await self.session.flush()
        await self.outbox.add(
            self.session,
            ANALYSIS_COMPLETED,
            AnalysisCompleted(
                analysis_id=row.id,
                user_id=owner,
                kind=kind,  # type: ignore[arg-type]
                score=score,
                vacancy_id=vacancy_id,
            ),
        )
        return row.id

    async def list(self, owner: UUID, limit: int, offset: int) -> tuple[list[Analysis], int]:
        total = await self.session.scalar(
            select(func.count()).select_from(Analysis).where(Analysis.owner_id == owner)
        )
        rows = await self.session.scalars(
            select(Analysis)
            .where(Analysis.owner_id == owner)
            .order_by(Analysis.created_at.desc(), Analysis.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return list(rows), int(total or 0)

    async def get(self, owner: UUID, analysis_id: UUID) -> Analysis:
        row = await self.session.scalar(
            select(Analysis).where(Analysis.id == analysis_id, Analysis.owner_id == owner)
        )
        if row is None:
            raise NotFound("No such analysis")
        return row

    async def erase(self, owner: UUID) -> int:
        result = await self.session.execute(delete(Analysis).where(Analysis.owner_id == owner))
        return int(getattr(result, "rowcount", 0) or 0)


def summary(row: Analysis) -> AnalysisSummary:
    return AnalysisSummary(
        id=row.id,
        kind=row.kind,  # type: ignore[arg-type]
        language=row.language,  # type: ignore[arg-type]
        score=row.score,
        vacancy_id=row.vacancy_id,
        vacancy_title=row.vacancy_title,
        created_at=row.created_at,
    )


def detail(row: Analysis) -> AnalysisOut:
    return AnalysisOut(**msgspec.structs.asdict(summary(row)), result=row.result)


def _match_out(result: MatchResult, weights: dict[str, float]) -> MatchOut:
    def term(t: Any) -> TermOut:
        return TermOut(
            term=t.term,
            key=t.key,
            required=t.required,
            importance=t.importance,
            kind=t.kind,
            partial=0 < t.credit < 1,
        )

    return MatchOut(
        id=None,
        score=result.score,
        breakdown=Breakdown(**result.breakdown),
        weights=weights,
        matched=[term(t) for t in result.matched],
        missing=[term(t) for t in result.missing],
        highlights=[
            HighlightOut(side=h.side, start=h.start, end=h.end, text=h.text, kind=h.kind)  # type: ignore[arg-type]
            for h in result.highlights
        ],
        recommendations=[
            RecommendationOut(message=r.message, section=r.section, term=r.term)
            for r in result.recommendations
        ],
        language="ru" if result.language == "ru" else "en",
        vacancy_language="ru" if result.vacancy_language == "ru" else "en",
    )


def provide_analyses(db_session: AsyncSession, context: TextAnalysisContext) -> AnalysisService:
    return AnalysisService(db_session, context)
