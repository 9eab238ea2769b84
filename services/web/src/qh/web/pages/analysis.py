"""The match of the profile with a vacancy (score, breakdown, both texts with matched,
missing and weak terms highlighted, recommendations), the resume review and tone."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest

from qh.web.api import ApiError
from qh.web.context import WebContext
from qh.web.i18n import N_
from qh.web.pages.forms import FormData
from qh.web.web import PageController, visit

ANALYSIS = "/api/v1/analysis"
VACANCIES = "/api/v1/vacancies"


def segments(text: str, marks: list[dict[str, Any]]) -> list[tuple[str, str | None]]:
    """The text cut at the highlights' offsets: ``(piece, kind or None)``, in order, with
    overlapping highlights dropped (the first one wins)."""
    pieces: list[tuple[str, str | None]] = []
    at = 0
    for mark in sorted(marks, key=lambda m: (int(m["start"]), -int(m["end"]))):
        start, end = int(mark["start"]), int(mark["end"])
        if start < at or end <= start or end > len(text):
            continue
        if start > at:
            pieces.append((text[at:start], None))
        pieces.append((text[start:end], str(mark.get("kind") or "match")))
        at = end
    if at < len(text):
        pieces.append((text[at:], None))
    return pieces


BREAKDOWN = ("skills", "title", "experience", "languages", "education", "keywords", "semantic")


class AnalysisPages(PageController):
    path = "/"
    tags = ["Pages: analysis"]

    @get("/vacancies/{vacancy_id:uuid}/match")
    async def match_page(
        self,
        request: HTMXRequest,
        context: NamedDependency[WebContext],
        vacancy_id: FromPath[UUID],
    ) -> Response[str]:
        """The page loads the match in the background (htmx), with a progress note."""
        visitor = await visit(request, context)
        vacancy = await visitor.api.get_json("job-data", f"{VACANCIES}/{vacancy_id}")
        return visitor.page("match.html", vacancy=vacancy, result=None)

    @post("/vacancies/{vacancy_id:uuid}/match")
    async def match(
        self,
        request: HTMXRequest,
        context: NamedDependency[WebContext],
        vacancy_id: FromPath[UUID],
        data: FormData,
    ) -> Response[str]:
        visitor = await visit(request, context)
        vacancy = await visitor.api.get_json("job-data", f"{VACANCIES}/{vacancy_id}")
        try:
            result = await visitor.api.get_json_post(
                "text-analysis",
                f"{ANALYSIS}/match",
                json={"resume": {"profile": "me"}, "vacancy": {"vacancy_id": str(vacancy_id)}},
            )
        except ApiError as error:
            if error.status == 404:
                raise
            return visitor.page(
                "_match_result.html" if visitor.htmx else "match.html",
                status=200 if visitor.htmx else error.status,
                vacancy=vacancy,
                result=None,
                message=visitor.error_text(error)
                if error.status != 422
                else (error.detail or visitor.error_text(error)),
            )
        texts = result.get("texts") or {}
        highlights = result.get("highlights") or []
        sides = {
            side: segments(
                str(texts.get(side) or ""), [h for h in highlights if h.get("side") == side]
            )
            for side in ("resume", "vacancy")
        }
        return visitor.page(
            "_match_result.html" if visitor.htmx else "match.html",
            vacancy=vacancy,
            result=result,
            sides=sides,
            breakdown=[(k, result["breakdown"].get(k)) for k in BREAKDOWN],
        )

    @get("/review")
    async def review_page(
        self, request: HTMXRequest, context: NamedDependency[WebContext]
    ) -> Response[str]:
        visitor = await visit(request, context)
        return visitor.page("review.html", review=None, tone=None, tone_text="")

    @post("/review")
    async def review(
        self, request: HTMXRequest, context: NamedDependency[WebContext], data: FormData
    ) -> Response[str]:
        """Checks of the resume built from the profile."""
        visitor = await visit(request, context)
        try:
            review = await visitor.api.get_json_post(
                "text-analysis", f"{ANALYSIS}/review", json={"resume": {"profile": "me"}}
            )
        except ApiError as error:
            return visitor.page(
                "review.html",
                status=error.status if error.status < 500 else 502,
                review=None,
                tone=None,
                tone_text="",
                message=error.detail if error.status == 422 else visitor.error_text(error),
            )
        return visitor.page("review.html", review=review, tone=None, tone_text="")

    @post("/review/tone")
    async def tone(
        self, request: HTMXRequest, context: NamedDependency[WebContext], data: FormData
    ) -> Response[str]:
        """The tone of a text (a cover letter, a summary): sentiment, formality, issues."""
        visitor = await visit(request, context)
        text = str(data.get("text") or "").strip()
        if not text:
            return visitor.page(
                "review.html",
                status=422,
                review=None,
                tone=None,
                tone_text="",
                errors={"text": visitor.gettext("Paste a text to check.")},
            )
        try:
            tone = await visitor.api.get_json_post(
                "text-analysis", f"{ANALYSIS}/tone", json={"text": text}
            )
        except ApiError as error:
            if error.status != 422:
                raise
            return visitor.page(
                "review.html",
                status=422,
                review=None,
                tone=None,
                tone_text=text,
                errors=visitor.field_errors(error) or {"text": visitor.error_text(error)},
            )
        return visitor.page(
            "review.html",
            review=None,
            tone=tone,
            tone_text=text,
            tone_segments=segments(text, tone.get("issues") or []),
        )


# Words the pages show from the APIs' values, marked for the catalogues.
SHOWN_VALUES = (
    N_("Skills"),
    N_("Title"),
    N_("Experience"),
    N_("Languages"),
    N_("Education"),
    N_("Keywords"),
    N_("Semantic"),
    N_("positive"),
    N_("neutral"),
    N_("negative"),
    N_("formal"),
    N_("informal"),
    N_("remote"),
    N_("office"),
    N_("hybrid"),
    N_("Email"),
)
