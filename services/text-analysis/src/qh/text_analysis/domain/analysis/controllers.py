"""Routes of the text-analysis service (relative: the kit mounts them under the prefix)."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, JSONBody

from qh.kit.auth import Principal
from qh.kit.links import LINKS, Follow
from qh.kit.pagination import Page, Paging
from qh.kit.problems import PROBLEM_JSON, ProblemBody
from qh.text_analysis.domain.analysis.schemas import (
    AnalysisOut,
    AnalysisSummary,
    MatchIn,
    MatchOut,
    ReviewIn,
    ReviewOut,
    ToneIn,
    ToneOut,
)
from qh.text_analysis.domain.analysis.services import AnalysisService, detail, summary

MAX_BODY = 192 * 1024  # a 200 kB text is refused with 413 before it is read

_PROBLEM_TEXT = {
    400: "Malformed request (not JSON, or a parameter of the wrong type)",
    401: "Missing, expired or invalid access token",
    404: "No such analysis, or the profile or vacancy referred to is not yours",
    413: "The request body is over 192 KiB",
    422: "A value is invalid (an empty text, a text over the limit, both or neither of "
    "text and reference); `errors` names each field",
    503: "user-data or job-data could not be reached for a reference",
}


def problems(*statuses: int) -> dict[int, ResponseSpec]:
    return {
        status: ResponseSpec(
            data_container=ProblemBody,
            description=_PROBLEM_TEXT[status],
            media_type=PROBLEM_JSON,
            generate_examples=False,
        )
        for status in (401, *statuses)
    }


# A match or review by reference is stored; its id reads it back.
STORED = Follow("GET", "/{analysis_id}", name="StoredAnalysis", analysis_id="id")

Analyses = NamedDependency[AnalysisService]
Caller = NamedDependency[Principal]


class AnalysisController(Controller):
    path = "/"
    tags = ["Analysis"]

    @post(
        "/match",
        status_code=200,
        request_max_body_size=MAX_BODY,
        summary="Match a resume against a vacancy",
        responses=problems(400, 404, 413, 422, 503),
        opt={LINKS: {200: [STORED]}},
    )
    async def match(
        self, data: JSONBody[MatchIn], principal: Caller, analyses: Analyses
    ) -> MatchOut:
        """Score a resume against a vacancy (0–100) and explain it: each component, the
        matched and missing terms, highlights with offsets into both texts, and
        recommendations in the resume's language. By reference (`profile: "me"`,
        `vacancy_id`) the result is stored in the caller's history and its `id` returned,
        with the texts the offsets point into."""
        return await analyses.match(principal, data)

    @post(
        "/review",
        status_code=200,
        request_max_body_size=MAX_BODY,
        summary="Review a resume",
        responses=problems(400, 413, 422, 503),
        opt={LINKS: {200: [STORED]}},
    )
    async def review(
        self, data: JSONBody[ReviewIn], principal: Caller, analyses: Analyses
    ) -> ReviewOut:
        """Resume checks without a vacancy: contacts, headings, dates and gaps, action
        verbs and numbers in highlights, length, repeated words, skill-name spelling."""
        return await analyses.review(principal, data)

    @post(
        "/tone",
        status_code=200,
        request_max_body_size=MAX_BODY,
        summary="Tone of a text",
        responses=problems(400, 413, 422),
    )
    async def tone(self, data: JSONBody[ToneIn], analyses: Analyses) -> ToneOut:
        """Sentiment, formality and wording issues (clichés, filler, passive voice,
        negative wording) with offsets and suggestions."""
        return await analyses.tone(data)

    @get("/", summary="Your stored analyses", responses=problems(400, 422))
    async def list_analyses(
        self, principal: Caller, analyses: Analyses, page: Paging
    ) -> Page[AnalysisSummary]:
        """The caller's stored analyses, newest first."""
        rows, total = await analyses.list(principal.id, page.limit, page.offset)
        return page.of([summary(row) for row in rows], total)

    @get("/{analysis_id:uuid}", summary="One stored analysis", responses=problems(400, 404, 422))
    async def get_analysis(
        self, analysis_id: FromPath[UUID], principal: Caller, analyses: Analyses
    ) -> AnalysisOut:
        """One stored analysis with its full result; another user's is 404."""
        return detail(await analyses.get(principal.id, analysis_id))
