"""Resumes: built from the profile, tailored, stored with their versions, edited, decided
proposals, rendered and exported. Every query is by owner: another user's resume is 404."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any
from uuid import UUID

import msgspec
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from qh.contracts import RESUME_GENERATED, ResumeGenerated
from qh.kit.auth import Principal
from qh.kit.clock import utc_now
from qh.kit.problems import Conflict, InvalidValue, NotFound
from qh.kit.render import MEDIA_TYPES, DocumentTemplate, safe_filename
from qh.resume_generation.clients.doc_storage import store_export
from qh.resume_generation.clients.references import fetch_profile, fetch_vacancy
from qh.resume_generation.db.models import Resume, ResumeVersion
from qh.resume_generation.domain.resumes.schemas import (
    ExportFormat,
    Generation,
    Proposal,
    ResumeContent,
    ResumeIn,
    ResumeOut,
    ResumePatch,
    ResumeSummary,
    TemplateOut,
    VersionOut,
)
from qh.resume_generation.domain.resumes.tailoring import build_content, vacancy_focus
from qh.resume_generation.domain.resumes.writing import propose_summary

if TYPE_CHECKING:
    from qh.resume_generation.context import ResumeGenerationContext


def _content(resume: Resume) -> ResumeContent:
    return msgspec.convert(resume.content, ResumeContent)


def _proposals(resume: Resume) -> list[Proposal]:
    return msgspec.convert(resume.proposals, list[Proposal])


def to_out(resume: Resume) -> ResumeOut:
    return ResumeOut(
        id=resume.id,
        title=resume.title,
        template=resume.template,
        language=resume.language,  # type: ignore[arg-type]
        page_size=resume.page_size,  # type: ignore[arg-type]
        show_photo=resume.show_photo,
        vacancy_id=resume.vacancy_id,
        vacancy_title=resume.vacancy_title,
        version=resume.version,
        content=_content(resume),
        proposals=_proposals(resume),
        generation=msgspec.convert(resume.generation, Generation),
        document_id=resume.document_id,
        created_at=resume.created_at,
        updated_at=resume.updated_at,
    )


def to_summary(resume: Resume) -> ResumeSummary:
    return ResumeSummary(
        id=resume.id,
        title=resume.title,
        template=resume.template,
        language=resume.language,  # type: ignore[arg-type]
        vacancy_id=resume.vacancy_id,
        vacancy_title=resume.vacancy_title,
        version=resume.version,
        pending_proposals=sum(1 for p in resume.proposals if p.get("status") == "pending"),
        updated_at=resume.updated_at,
    )


class ExportedFile(msgspec.Struct, kw_only=True):
    content: bytes
    media_type: str
    filename: str
    document_id: UUID | None
    document_version: int | None


class ResumeService:
    def __init__(self, session: AsyncSession, context: ResumeGenerationContext) -> None:
        self.session, self.context = session, context
        self.outbox, self.settings = context.outbox, context.settings
        self.renderer, self.llm = context.renderer, context.llm

    # --- templates ----------------------------------------------------------------------

    def templates(self, language: str) -> list[TemplateOut]:
        out = []
        for name, template in self.renderer.library.templates.items():
            m = template.manifest
            out.append(
                TemplateOut(
                    name=name,
                    title=m.title.get(language, m.title.get("en", name)),
                    description=m.description.get(language, m.description.get("en", "")),
                    languages=list(m.languages),
                    page_sizes=list(m.page_sizes),
                    one_page=m.one_page,
                    photo=m.photo,
                    accent=m.accent,
                    preview={lang: f"docs/templates/{name}-{lang}.png" for lang in m.languages},
                )
            )
        return out

    def _template(self, name: str, language: str, field: str = "template") -> DocumentTemplate:
        template = self.renderer.template(name)
        if template is None:
            known = ", ".join(self.renderer.library.templates)
            raise InvalidValue.field(field, f"must be one of the templates ({known})")
        if language not in template.manifest.languages:
            raise InvalidValue.field("language", f"template {name} has no {language} version")
        return template

    # --- create, read, list, edit, delete ------------------------------------------------

    async def create(self, principal: Principal, data: ResumeIn) -> Resume:
        self.llm.provider(data.ai)  # 422 on `ai` before any call
        token = principal.token or ""
        invoker = self.context.runtime.invoker
        profile_task = fetch_profile(invoker, token)
        if data.vacancy_id is not None:
            profile, vacancy = await asyncio.gather(
                profile_task, fetch_vacancy(invoker, token, data.vacancy_id)
            )
        else:
            profile, vacancy = await profile_task, None
        language = data.language or _profile_language(profile)
        template = self._template(data.template, language)
        content, matched = build_content(
            profile, vacancy, language, max_highlights=self.settings.max_highlights_per_job
        )
        generation = Generation(
            provider="offline", model="deterministic", tailored_to=data.vacancy_id,
            relevant_skills=matched,
        )  # fmt: skip
        proposal = await propose_summary(
            self.llm,
            data.ai,
            content=content,
            profile=profile,
            vacancy=vacancy,
            matched=matched,
            focus=vacancy_focus(vacancy),
            language=language,
            generation=generation,
        )
        vacancy_title = _s((vacancy or {}).get("title")) or None
        name = content.basics.name
        title = data.title or " — ".join(x for x in (name, vacancy_title) if x) or "Resume"
        resume = Resume(
            owner_id=principal.id,
            title=title[:200],
            template=template.name,
            language=language,
            page_size=data.page_size,
            show_photo=data.show_photo,
            vacancy_id=data.vacancy_id,
            vacancy_title=vacancy_title[:300] if vacancy_title else None,
            version=1,
            content=msgspec.to_builtins(content),
            proposals=[msgspec.to_builtins(proposal)] if proposal else [],
            generation=msgspec.to_builtins(generation),
        )
        self.session.add(resume)
        await self.session.flush()  # the write comes first: SQLite's write lock from here on
        count = await self.session.scalar(
            select(func.count()).select_from(Resume).where(Resume.owner_id == principal.id)
        )
        limit = self.settings.max_resumes_per_user
        if (count or 0) > limit:
            raise Conflict(f"You keep {limit} resumes, the most allowed; delete one to make room")
        self._version(resume, "generated")
        await self.outbox.add(
            self.session,
            RESUME_GENERATED,
            ResumeGenerated(user_id=principal.id, resume_id=resume.id, title=resume.title),
        )
        await self.session.flush()
        return resume

    def _version(self, resume: Resume, reason: str) -> None:
        self.session.add(
            ResumeVersion(
                resume_id=resume.id,
                owner_id=resume.owner_id,
                version=resume.version,
                reason=reason,
                content=resume.content,
            )
        )

    async def get(self, owner_id: UUID, resume_id: UUID, *, for_update: bool = False) -> Resume:
        query = select(Resume).where(Resume.id == resume_id, Resume.owner_id == owner_id)
        if for_update:
            query = query.with_for_update()
        resume = await self.session.scalar(query)
        if resume is None:
            raise NotFound("No such resume")
        return resume

    async def list_page(self, owner_id: UUID, limit: int, offset: int) -> tuple[list[Resume], int]:
        where = Resume.owner_id == owner_id
        total = await self.session.scalar(select(func.count()).select_from(Resume).where(where))
        rows = await self.session.scalars(
            select(Resume).where(where).order_by(Resume.updated_at.desc(), Resume.id.desc())
            .limit(limit).offset(offset)
        )  # fmt: skip
        return list(rows), total or 0

    async def update(self, owner_id: UUID, resume_id: UUID, data: ResumePatch) -> Resume:
        resume = await self.get(owner_id, resume_id, for_update=True)
        language = data.language if data.language is not msgspec.UNSET else resume.language
        template = data.template if data.template is not msgspec.UNSET else resume.template
        self._template(template, language)
        resume.template, resume.language = template, language
        if data.title is not msgspec.UNSET:
            resume.title = data.title
        if data.page_size is not msgspec.UNSET:
            resume.page_size = data.page_size
        if data.show_photo is not msgspec.UNSET:
            resume.show_photo = data.show_photo
        if data.content is not msgspec.UNSET:
            content = msgspec.to_builtins(data.content)
            if content != resume.content:
                resume.content = content
                resume.version += 1
                self._version(resume, "edited")
        resume.updated_at = utc_now()
        await self.session.flush()
        return resume

    async def decide(
        self, owner_id: UUID, resume_id: UUID, proposal_id: str, accept: bool
    ) -> Resume:
        resume = await self.get(owner_id, resume_id, for_update=True)
        proposals = _proposals(resume)
        proposal = next((p for p in proposals if p.id == proposal_id), None)
        if proposal is None:
            raise NotFound("No such proposal")
        if proposal.status != "pending":
            raise Conflict(f"The proposal was already {proposal.status}")
        proposal.status = "accepted" if accept else "rejected"
        proposal.decided_at = utc_now()
        if accept:
            content = _content(resume)
            if proposal.field == "summary" and isinstance(proposal.proposed, str):
                content.summary = proposal.proposed
            resume.content = msgspec.to_builtins(content)
            resume.version += 1
            self._version(resume, f"accepted {proposal.field}"[:40])
        resume.proposals = [msgspec.to_builtins(p) for p in proposals]
        resume.updated_at = utc_now()
        await self.session.flush()
        return resume

    async def versions(
        self, owner_id: UUID, resume_id: UUID, limit: int, offset: int
    ) -> tuple[list[VersionOut], int]:
        await self.get(owner_id, resume_id)
        where = (ResumeVersion.resume_id == resume_id, ResumeVersion.owner_id == owner_id)
        total = await self.session.scalar(
            select(func.count()).select_from(ResumeVersion).where(*where)
        )
        rows = await self.session.scalars(
            select(ResumeVersion).where(*where).order_by(ResumeVersion.version.desc())
            .limit(limit).offset(offset)
        )  # fmt: skip
        items = [
            VersionOut(
                version=row.version,
                reason=row.reason,
                content=msgspec.convert(row.content, ResumeContent),
                created_at=row.created_at,
            )
            for row in rows
        ]
        return items, total or 0

    async def delete(self, owner_id: UUID, resume_id: UUID) -> None:
        resume = await self.get(owner_id, resume_id, for_update=True)
        await self.session.execute(
            delete(ResumeVersion).where(ResumeVersion.resume_id == resume.id)
        )
        await self.session.delete(resume)
        await self.session.flush()

    async def erase(self, user_id: UUID) -> None:
        await self.session.execute(delete(ResumeVersion).where(ResumeVersion.owner_id == user_id))
        await self.session.execute(delete(Resume).where(Resume.owner_id == user_id))

    # --- documents ------------------------------------------------------------------------

    async def preview(self, owner_id: UUID, resume_id: UUID, asset_base: str) -> str:
        resume = await self.get(owner_id, resume_id)
        template = self._template(resume.template, resume.language)
        return self.renderer.html(
            template,
            _content(resume),
            language=resume.language,
            page_size=resume.page_size,  # type: ignore[arg-type]
            show_photo=resume.show_photo,
            asset_base=asset_base,
        )

    async def export(
        self, principal: Principal, resume_id: UUID, fmt: ExportFormat
    ) -> ExportedFile:
        resume = await self.get(principal.id, resume_id, for_update=True)
        template = self._template(resume.template, resume.language)
        content = _content(resume)
        render: Any
        if fmt == "pdf":
            rendered = await asyncio.to_thread(
                self.renderer.pdf, template, content, language=resume.language,
                page_size=resume.page_size, show_photo=resume.show_photo,
            )  # fmt: skip
            body = rendered.content
        elif fmt == "docx":
            render = self.renderer.docx
            body = await asyncio.to_thread(
                render, template, content, language=resume.language, title=resume.title
            )
        else:
            text = self.renderer.markdown(content, language=resume.language, title=resume.title)
            body = text.encode("utf-8")
        media_type = MEDIA_TYPES[fmt]
        filename = safe_filename(resume.title, fmt, fallback="resume")
        stored = None
        if self.settings.store_exports:
            stored = await store_export(
                self.context.runtime.invoker,
                principal.token or "",
                user_id=principal.id,
                resume_id=resume.id,
                title=filename,
                content=body,
                content_type=media_type,
            )
            if resume.document_id != stored.id:
                resume.document_id = stored.id
            await self.outbox.add(
                self.session,
                RESUME_GENERATED,
                ResumeGenerated(
                    user_id=principal.id, resume_id=resume.id, title=resume.title,
                    document_id=stored.id,
                ),
            )  # fmt: skip
            await self.session.flush()
        return ExportedFile(
            content=body,
            media_type=media_type,
            filename=filename,
            document_id=stored.id if stored else None,
            document_version=stored.version if stored else None,
        )


def _s(value: Any) -> str:
    return str(value).strip() if value is not None else ""


def _profile_language(profile: dict[str, Any]) -> str:
    from qh.nlp.profile_text import profile_language

    return profile_language(profile)


def provide_resumes(db_session: AsyncSession, context: ResumeGenerationContext) -> ResumeService:
    return ResumeService(db_session, context)
