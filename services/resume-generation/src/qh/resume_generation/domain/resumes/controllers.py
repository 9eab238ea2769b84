"""Routes of the resume-generation service (relative: the kit mounts them under the prefix)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from uuid import UUID

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, JSONBody, Parameter
from litestar.response import File

from qh.kit.auth import Principal
from qh.kit.links import MEDIA_TYPES
from qh.kit.pagination import Page, Paging
from qh.kit.problems import PROBLEM_JSON, NotFound, ProblemBody
from qh.kit.render import MEDIA_TYPES as RENDERED
from qh.kit.render import AssetRefused, content_disposition
from qh.resume_generation.domain.resumes.schemas import (
    ExportFormat,
    ResumeIn,
    ResumeOut,
    ResumePatch,
    ResumeSummary,
    TemplateOut,
    VersionOut,
)
from qh.resume_generation.domain.resumes.services import ResumeService, to_out, to_summary

PREFIX = "/api/v1/resumes"
PREVIEW_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; font-src 'self'; img-src data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
)

_PROBLEM_TEXT = {
    401: "Missing, expired or invalid access token",
    404: "No such resume or proposal, or the vacancy is not yours",
    409: "The proposal was already decided, or the resume limit is reached",
    422: "A value is invalid (an unknown template, a language the template lacks, a "
    "provider this service does not have); `errors` names each field",
    429: "The AI provider is rate limited; `Retry-After` says when to try again",
    502: "The AI provider failed or answered something unusable; nothing was saved",
    503: "user-data, job-data or doc-storage could not be reached",
    504: "The AI provider did not answer in time; nothing was saved",
}


def problems(*statuses: int) -> dict[int, ResponseSpec]:
    return {
        status: ResponseSpec(
            data_container=ProblemBody,
            description=_PROBLEM_TEXT[status],
            media_type=PROBLEM_JSON,
            generate_examples=False,
        )
        for status in sorted({401, 422, *statuses})
    }


Resumes = NamedDependency[ResumeService]
Caller = NamedDependency[Principal]


class ResumeController(Controller):
    path = "/"
    tags = ["Resumes"]

    @get("/templates", summary="The resume designs", responses=problems())
    async def templates(
        self,
        resumes: Resumes,
        language: Literal["ru", "en"] = Parameter(
            default="en", description="Language of the titles and descriptions"
        ),
    ) -> list[TemplateOut]:
        """Every template with its name, title, description, languages and page sizes.
        A template is a folder (HTML, CSS, manifest.json); adding one needs no code."""
        return resumes.templates(language)

    @get(
        "/templates/{name:str}/thumbnail",
        summary="A design's thumbnail",
        media_type="image/png",
        opt={"exclude_from_auth": True},
        responses=problems(404),
    )
    async def thumbnail(
        self,
        name: FromPath[str],
        resumes: Resumes,
        language: Literal["ru", "en"] = Parameter(
            default="en", description="The sample's language"
        ),
    ) -> Response[bytes]:
        """The first page of the sample resume in this design, 240 px wide (public, as
        the designs are; `scripts/render_previews.py` makes them)."""
        template = resumes.renderer.template(name)
        target = template.folder / f"thumbnail-{language}.png" if template else None
        if target is None or not target.is_file():
            raise NotFound("No such template")
        return Response(
            target.read_bytes(),
            media_type="image/png",
            headers={"Cache-Control": "public, max-age=86400"},
        )

    @post(
        "/",
        status_code=201,
        summary="Generate a resume",
        responses=problems(404, 409, 429, 502, 503, 504),
    )
    async def create(
        self, data: JSONBody[ResumeIn], principal: Caller, resumes: Resumes
    ) -> ResumeOut:
        """Build a resume from the caller's profile, tailored to `vacancy_id` when given
        (highlights and skills ordered by the vacancy), and ask the `ai` provider for a
        summary aimed at it: grounded against the profile and offered as a proposal."""
        return to_out(await resumes.create(principal, data))

    @get("/", summary="The caller's resumes", responses=problems())
    async def list_resumes(
        self, principal: Caller, resumes: Resumes, page: Paging
    ) -> Page[ResumeSummary]:
        items, total = await resumes.list_page(principal.id, page.limit, page.offset)
        return page.of([to_summary(r) for r in items], total)

    @get("/{resume_id:uuid}", summary="One resume", responses=problems(404))
    async def read(
        self, resume_id: FromPath[UUID], principal: Caller, resumes: Resumes
    ) -> ResumeOut:
        return to_out(await resumes.get(principal.id, resume_id))

    @patch("/{resume_id:uuid}", summary="Edit a resume", responses=problems(404))
    async def update(
        self,
        resume_id: FromPath[UUID],
        data: JSONBody[ResumePatch],
        principal: Caller,
        resumes: Resumes,
    ) -> ResumeOut:
        """Change the title, template, language, page size, photo or the content (which
        replaces the whole content and makes a new version)."""
        return to_out(await resumes.update(principal.id, resume_id, data))

    @delete("/{resume_id:uuid}", summary="Delete a resume", responses=problems(404))
    async def remove(self, resume_id: FromPath[UUID], principal: Caller, resumes: Resumes) -> None:
        await resumes.delete(principal.id, resume_id)

    @get("/{resume_id:uuid}/versions", summary="The content's history", responses=problems(404))
    async def versions(
        self, resume_id: FromPath[UUID], principal: Caller, resumes: Resumes, page: Paging
    ) -> Page[VersionOut]:
        items, total = await resumes.versions(principal.id, resume_id, page.limit, page.offset)
        return page.of(items, total)

    @post(
        "/{resume_id:uuid}/proposals/{proposal_id:str}/accept",
        status_code=200,
        summary="Accept an AI proposal",
        responses=problems(404, 409),
    )
    async def accept(
        self,
        resume_id: FromPath[UUID],
        proposal_id: FromPath[str],
        principal: Caller,
        resumes: Resumes,
    ) -> ResumeOut:
        """The proposal's text goes into the content (a new version)."""
        return to_out(await resumes.decide(principal.id, resume_id, proposal_id, True))

    @post(
        "/{resume_id:uuid}/proposals/{proposal_id:str}/reject",
        status_code=200,
        summary="Reject an AI proposal",
        responses=problems(404, 409),
    )
    async def reject(
        self,
        resume_id: FromPath[UUID],
        proposal_id: FromPath[str],
        principal: Caller,
        resumes: Resumes,
    ) -> ResumeOut:
        return to_out(await resumes.decide(principal.id, resume_id, proposal_id, False))

    @get(
        "/{resume_id:uuid}/preview",
        summary="The resume as HTML",
        media_type="text/html",
        responses=problems(404),
    )
    async def preview(
        self, resume_id: FromPath[UUID], principal: Caller, resumes: Resumes
    ) -> Response[str]:
        """The same template and HTML the PDF is made from; fonts and styles from this
        service's `assets` route."""
        html = await resumes.preview(principal.id, resume_id, f"{PREFIX}/assets/")
        return Response(
            html,
            media_type="text/html; charset=utf-8",
            headers={"Content-Security-Policy": PREVIEW_CSP, "X-Content-Type-Options": "nosniff"},
        )

    @get(
        "/{resume_id:uuid}/export",
        summary="Download the resume",
        media_type="application/octet-stream",
        responses=problems(404, 503),
        opt={MEDIA_TYPES: {200: [RENDERED[kind] for kind in ("pdf", "docx", "md")]}},
    )
    async def export(
        self,
        resume_id: FromPath[UUID],
        principal: Caller,
        resumes: Resumes,
        format: ExportFormat = Parameter(default="pdf", description="pdf, docx or md"),
    ) -> Response[bytes]:
        """The file with its Content-Type and an RFC 6266 Content-Disposition (UTF-8 file
        name); also stored in doc-storage as the next version of the resume's document
        (`QH-Document-Id`, `QH-Document-Version`)."""
        exported = await resumes.export(principal, resume_id, format)
        headers = {"Content-Disposition": content_disposition(exported.filename)}
        if exported.document_id is not None:
            headers["QH-Document-Id"] = str(exported.document_id)
            headers["QH-Document-Version"] = str(exported.document_version)
        return Response(exported.content, media_type=exported.media_type, headers=headers)

    @get(
        "/assets/{asset_path:path}",
        summary="Fonts and styles of the previews",
        opt={"exclude_from_auth": True},
        responses=problems(404),
        include_in_schema=True,
    )
    async def asset(self, asset_path: FromPath[str], request: Request) -> File:  # type: ignore[type-arg]
        """A packaged font or stylesheet (public; the same files the PDF embeds)."""
        from qh.kit.app import service_context

        context = service_context(request.app)
        fetcher = context.renderer.pdf_renderer.fetcher  # type: ignore[attr-defined]
        try:
            target: Path = fetcher.resolve(fetcher.url(*asset_path.lstrip("/").split("/", 1)))
        except (AssetRefused, TypeError):
            raise NotFound("No such asset") from None
        return File(target, filename=target.name, content_disposition_type="inline",
                    headers={"Cache-Control": "public, max-age=86400"})  # fmt: skip
