"""Cover letters: a draft for a saved vacancy in a tone, the editor with text-analysis's
feedback on the tone (or a friendly word when it cannot be had), the versions with
restore, writing it again in another tone, and the exports (TXT, DOCX, PDF)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.plugins.htmx import HTMXRequest

from qh.web.api import ApiError
from qh.web.context import WebContext
from qh.web.i18n import N_
from qh.web.pages.analysis import segments
from qh.web.pages.forms import FormData, export_link, text
from qh.web.pages.resumes import LANGUAGES, file_response, saved_vacancies
from qh.web.web import PageController, PageNotFound, Visitor, visit

LETTERS = "/api/v1/cover-letters"
RESUMES = "/api/v1/resumes"
TONES = (
    ("formal", N_("formal")),
    ("friendly", N_("friendly")),
    ("enthusiastic", N_("enthusiastic")),
)
EXPORTS = {"pdf": "PDF", "docx": "DOCX", "txt": "TXT"}


def _status(visitor: Visitor, status: int) -> int:
    return 200 if visitor.htmx else status  # htmx swaps only a 2xx


def _problem_status(error: ApiError) -> int:
    if error.status in (503, 504) or error.status < 500:
        return error.status
    return 502


async def list_page(visitor: Visitor, status: int = 200, **values: Any) -> Response[str]:
    letters = await visitor.api.get_json("cover-letters", f"{LETTERS}/", params={"limit": "100"})
    resumes = await visitor.api.get_json(
        "resume-generation", f"{RESUMES}/", params={"limit": "100"}
    )
    values.setdefault("values", {"tone": "formal", "language": ""})
    return visitor.page(
        "cover_letters.html",
        status=_status(visitor, status),
        letters=letters["items"],
        vacancies=await saved_vacancies(visitor),
        resumes=resumes["items"],
        tones=TONES,
        languages=LANGUAGES,
        **values,
    )


async def letter_page(
    visitor: Visitor, letter_id: UUID, status: int = 200, **values: Any
) -> Response[str]:
    base = f"{LETTERS}/{letter_id}"
    letter = await visitor.api.get_json("cover-letters", base)
    versions = await visitor.api.get_json("cover-letters", f"{base}/versions")
    tone = letter.get("tone")
    values.setdefault("values", {"text": letter["text"], "title": letter["title"]})
    return visitor.page(
        "cover_letter.html",
        status=_status(visitor, status),
        letter=letter,
        versions=versions["items"],
        tone=tone,
        tone_segments=segments(letter["text"], tone.get("issues") or []) if tone else [],
        tones=TONES,
        exports=EXPORTS,
        **values,
    )


class CoverLetterPages(PageController):
    path = "/cover-letters"
    tags = ["Pages: cover letters"]

    @get("/")
    async def letters(
        self, request: HTMXRequest, context: NamedDependency[WebContext]
    ) -> Response[str]:
        """The letters written so far, and a new draft: a vacancy, a tone, a language."""
        visitor = await visit(request, context)
        return await list_page(visitor)

    @post("/")
    async def create(
        self, request: HTMXRequest, context: NamedDependency[WebContext], data: FormData
    ) -> Response[str]:
        visitor = await visit(request, context)
        _ = visitor.gettext
        names = ("vacancy_id", "resume_id", "tone", "language", "recruiter_name", "max_words")
        typed = {k: text(data, k) for k in names}
        errors: dict[str, str] = {}
        body: dict[str, Any] = {"tone": typed["tone"] or "formal"}
        for key in ("vacancy_id", "resume_id"):
            if typed[key]:
                try:
                    body[key] = str(UUID(typed[key]))
                except ValueError:
                    errors[key] = _("Choose one from the list.")
        if not typed["vacancy_id"]:
            errors["vacancy_id"] = _("Choose the vacancy the letter is for.")
        if typed["max_words"]:
            if typed["max_words"].isdigit():
                body["max_words"] = int(typed["max_words"])
            else:
                errors["max_words"] = _("Write a whole number, such as 250.")
        for key in ("language", "recruiter_name"):
            if typed[key]:
                body[key] = typed[key]
        if errors:
            return await list_page(visitor, status=422, values=typed, errors=errors)
        try:
            created = await visitor.api.get_json_post("cover-letters", f"{LETTERS}/", json=body)
        except ApiError as error:
            errors = visitor.field_errors(error)
            message = None
            if "max_words" in errors:
                errors["max_words"] = _("Between 40 and 3000 words.")
            if error.status == 404:
                errors = {
                    "resume_id" if typed["resume_id"] else "vacancy_id": _(
                        "It is not among yours: it may have been deleted."
                    )
                }
            elif error.status == 409:
                message = _("You have reached the limit of letters: delete an old one first.")
            elif not errors:
                message = visitor.error_text(error)
            return await list_page(
                visitor,
                status=_problem_status(error),
                values=typed,
                errors=errors,
                message=message,
            )
        return visitor.redirect(f"/cover-letters/{created['id']}")

    @get("/{letter_id:uuid}")
    async def letter(
        self,
        request: HTMXRequest,
        context: NamedDependency[WebContext],
        letter_id: FromPath[UUID],
        saved: FromQuery[int | None] = None,
    ) -> Response[str]:
        """The text to edit, the tone feedback, the versions, the exports."""
        visitor = await visit(request, context)
        notice = visitor.gettext("Saved.") if saved else None
        return await letter_page(visitor, letter_id, notice=notice)

    @post("/{letter_id:uuid}")
    async def save(
        self,
        request: HTMXRequest,
        context: NamedDependency[WebContext],
        letter_id: FromPath[UUID],
        data: FormData,
    ) -> Response[str]:
        """The edited text (a new version when it changed) and the title."""
        visitor = await visit(request, context)
        _ = visitor.gettext
        typed = {"text": str(data.get("text") or "").strip(), "title": text(data, "title")}
        errors = {}
        if not typed["text"]:
            errors["text"] = _("The letter cannot be empty.")
        if not typed["title"]:
            errors["title"] = _("Give the letter a title.")
        if not errors:
            try:
                await visitor.api.call(
                    "cover-letters", "PATCH", f"{LETTERS}/{letter_id}", json=typed
                )
            except ApiError as error:
                if error.status != 422:
                    raise
                errors = visitor.field_errors(error) or {"text": visitor.error_text(error)}
        if errors:
            return await letter_page(visitor, letter_id, status=422, values=typed, errors=errors)
        return visitor.redirect(f"/cover-letters/{letter_id}?saved=1")

    @post("/{letter_id:uuid}/versions/{number:int}/restore")
    async def restore(
        self,
        request: HTMXRequest,
        context: NamedDependency[WebContext],
        letter_id: FromPath[UUID],
        number: FromPath[int],
        data: FormData,
    ) -> Response[str]:
        visitor = await visit(request, context)
        await visitor.api.call(
            "cover-letters", "POST", f"{LETTERS}/{letter_id}/versions/{number}/restore"
        )
        return visitor.redirect(f"/cover-letters/{letter_id}?saved=1")

    @post("/{letter_id:uuid}/regenerate")
    async def regenerate(
        self,
        request: HTMXRequest,
        context: NamedDependency[WebContext],
        letter_id: FromPath[UUID],
        data: FormData,
    ) -> Response[str]:
        """Written again in another tone (a new version; the history stays)."""
        visitor = await visit(request, context)
        tone = text(data, "tone")
        if tone not in dict(TONES):
            return await letter_page(
                visitor,
                letter_id,
                status=422,
                errors={"tone": visitor.gettext("Choose one of the tones.")},
            )
        try:
            await visitor.api.call(
                "cover-letters", "POST", f"{LETTERS}/{letter_id}/regenerate", json={"tone": tone}
            )
        except ApiError as error:
            if error.status == 404:
                raise
            return await letter_page(
                visitor,
                letter_id,
                status=_problem_status(error),
                message=visitor.error_text(error),
            )
        return visitor.redirect(f"/cover-letters/{letter_id}?saved=1")

    @post("/{letter_id:uuid}/export")
    async def export(
        self,
        request: HTMXRequest,
        context: NamedDependency[WebContext],
        letter_id: FromPath[UUID],
        data: FormData,
    ) -> Response[str]:
        """Made in the background (htmx, with a progress note): answers the link to it."""
        visitor = await visit(request, context)
        kind = text(data, "format")
        if kind not in EXPORTS:
            raise PageNotFound
        return await export_link(
            visitor,
            "cover-letters",
            f"{LETTERS}/{letter_id}/export",
            kind,
            EXPORTS[kind],
            f"/cover-letters/{letter_id}/download?format={kind}",
        )

    @get("/{letter_id:uuid}/download")
    async def download(
        self,
        request: HTMXRequest,
        context: NamedDependency[WebContext],
        letter_id: FromPath[UUID],
        format: FromQuery[str] = "pdf",
    ) -> Response[bytes]:
        """The file itself (the export form without script)."""
        visitor = await visit(request, context)
        if format not in EXPORTS:
            raise PageNotFound
        answer = await visitor.api.call(
            "cover-letters", "GET", f"{LETTERS}/{letter_id}/export", params={"format": format}
        )
        return file_response(answer)

    @post("/{letter_id:uuid}/delete")
    async def delete(
        self,
        request: HTMXRequest,
        context: NamedDependency[WebContext],
        letter_id: FromPath[UUID],
        data: FormData,
    ) -> Response[str]:
        visitor = await visit(request, context)
        try:
            await visitor.api.call("cover-letters", "DELETE", f"{LETTERS}/{letter_id}")
        except ApiError as error:
            if error.status != 404:
                raise
        return visitor.redirect("/cover-letters")


SHOWN_VALUES = (N_("generated"), N_("edited"), N_("regenerated"), N_("restored"))
