"""Resumes: the designs' gallery with thumbnails, a resume made for a saved vacancy (language,
design), the editor with a live preview (htmx posts the form as it is typed; nothing is
saved until "Save"), the AI proposals accepted or rejected one by one, and the exports
(PDF, DOCX, Markdown) made in the background with a progress note."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.plugins.htmx import HTMXRequest

from qh.web.api import Api, ApiError
from qh.web.context import WebContext
from qh.web.i18n import N_
from qh.web.pages.forms import FormData, export_link, text
from qh.web.web import PageController, PageNotFound, Visitor, visit

RESUMES = "/api/v1/resumes"
VACANCIES = "/api/v1/vacancies"
LANGUAGES = (("en", N_("English")), ("ru", N_("Russian")))
PAGE_SIZES = (("A4", "A4"), ("Letter", "Letter"))
EXPORTS = {"pdf": "PDF", "docx": "DOCX", "md": "Markdown"}
BASICS = ("name", "headline", "email", "phone", "location")
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
# The API's field paths (``content.experience[2].highlights[0]``) → the editor's fields.
_JOB_FIELD = re.compile(r"^(?:content\.)?experience\[(\d+)\]\.(\w+)")
_LIST_FIELD = re.compile(r"^(?:content\.)?(skills|languages)\b")
_BASICS_FIELD = re.compile(r"^(?:content\.)?basics\.(\w+)")


def lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


def edited_content(current: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """The resume's content with the editor's fields put in (what the form does not show,
    such as dates, education or a photo, stays as it was)."""
    content = dict(current)
    basics = dict(content.get("basics") or {})
    for name in BASICS:
        value = text(data, name)
        basics[name] = value if (value or name == "name") else None
    content["basics"] = basics
    content["summary"] = str(data.get("summary") or "").strip() or None
    jobs = []
    for index, job in enumerate(content.get("experience") or []):
        job = dict(job)
        if f"job{index}_position" in data:
            job["position"] = text(data, f"job{index}_position")
            job["company"] = text(data, f"job{index}_company")
            job["description"] = str(data.get(f"job{index}_description") or "").strip() or None
            job["highlights"] = lines(str(data.get(f"job{index}_highlights") or ""))
        jobs.append(job)
    content["experience"] = jobs
    if "skills" in data:
        known = {str(s.get("name", "")).casefold(): s for s in content.get("skills") or []}
        content["skills"] = [
            {**known.get(name.casefold(), {}), "name": name}
            for name in lines(str(data.get("skills") or ""))
        ]
    return content


def form_values(content: dict[str, Any]) -> dict[str, str]:
    """The editor's fields filled from a content."""
    basics = content.get("basics") or {}
    values = {name: str(basics.get(name) or "") for name in BASICS}
    values["summary"] = str(content.get("summary") or "")
    for index, job in enumerate(content.get("experience") or []):
        values[f"job{index}_position"] = str(job.get("position") or "")
        values[f"job{index}_company"] = str(job.get("company") or "")
        values[f"job{index}_description"] = str(job.get("description") or "")
        values[f"job{index}_highlights"] = "\n".join(job.get("highlights") or [])
    values["skills"] = "\n".join(str(s.get("name", "")) for s in content.get("skills") or [])
    return values


def editor_errors(visitor: Visitor, error: ApiError) -> dict[str, str]:
    """A 422 on the content, each message beside the editor's field it concerns."""
    found: dict[str, str] = {}
    for field, message in visitor.field_errors(error).items():
        if match := _JOB_FIELD.match(field):
            kind = match.group(2)
            if kind not in ("position", "company", "description"):
                kind = "highlights"
            name = f"job{match.group(1)}_{kind}"
        elif match := _BASICS_FIELD.match(field):
            name = match.group(1) if match.group(1) in BASICS else "name"
        elif match := _LIST_FIELD.match(field):
            name = "skills"
        elif field.removeprefix("content.").startswith("summary"):
            name = "summary"
        else:
            name = field.removeprefix("content.") or "content"
        found.setdefault(name, message)
    return found


