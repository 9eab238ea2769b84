"""Routes of the cover-letters service (relative: the kit mounts them under the prefix)."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, Response, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, JSONBody, Parameter

from qh.cover_letters.domain.letters.schemas import (
    ExportFormat,
    LetterIn,
    LetterOut,
    LetterPatch,
    LetterSummary,
    RegenerateIn,
    VersionOut,
)
from qh.cover_letters.domain.letters.services import LetterService, to_summary
from qh.kit.auth import Caller
from qh.kit.links import MEDIA_TYPES
from qh.kit.pagination import Page, Paging
from qh.kit.problems import PROBLEM_JSON, ProblemBody
from qh.kit.render import MEDIA_TYPES as RENDERED
from qh.kit.render import content_disposition

_PROBLEM_TEXT = {
    401: "Missing, expired or invalid access token",
    404: "No such letter or version, or the vacancy or resume is not yours",
    409: "The letter limit is reached",
    422: "A value is invalid (a tone, a language, a limit out of range, a provider this "
    "service does not have); `errors` names each field",
    429: "The AI provider is rate limited; `Retry-After` says when to try again",
    502: "The AI provider failed or answered something unusable; nothing was saved",
    503: "user-data, job-data, resume-generation or doc-storage could not be reached",
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


Letters = NamedDependency[LetterService]


class LetterController(Controller):
    path = "/"
    tags = ["Cover letters"]

    @post("/", status_code=201, summary="Draft a cover letter",
          responses=problems(404, 409, 429, 502, 503, 504))  # fmt: skip
    async def create(
        self, data: JSONBody[LetterIn], principal: Caller, letters: Letters
    ) -> LetterOut:
        """A letter for `vacancy_id` from the caller's profile (and `resume_id`'s content):
        an opening tied to the company and role, the vacancy's top requirements mapped to the
        candidate's own highlights and skills, a closing; in `tone` and `language`, within
        `max_words`/`max_chars`. An AI text (`ai`) is grounded against the profile: what it
        does not support is removed and listed in `generation.removed_claims`. `tone` in the
        answer is text-analysis's feedback on the draft (null when it is unavailable)."""
        letter = await letters.create(principal, data)
        return await letters.out(principal, letter)

    @get("/", summary="The caller's letters", responses=problems())
    async def list_letters(
        self, principal: Caller, letters: Letters, page: Paging
    ) -> Page[LetterSummary]:
        items, total = await letters.list_page(principal.id, page.limit, page.offset)
        return page.of([to_summary(x) for x in items], total)

    @get("/{letter_id:uuid}", summary="One letter", responses=problems(404))
    async def read(
        self, letter_id: FromPath[UUID], principal: Caller, letters: Letters
    ) -> LetterOut:
        return await letters.out(principal, await letters.get(principal.id, letter_id))

    @patch("/{letter_id:uuid}", summary="Edit a letter", responses=problems(404))
    async def update(
        self,
        letter_id: FromPath[UUID],
        data: JSONBody[LetterPatch],
        principal: Caller,
        letters: Letters,
    ) -> LetterOut:
        """A changed `text` is a new version; the previous one stays in the history."""
        letter = await letters.update(principal.id, letter_id, data)
        return await letters.out(principal, letter)

    @delete("/{letter_id:uuid}", summary="Delete a letter", responses=problems(404))
    async def remove(self, letter_id: FromPath[UUID], principal: Caller, letters: Letters) -> None:
        await letters.delete(principal.id, letter_id)

    @get("/{letter_id:uuid}/versions", summary="The draft's history", responses=problems(404))
    async def versions(
        self, letter_id: FromPath[UUID], principal: Caller, letters: Letters, page: Paging
    ) -> Page[VersionOut]:
        items, total = await letters.versions(principal.id, letter_id, page.limit, page.offset)
        return page.of(items, total)

    @post("/{letter_id:uuid}/versions/{number:int}/restore", status_code=200,
          summary="Restore a version", responses=problems(404))  # fmt: skip
    async def restore(
        self, letter_id: FromPath[UUID], number: FromPath[int], principal: Caller, letters: Letters
    ) -> LetterOut:
        """That version's text becomes the draft again, as a new version."""
        letter = await letters.restore(principal.id, letter_id, number)
        return await letters.out(principal, letter)

    @post("/{letter_id:uuid}/regenerate", status_code=200, summary="Write the letter again",
          responses=problems(404, 409, 429, 502, 503, 504))  # fmt: skip
    async def regenerate(
        self,
        letter_id: FromPath[UUID],
        data: JSONBody[RegenerateIn],
        principal: Caller,
        letters: Letters,
    ) -> LetterOut:
        """Again for the same vacancy and resume, in another `tone` or limit: a new version;
        the history (edits included) stays. 409 if the letter was changed while it was being
        written."""
        letter = await letters.regenerate(principal, letter_id, data)
        return await letters.out(principal, letter)

    @get("/{letter_id:uuid}/export", summary="Download the letter",
         media_type="application/octet-stream", responses=problems(404, 503),
         opt={MEDIA_TYPES: {200: [RENDERED[kind] for kind in ("pdf", "docx", "txt")]}})  # fmt: skip
    async def export(
        self,
        letter_id: FromPath[UUID],
        principal: Caller,
        letters: Letters,
        format: ExportFormat = Parameter(default="pdf", description="pdf, docx or txt"),
    ) -> Response[bytes]:
        """The file with its Content-Type and an RFC 6266 Content-Disposition; also stored in
        doc-storage as the next version of the letter's document (`QH-Document-Id`,
        `QH-Document-Version`)."""
        exported = await letters.export(principal, letter_id, format)
        headers = {"Content-Disposition": content_disposition(exported.filename)}
        if exported.document_id is not None:
            headers["QH-Document-Id"] = str(exported.document_id)
            headers["QH-Document-Version"] = str(exported.document_version)
        return Response(exported.content, media_type=exported.media_type, headers=headers)
