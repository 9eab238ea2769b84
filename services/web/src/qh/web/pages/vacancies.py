"""Vacancies: add by URL, by pasted text (parsed, reviewed, saved) or from hh.ru's search;
a board by status; one vacancy with its parsed requirements, status and notes."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.plugins.htmx import HTMXRequest

from qh.web.api import ApiError
from qh.web.context import WebContext
from qh.web.i18n import N_
from qh.web.pages.forms import FormData, text
from qh.web.web import PageController, PageNotFound, Visitor, visit

VACANCIES = "/api/v1/vacancies"
STATUSES = (
    ("saved", N_("Saved")),
    ("applied", N_("Applied")),
    ("interview", N_("Interview")),
    ("offer", N_("Offer")),
    ("rejected", N_("Rejected")),
)


async def board(visitor: Visitor, status: int = 200, **values: Any) -> Response[str]:
    page = await visitor.api.get_json("job-data", f"{VACANCIES}/", params={"limit": "100"})
    columns: dict[str, list[dict[str, Any]]] = {key: [] for key, _ in STATUSES}
    for item in page["items"]:
        columns.setdefault(item["status"], []).append(item)
    return visitor.page(
        "vacancies.html",
        status=status,
        columns=columns,
        statuses=STATUSES,
        total=page["total"],
        **values,
    )


class VacancyPages(PageController):
    path = "/vacancies"
    tags = ["Pages: vacancies"]

    @get("/")
    async def board(
        self, request: HTMXRequest, context: NamedDependency[WebContext]
    ) -> Response[str]:
        """Every saved vacancy in a column per status, and the ways to add one."""
        visitor = await visit(request, context)
        return await board(visitor)

    @post("/import")
    async def import_url(
        self, request: HTMXRequest, context: NamedDependency[WebContext], data: FormData
    ) -> Response[str]:
        visitor = await visit(request, context)
        url = text(data, "url")
        if not url:
            return await board(
                visitor, status=422, errors={"url": visitor.gettext("Paste the vacancy's link.")}
            )
        try:
            saved = await visitor.api.get_json_post(
                "job-data", f"{VACANCIES}/import", json={"url": url}
            )
        except ApiError as error:
            if error.status >= 500 and error.status not in (502, 503, 504):
                raise
            message = error.detail if error.status in (400, 422) and error.detail else None
            return await board(
                visitor,
                status=error.status,
                values={"url": url},
                errors={"url": message or visitor.error_text(error)},
            )
        return visitor.redirect(f"/vacancies/{saved['id']}")

    @post("/parse")
    async def parse(
        self, request: HTMXRequest, context: NamedDependency[WebContext], data: FormData
    ) -> Response[str]:
        """Pasted text read into a vacancy, shown for review before it is saved."""
        visitor = await visit(request, context)
        content = str(data.get("content") or "").strip()
        if not content:
            return await board(
                visitor,
                status=422,
                errors={"content": visitor.gettext("Paste the text of the vacancy.")},
            )
        try:
            parsed = await visitor.api.get_json_post(
                "job-data",
                f"{VACANCIES}/parse",
                json={"content": content, "content_type": "text/plain"},
            )
        except ApiError as error:
            if error.status not in (413, 422):
                raise
            return await board(
                visitor,
                status=error.status,
                values={"content": content},
                errors={"content": error.detail or visitor.error_text(error)},
            )
        return visitor.page(
            "vacancy_review.html",
            vacancy=parsed,
            vacancy_json=json.dumps(parsed, ensure_ascii=False),
        )

    @post("/save")
    async def save(
        self, request: HTMXRequest, context: NamedDependency[WebContext], data: FormData
    ) -> Response[str]:
        visitor = await visit(request, context)
        try:
            vacancy = json.loads(str(data.get("vacancy") or ""))
        except ValueError:
            vacancy = None
        if not isinstance(vacancy, dict):
            raise PageNotFound
        title = text(data, "title")
        if title:
            vacancy["title"] = title
        saved = await visitor.api.get_json_post("job-data", f"{VACANCIES}/", json=vacancy)
        return visitor.redirect(f"/vacancies/{saved['id']}")

    @get("/search")
    async def search(
        self,
        request: HTMXRequest,
        context: NamedDependency[WebContext],
        q: FromQuery[str] = "",
        area: FromQuery[str] = "",
    ) -> Response[str]:
        """hh.ru's search, each result ready to save."""
        visitor = await visit(request, context)
        results, message = None, None
        if q.strip():
            params = {"text": q.strip()}
            if area.strip():
                params["area"] = area.strip()
            try:
                results = await visitor.api.get_json(
                    "job-data", f"{VACANCIES}/search/hh", params=params
                )
            except ApiError as error:
                if error.status == 422 and error.errors:
                    message = "; ".join(e["message"] for e in error.errors)
                else:
                    message = visitor.error_text(error)
        return visitor.page("vacancy_search.html", q=q, area=area, results=results, message=message)

    @get("/{vacancy_id:uuid}")
    async def vacancy(
        self,
        request: HTMXRequest,
        context: NamedDependency[WebContext],
        vacancy_id: FromPath[UUID],
    ) -> Response[str]:
        """One vacancy: what it asks for, its status and notes."""
        visitor = await visit(request, context)
        vacancy = await visitor.api.get_json("job-data", f"{VACANCIES}/{vacancy_id}")
        return visitor.page("vacancy.html", vacancy=vacancy, statuses=STATUSES)

    @post("/{vacancy_id:uuid}")
    async def update(
        self,
        request: HTMXRequest,
        context: NamedDependency[WebContext],
        vacancy_id: FromPath[UUID],
        data: FormData,
    ) -> Response[str]:
        visitor = await visit(request, context)
        status = text(data, "status")
        if status not in dict(STATUSES):
            raise PageNotFound
        await visitor.api.call(
            "job-data",
            "PATCH",
            f"{VACANCIES}/{vacancy_id}",
            json={"status": status, "notes": str(data.get("notes") or "").strip() or None},
        )
        return visitor.redirect(f"/vacancies/{vacancy_id}")

    @post("/{vacancy_id:uuid}/delete")
    async def delete(
        self,
        request: HTMXRequest,
        context: NamedDependency[WebContext],
        vacancy_id: FromPath[UUID],
        data: FormData,
    ) -> Response[str]:
        visitor = await visit(request, context)
        await visitor.api.call("job-data", "DELETE", f"{VACANCIES}/{vacancy_id}")
        return visitor.redirect("/vacancies")