async def saved_vacancies(visitor: Visitor) -> list[dict[str, Any]]:
    page = await visitor.api.get_json("job-data", f"{VACANCIES}/", params={"limit": "100"})
    return list(page["items"])


async def gallery(visitor: Visitor) -> list[dict[str, Any]]:
    return list(
        await visitor.api.get_json(
            "resume-generation", f"{RESUMES}/templates", params={"language": visitor.lang}
        )
    )


async def list_page(visitor: Visitor, status: int = 200, **values: Any) -> Response[str]:
    resumes = await visitor.api.get_json(
        "resume-generation", f"{RESUMES}/", params={"limit": "100"}
    )
    values.setdefault("values", {"language": visitor.lang, "template": "classic"})
    return visitor.page(
        "resumes.html",
        status=200 if visitor.htmx else status,  # htmx swaps only a 2xx
        resumes=resumes["items"],
        vacancies=await saved_vacancies(visitor),
        templates=await gallery(visitor),
        languages=LANGUAGES,
        **values,
    )


async def read_resume(visitor: Visitor, resume_id: UUID) -> dict[str, Any]:
    return await visitor.api.get_json(  # type: ignore[no-any-return]
        "resume-generation", f"{RESUMES}/{resume_id}"
    )


async def resume_page(
    visitor: Visitor,
    resume: dict[str, Any],
    status: int = 200,
    **values: Any,
) -> Response[str]:
    content = values.pop("content", None) or resume["content"]
    values.setdefault("values", form_values(content))
    return visitor.page(
        "resume.html",
        status=200 if visitor.htmx else status,
        resume=resume,
        content=content,
        pending=[p for p in resume["proposals"] if p["status"] == "pending"],
        decided=[p for p in resume["proposals"] if p["status"] != "pending"],
        templates=await gallery(visitor),
        languages=LANGUAGES,
        page_sizes=PAGE_SIZES,
        exports=EXPORTS,
        **values,
    )


def file_response(response: Any) -> Response[bytes]:
    """An API's file answered as it came (type and file name), never kept by a cache."""
    return Response(
        response.content,
        media_type=response.headers.get("content-type", "application/octet-stream"),
        headers={
            "Cache-Control": "no-store",
            "Content-Disposition": response.headers.get("content-disposition") or "attachment",
        },
    )


