"""Cover letters: drafted for a vacancy, stored with their versions, edited, restored,
regenerated, exported. Every query is by owner: another user's letter is 404."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any
from uuid import UUID

import httpx
import msgspec
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from qh.contracts import COVER_LETTER_GENERATED, CoverLetterGenerated
from qh.cover_letters.db.models import Letter, LetterVersion
from qh.cover_letters.domain.letters.composing import (
    Facts,
    ai_draft,
    facts_for,
    fit,
    ground,
    letter_facts,
    measure,
    offline_draft,
    prompt_variables,
)
from qh.cover_letters.domain.letters.documents import sheet
from qh.cover_letters.domain.letters.schemas import (
    ExportFormat,
    Generation,
    LetterIn,
    LetterOut,
    LetterPatch,
    LetterSummary,
    RegenerateIn,
    ToneFeedback,
    VersionOut,
)
from qh.kit.auth import Principal
from qh.kit.clock import utc_now
from qh.kit.llm import LLMRequest
from qh.kit.peers import fetch_json, fetch_profile, fetch_vacancy, store_origin_export
from qh.kit.problems import Conflict, InvalidValue, NotFound, ServiceUnavailable
from qh.kit.render import MEDIA_TYPES, safe_filename
from qh.kit.runtime import RuntimeCallError
from qh.nlp.profile_text import profile_language

if TYPE_CHECKING:
    from qh.cover_letters.context import CoverLettersContext

RESUME_GENERATION, TEXT_ANALYSIS = "resume-generation", "text-analysis"
RESUME = "/api/v1/resumes/{id}"
TONE = "/api/v1/analysis/tone"
KIND = "cover_letter"


class ExportedFile(msgspec.Struct, kw_only=True):
    content: bytes
    media_type: str
    filename: str
    document_id: UUID | None
    document_version: int | None


def to_summary(letter: Letter) -> LetterSummary:
    return LetterSummary(
        id=letter.id,
        title=letter.title,
        language=letter.language,  # type: ignore[arg-type]
        requested_tone=letter.tone,  # type: ignore[arg-type]
        vacancy_id=letter.vacancy_id,
        vacancy_title=letter.vacancy_title,
        company=letter.company,
        resume_id=letter.resume_id,
        version=letter.version,
        words=measure(letter.text)[0],
        updated_at=letter.updated_at,
    )


class LetterService:
    def __init__(self, session: AsyncSession, context: CoverLettersContext) -> None:
        self.session, self.context = session, context
        self.outbox, self.settings = context.outbox, context.settings
        self.renderer, self.llm = context.renderer, context.llm

    # --- writing ------------------------------------------------------------------------

    async def _sources(
        self, principal: Principal, vacancy_id: UUID, resume_id: UUID | None
    ) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any] | None]:
        token, invoker = principal.token or "", self.context.runtime.invoker
        reads: list[Any] = [
            fetch_profile(invoker, token),
            fetch_vacancy(invoker, token, vacancy_id),
        ]
        if resume_id is not None:
            reads.append(
                fetch_json(invoker, RESUME_GENERATION, RESUME.format(id=resume_id), token, "resume")
            )
        found = await asyncio.gather(*reads)
        return found[0], found[1], found[2] if resume_id is not None else None

    async def _write(
        self,
        *,
        profile: dict[str, Any],
        vacancy: dict[str, Any],
        resume: dict[str, Any] | None,
        language: str,
        tone: str,
        ai: str | None,
        recruiter: str | None,
        max_words: int | None,
        max_chars: int | None,
    ) -> tuple[str, Generation, Facts]:
        facts, _ = letter_facts(profile, vacancy, resume)
        lang: Any = "ru" if language == "ru" else "en"
        result = await self.llm.generate(
            LLMRequest(
                prompt="letter",
                language=lang,
                variables=prompt_variables(facts, tone=tone, recruiter=recruiter, max_words=max_words),
                max_tokens=1200,
                temperature=0.3,
            ),
            ai,
        )  # fmt: skip
        generation = Generation(
            provider=result.provider, model=result.model, evidence=facts.evidence,
            matched_skills=facts.matched,
        )  # fmt: skip
        grounding = facts_for(profile, vacancy)
        draft = None
        if not result.declined and result.text.strip():
            checked = ground(result.text, grounding, language)
            generation.removed_claims = checked.removed
            if checked.paragraphs:
                draft = ai_draft(checked.paragraphs, facts=facts, language=language, tone=tone,
                                 recruiter=recruiter)  # fmt: skip
            else:
                reasons = "; ".join(c.reason for c in checked.removed) or "nothing was left"
                generation.refused.append(f"letter ({result.provider}): {reasons}")
        if draft is None:
            if result.provider != "offline":
                generation.provider, generation.model = "offline", "templates"
            else:
                generation.model = "templates"
            draft = offline_draft(facts, language=language, tone=tone, recruiter=recruiter)
        text, generation.trimmed = fit(draft, max_words, max_chars)
        generation.grounded = ground(text, grounding, language).grounded
        return text, generation, facts

    async def create(self, principal: Principal, data: LetterIn) -> Letter:
        self.llm.provider(data.ai)  # 422 on `ai` before any call
        profile, vacancy, resume = await self._sources(principal, data.vacancy_id, data.resume_id)
        language = data.language or profile_language(profile)
        text, generation, facts = await self._write(
            profile=profile, vacancy=vacancy, resume=resume, language=language, tone=data.tone,
            ai=data.ai, recruiter=data.recruiter_name, max_words=data.max_words,
            max_chars=data.max_chars,
        )  # fmt: skip
        default = (" — ".join(x for x in (facts.role, facts.company) if x)
                   or ("Сопроводительное письмо" if language == "ru" else "Cover letter"))  # fmt: skip
        letter = Letter(
            owner_id=principal.id,
            title=(data.title or default)[:200],
            language=language,
            tone=data.tone,
            vacancy_id=data.vacancy_id,
            vacancy_title=facts.role[:300] or None,
            company=facts.company[:300] or None,
            resume_id=data.resume_id,
            version=1,
            text=text,
            options={
                "recruiter_name": data.recruiter_name,
                "max_words": data.max_words,
                "max_chars": data.max_chars,
            },
            generation=msgspec.to_builtins(generation),
        )
        self.session.add(letter)
        await self.session.flush()  # the write comes first: SQLite's write lock from here on
        count = await self.session.scalar(
            select(func.count()).select_from(Letter).where(Letter.owner_id == principal.id)
        )
        limit = self.settings.max_letters_per_user
        if (count or 0) > limit:
            raise Conflict(f"You keep {limit} letters, the most allowed; delete one to make room")
        self._version(letter, "generated")
        await self._published(principal.id, letter)
        await self.session.flush()
        return letter

    async def regenerate(self, principal: Principal, letter_id: UUID, data: RegenerateIn) -> Letter:
        self.llm.provider(data.ai)
        # The writing (an AI provider may take a minute, or hang until its timeout) holds
        # no lock and no transaction: on SQLite the lock is the whole database's. The
        # letter is read in a session of its own, written, then locked and updated if it
        # did not change meanwhile.
        async with self.context.session() as reading:
            seen = await reading.scalar(
                select(Letter).where(Letter.id == letter_id, Letter.owner_id == principal.id)
            )
        if seen is None:
            raise NotFound("No such cover letter")
        options = dict(seen.options)
        for key in ("recruiter_name", "max_words", "max_chars"):
            value = getattr(data, key)
            if value is not msgspec.UNSET:
                options[key] = value
        tone = data.tone if data.tone is not msgspec.UNSET else seen.tone
        profile, vacancy, resume = await self._sources(principal, seen.vacancy_id, seen.resume_id)
        text, generation, _ = await self._write(
            profile=profile, vacancy=vacancy, resume=resume, language=seen.language, tone=tone,
            ai=data.ai, recruiter=options.get("recruiter_name"),
            max_words=options.get("max_words"), max_chars=options.get("max_chars"),
        )  # fmt: skip
        letter = await self.get(principal.id, letter_id, for_update=True)
        if letter.version != seen.version:
            raise Conflict("The letter changed while it was being written again; try again")
        letter.tone, letter.options, letter.text = tone, options, text
        letter.generation = msgspec.to_builtins(generation)
        letter.version += 1
        letter.updated_at = utc_now()
        self._version(letter, f"regenerated ({tone})")
        await self._published(principal.id, letter)
        await self.session.flush()
        return letter

    async def _published(
        self, user_id: UUID, letter: Letter, document_id: UUID | None = None
    ) -> None:
        await self.outbox.add(
            self.session,
            COVER_LETTER_GENERATED,
            CoverLetterGenerated(user_id=user_id, letter_id=letter.id, title=letter.title,
                                 document_id=document_id),
        )  # fmt: skip

    def _version(self, letter: Letter, reason: str) -> None:
        self.session.add(
            LetterVersion(
                letter_id=letter.id, owner_id=letter.owner_id, version=letter.version,
                reason=reason[:40], tone=letter.tone, text=letter.text,
            )
        )  # fmt: skip

    # --- read, list, edit, restore, delete ----------------------------------------------

    async def get(self, owner_id: UUID, letter_id: UUID, *, for_update: bool = False) -> Letter:
        query = select(Letter).where(Letter.id == letter_id, Letter.owner_id == owner_id)
        if for_update:
            query = query.with_for_update()
        letter = await self.session.scalar(query)
        if letter is None:
            raise NotFound("No such cover letter")
        return letter

    async def list_page(self, owner_id: UUID, limit: int, offset: int) -> tuple[list[Letter], int]:
        where = Letter.owner_id == owner_id
        total = await self.session.scalar(select(func.count()).select_from(Letter).where(where))
        rows = await self.session.scalars(
            select(Letter).where(where).order_by(Letter.updated_at.desc(), Letter.id.desc())
            .limit(limit).offset(offset)
        )  # fmt: skip
        return list(rows), total or 0

    async def update(self, owner_id: UUID, letter_id: UUID, data: LetterPatch) -> Letter:
        letter = await self.get(owner_id, letter_id, for_update=True)
        if data.title is not msgspec.UNSET:
            letter.title = data.title
        if data.text is not msgspec.UNSET:
            text = data.text.replace("\r\n", "\n").strip()
            if not text:
                raise InvalidValue.field("text", "must not be empty")
            if text != letter.text:
                letter.text = text
                letter.version += 1
                self._version(letter, "edited")
        letter.updated_at = utc_now()
        await self.session.flush()
        return letter

    async def restore(self, owner_id: UUID, letter_id: UUID, number: int) -> Letter:
        letter = await self.get(owner_id, letter_id, for_update=True)
        old = await self.session.scalar(
            select(LetterVersion).where(
                LetterVersion.letter_id == letter.id,
                LetterVersion.owner_id == owner_id,
                LetterVersion.version == number,
            )
        )
        if old is None:
            raise NotFound("No such version of the letter")
        letter.text, letter.tone = old.text, old.tone
        letter.version += 1
        letter.updated_at = utc_now()
        self._version(letter, f"restored {number}")
        await self.session.flush()
        return letter

    async def versions(
        self, owner_id: UUID, letter_id: UUID, limit: int, offset: int
    ) -> tuple[list[VersionOut], int]:
        await self.get(owner_id, letter_id)
        where = (LetterVersion.letter_id == letter_id, LetterVersion.owner_id == owner_id)
        total = await self.session.scalar(
            select(func.count()).select_from(LetterVersion).where(*where)
        )
        rows = await self.session.scalars(
            select(LetterVersion).where(*where).order_by(LetterVersion.version.desc())
            .limit(limit).offset(offset)
        )  # fmt: skip
        items = [
            VersionOut(version=r.version, reason=r.reason, requested_tone=r.tone,  # type: ignore[arg-type]
                       text=r.text, created_at=r.created_at)
            for r in rows
        ]  # fmt: skip
        return items, total or 0

    async def delete(self, owner_id: UUID, letter_id: UUID) -> None:
        letter = await self.get(owner_id, letter_id, for_update=True)
        await self.session.execute(
            delete(LetterVersion).where(LetterVersion.letter_id == letter.id)
        )
        await self.session.delete(letter)
        await self.session.flush()

    async def erase(self, user_id: UUID) -> None:
        await self.session.execute(delete(LetterVersion).where(LetterVersion.owner_id == user_id))
        await self.session.execute(delete(Letter).where(Letter.owner_id == user_id))

    # --- tone feedback and the answer ------------------------------------------------------

    async def tone_feedback(self, principal: Principal, letter: Letter) -> ToneFeedback | None:
        """text-analysis's reading of the draft; None when it cannot be had (the letter is
        still answered)."""
        if not self.settings.tone_feedback:
            return None
        try:
            response = await self.context.runtime.invoker.invoke(
                TEXT_ANALYSIS, "POST", TONE,
                json={"text": letter.text, "language": letter.language},
                headers={"Authorization": f"Bearer {principal.token or ''}"}, timeout=10.0,
            )  # fmt: skip
            if response.status_code != 200:
                return None
            return msgspec.json.decode(response.content, type=ToneFeedback)
        except (
            RuntimeCallError,
            ServiceUnavailable,  # the Invoker's word for a service it cannot reach
            httpx.HTTPError,
            msgspec.ValidationError,
            msgspec.DecodeError,
        ):
            return None

    async def out(self, principal: Principal, letter: Letter) -> LetterOut:
        words, chars = measure(letter.text)
        options = letter.options
        return LetterOut(
            id=letter.id,
            title=letter.title,
            language=letter.language,  # type: ignore[arg-type]
            requested_tone=letter.tone,  # type: ignore[arg-type]
            vacancy_id=letter.vacancy_id,
            vacancy_title=letter.vacancy_title,
            company=letter.company,
            resume_id=letter.resume_id,
            recruiter_name=options.get("recruiter_name"),
            max_words=options.get("max_words"),
            max_chars=options.get("max_chars"),
            version=letter.version,
            text=letter.text,
            words=words,
            chars=chars,
            generation=msgspec.convert(letter.generation, Generation),
            tone=await self.tone_feedback(principal, letter),
            document_id=letter.document_id,
            created_at=letter.created_at,
            updated_at=letter.updated_at,
        )

    # --- export -------------------------------------------------------------------------

    async def export(
        self, principal: Principal, letter_id: UUID, fmt: ExportFormat
    ) -> ExportedFile:
        letter = await self.get(principal.id, letter_id, for_update=True)
        if fmt == "txt":
            body = self.renderer.txt(letter.text)
        else:
            profile = await fetch_profile(self.context.runtime.invoker, principal.token or "")
            data = sheet(letter.text, profile=profile, company=letter.company,
                         role=letter.vacancy_title, language=letter.language,
                         today=utc_now().date())  # fmt: skip
            if fmt == "pdf":
                rendered = await asyncio.to_thread(
                    self.renderer.pdf, data, language=letter.language
                )
                body = rendered.content
            else:
                body = await asyncio.to_thread(
                    self.renderer.docx, data, language=letter.language, title=letter.title
                )
        media_type = MEDIA_TYPES[fmt]
        filename = safe_filename(letter.title, fmt, fallback="cover-letter")
        stored = None
        if self.settings.store_exports:
            stored = await store_origin_export(
                self.context.runtime.invoker, principal.token or "", kind=KIND,
                origin_id=letter.id, user_id=principal.id, title=filename, content=body,
                content_type=media_type,
            )  # fmt: skip
            letter.document_id = stored.id
            await self._published(principal.id, letter, stored.id)
            await self.session.flush()
        return ExportedFile(
            content=body, media_type=media_type, filename=filename,
            document_id=stored.id if stored else None,
            document_version=stored.version if stored else None,
        )  # fmt: skip


def provide_letters(db_session: AsyncSession, context: CoverLettersContext) -> LetterService:
    return LetterService(db_session, context)