class ResumePages(PageController):
    path = "/resumes"
    tags = ["Pages: resumes"]

    @get("/")
    async def resumes(
        self, request: HTMXRequest, context: NamedDependency[WebContext]
    ) -> Response[str]:
        """The resumes made so far, and a new one: a saved vacancy, a language, a design."""
        visitor = await visit(request, context)
        return await list_page(visitor)

    @post("/")
    async def create(
        self, request: HTMXRequest, context: NamedDependency[WebContext], data: FormData
    ) -> Response[str]:
        visitor = await visit(request, context)
        _ = visitor.gettext
        typed = {k: text(data, k) for k in ("vacancy_id", "language", "template", "title")}
        body: dict[str, Any] = {"template": typed["template"] or "classic"}
        if typed["language"]:
            body["language"] = typed["language"]
        if typed["title"]:
            body["title"] = typed["title"]
        if typed["vacancy_id"]:
            try:
                body["vacancy_id"] = str(UUID(typed["vacancy_id"]))
            except ValueError:
                return await list_page(
                    visitor,
                    status=422,
                    values=typed,
                    errors={"vacancy_id": _("Choose one of your saved vacancies.")},
                )
        try:
            created = await visitor.api.get_json_post("resume-generation", f"{RESUMES}/", json=body)
        except ApiError as error:
            errors = visitor.field_errors(error)
            message = None
            if error.status == 404:
                errors = {"vacancy_id": _("This vacancy is not among your saved vacancies.")}
            elif error.status == 409:
                message = _("You have reached the limit of resumes: delete an old one first.")
            elif not errors:
                message = visitor.error_text(error)
            status = error.status if error.status < 500 else 502
            if error.status in (503, 504):
                status = error.status
            return await list_page(
                visitor, status=status, values=typed, errors=errors, message=message
            )
        return visitor.redirect(f"/resumes/{created['id']}")

    @get("/templates/{name:str}/thumbnail", cache_control=None)
    async def thumbnail(
        self,
        request: HTMXRequest,
        context: NamedDependency[WebContext],
        name: FromPath[str],
        language: FromQuery[str] = "en",
    ) -> Response[bytes]:
        """A design's thumbnail, from resume-generation (public, cached for a day)."""
        if not _NAME.match(name) or language not in ("ru", "en"):
            raise PageNotFound
        try:
            answer = await Api(context, None).call(
                "resume-generation",
                "GET",
                f"{RESUMES}/templates/{name}/thumbnail",
                params={"language": language},
                anonymous=True,
            )
        except ApiError as error:
            if error.status in (404, 422):
                raise PageNotFound from None
            raise
        return Response(
            answer.content,
            media_type="image/png",
            headers={"Cache-Control": "public, max-age=86400"},
        )

    @get("/{resume_id:uuid}")
    async def resume(
        self,
        request: HTMXRequest,
        context: NamedDependency[WebContext],
        resume_id: FromPath[UUID],
        saved: FromQuery[int | None] = None,
    ) -> Response[str]:
        """The editor beside its live preview, the proposals, the settings, the exports."""
        visitor = await visit(request, context)
        resume = await read_resume(visitor, resume_id)
        notice = visitor.gettext("Saved.") if saved else None
        return await resume_page(visitor, resume, notice=notice)

    @post("/{resume_id:uuid}/preview")
    async def preview(
        self,
        request: HTMXRequest,
        context: NamedDependency[WebContext],
        resume_id: FromPath[UUID],
        data: FormData,
    ) -> Response[str]:
        """The preview of the form as it is now (htmx, as the person types); saves nothing."""
        visitor = await visit(request, context)
        resume = await read_resume(visitor, resume_id)
        return visitor.page(
            "_resume_preview.html",
            resume=resume,
            content=edited_content(resume["content"], data),
        )

    @get("/{resume_id:uuid}/print")
    async def printed(
        self,
        request: HTMXRequest,
        context: NamedDependency[WebContext],
        resume_id: FromPath[UUID],
    ) -> Response[str]:
        """The saved version in its design, as resume-generation renders it for the PDF
        (its own strict CSP kept: no script, styles inline, fonts from its assets)."""
        visitor = await visit(request, context)
        answer = await visitor.api.call(
            "resume-generation", "GET", f"{RESUMES}/{resume_id}/preview"
        )
        headers = {"Cache-Control": "no-store"}
        policy = answer.headers.get("content-security-policy")
        if policy:
            headers["Content-Security-Policy"] = policy
        return Response(answer.text, media_type="text/html; charset=utf-8", headers=headers)

    @post("/{resume_id:uuid}")
    async def save(
        self,
        request: HTMXRequest,
        context: NamedDependency[WebContext],
        resume_id: FromPath[UUID],
        data: FormData,
    ) -> Response[str]:
        """The editor's content saved (a new version); refusals beside their fields."""
        visitor = await visit(request, context)
        resume = await read_resume(visitor, resume_id)
        content = edited_content(resume["content"], data)
        try:
            await visitor.api.call(
                "resume-generation",
                "PATCH",
                f"{RESUMES}/{resume_id}",
                json={"content": content},
            )
        except ApiError as error:
            if error.status != 422:
                raise
            errors = editor_errors(visitor, error)
            return await resume_page(
                visitor,
                resume,
                status=422,
                content=content,
                values={k: str(v) for k, v in data.items() if isinstance(v, str)},
                errors=errors,
                message=visitor.error_text(error) if not errors else None,
            )
        return visitor.redirect(f"/resumes/{resume_id}?saved=1")

    @post("/{resume_id:uuid}/settings")
    async def settings(
        self,
        request: HTMXRequest,
        context: NamedDependency[WebContext],
        resume_id: FromPath[UUID],
        data: FormData,
    ) -> Response[str]:
        """The title, design, language and page size."""
        visitor = await visit(request, context)
        patch = {
            key: text(data, key)
            for key in ("title", "template", "language", "page_size")
            if text(data, key)
        }
        try:
            await visitor.api.call(
                "resume-generation", "PATCH", f"{RESUMES}/{resume_id}", json=patch
            )
        except ApiError as error:
            if error.status != 422:
                raise
            resume = await read_resume(visitor, resume_id)
            errors = {
                (f"s_{k}" if k in ("title", "template", "language", "page_size") else k): m
                for k, m in visitor.field_errors(error).items()
            }
            return await resume_page(
                visitor,
                resume,
                status=422,
                errors=errors,
                settings={**resume, **patch},
                message=visitor.error_text(error) if not errors else None,
            )
        return visitor.redirect(f"/resumes/{resume_id}?saved=1")

    @post("/{resume_id:uuid}/proposals/{proposal_id:str}/{decision:str}")
    async def decide(
        self,
        request: HTMXRequest,
        context: NamedDependency[WebContext],
        resume_id: FromPath[UUID],
        proposal_id: FromPath[str],
        decision: FromPath[str],
        data: FormData,
    ) -> Response[str]:
        """Accept (its text goes into the resume) or reject one proposal."""
        visitor = await visit(request, context)
        if decision not in ("accept", "reject") or not re.fullmatch(r"[\w-]{1,64}", proposal_id):
            raise PageNotFound
        try:
            await visitor.api.call(
                "resume-generation",
                "POST",
                f"{RESUMES}/{resume_id}/proposals/{proposal_id}/{decision}",
            )
        except ApiError as error:
            if error.status != 409:
                raise
            resume = await read_resume(visitor, resume_id)
            return await resume_page(
                visitor,
                resume,
                status=409,
                message=visitor.gettext("This proposal was already decided."),
            )
        return visitor.redirect(f"/resumes/{resume_id}")

    @post("/{resume_id:uuid}/export")
    async def export(
        self,
        request: HTMXRequest,
        context: NamedDependency[WebContext],
        resume_id: FromPath[UUID],
        data: FormData,
    ) -> Response[str]:
        """Made in the background (htmx, with a progress note): answers the link to the
        file as stored in the documents, or to a fresh download when it was not stored."""
        visitor = await visit(request, context)
        kind = text(data, "format")
        if kind not in EXPORTS:
            raise PageNotFound
        return await export_link(
            visitor,
            "resume-generation",
            f"{RESUMES}/{resume_id}/export",
            kind,
            EXPORTS[kind],
            f"/resumes/{resume_id}/download?format={kind}",
        )

    @get("/{resume_id:uuid}/download")
    async def download(
        self,
        request: HTMXRequest,
        context: NamedDependency[WebContext],
        resume_id: FromPath[UUID],
        format: FromQuery[str] = "pdf",
    ) -> Response[bytes]:
        """The file itself (the export form without script)."""
        visitor = await visit(request, context)
        if format not in EXPORTS:
            raise PageNotFound
        answer = await visitor.api.call(
            "resume-generation",
            "GET",
            f"{RESUMES}/{resume_id}/export",
            params={"format": format},
        )
        return file_response(answer)

    @post("/{resume_id:uuid}/delete")
    async def delete(
        self,
        request: HTMXRequest,
        context: NamedDependency[WebContext],
        resume_id: FromPath[UUID],
        data: FormData,
    ) -> Response[str]:
        visitor = await visit(request, context)
        try:
            await visitor.api.call("resume-generation", "DELETE", f"{RESUMES}/{resume_id}")
        except ApiError as error:
            if error.status != 404:
                raise
        return visitor.redirect("/resumes")


SHOWN_VALUES = (N_("summary"), N_("pending"), N_("accepted"), N_("rejected"))
