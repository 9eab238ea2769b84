"""HTTP routes of the vacancies. Handlers only translate HTTP to :class:`VacancyService`
calls; the rules live there."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, Response, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, JSONBody, QueryParameter

from qh.job_data.domain.vacancies import schemas
from qh.job_data.domain.vacancies.services import (
    Order,
    Saved,
    VacancyService,
    to_out,
    to_summary,
)
from qh.job_data.parsing.model import ParsedVacancy
from qh.kit.auth import Principal
from qh.kit.pagination import Page, PageParams
from qh.kit.problems import PROBLEM_JSON, ProblemBody
from qh.kit.settings import MiB

Vacancies = NamedDependency[VacancyService]
Caller = NamedDependency[Principal]
Pages = NamedDependency[PageParams]

# The body of POST /parse holds a whole saved page: the service's parse_max_bytes
# (2 MiB by default) is checked on the content; this is the ceiling of the body around it.
PARSE_BODY_LIMIT = 8 * MiB


def _problem(status: int, description: str) -> dict[int, ResponseSpec]:
    return {
        status: ResponseSpec(
            data_container=ProblemBody,
            description=description,
            media_type=PROBLEM_JSON,
            generate_examples=False,
        )
    }


def _merged() -> dict[int, ResponseSpec]:
    return {
        200: ResponseSpec(
            data_container=schemas.Vacancy,
            description="You already had this source vacancy: it was merged and is returned",
            generate_examples=False,
        )
    }


def _saved(saved: Saved) -> Response[schemas.Vacancy]:
    return Response(to_out(saved.row), status_code=201 if saved.created else 200)


class VacancyController(Controller):
    """The user's saved vacancies."""

    path = "/"
    tags = ["Vacancies"]

    @post(
        "/",
        summary="Save a vacancy you type in (or one POST /parse read)",
        status_code=201,
        responses={**_merged(), **_problem(409, "You keep as many vacancies as there can be")},
    )
    async def create(
        self, vacancies: Vacancies, principal: Caller, data: JSONBody[schemas.VacancyIn]
    ) -> Response[schemas.Vacancy]:
        """201 with the new vacancy; 200 when it is a source vacancy you already keep
        (same hh.ru or LinkedIn id, same URL, same pasted text), merged into it. 422 names
        every bad field."""
        return _saved(await vacancies.create(principal.id, data))

    @get("/", summary="List your vacancies")
    async def list_vacancies(
        self,
        vacancies: Vacancies,
        principal: Caller,
        page: Pages,
        status: Annotated[
            list[schemas.Status] | None,
            QueryParameter(description="Only these statuses (repeat the parameter for more)"),
        ] = None,
        q: Annotated[
            str | None,
            QueryParameter(
                max_length=200,
                description="Words found in the title, company, notes or description "
                "(case and ё blind; every word must be found)",
            ),
        ] = None,
        order: Annotated[
            Order, QueryParameter(description="Sort key; a leading - means newest first")
        ] = "-updated_at",
    ) -> Page[schemas.VacancySummary]:
        """Your vacancies, most recently changed first, without their descriptions."""
        rows, total = await vacancies.find(
            principal.id,
            status=status or (),
            q=q,
            order=order,
            limit=page.limit,
            offset=page.offset,
        )
        return page.of([to_summary(row) for row in rows], total)

    @get("/{vacancy_id:uuid}", summary="Read one of your vacancies")
    async def read(
        self, vacancies: Vacancies, principal: Caller, vacancy_id: FromPath[UUID]
    ) -> schemas.Vacancy:
        """The whole vacancy; another user's vacancy answers 404."""
        return to_out(await vacancies.get(principal.id, vacancy_id))

    @patch("/{vacancy_id:uuid}", summary="Change one of your vacancies")
    async def change(
        self,
        vacancies: Vacancies,
        principal: Caller,
        vacancy_id: FromPath[UUID],
        data: JSONBody[schemas.VacancyPatch],
    ) -> schemas.Vacancy:
        """Change the fields given (status and notes above all); a field left out stays,
        `null` clears it."""
        return to_out(await vacancies.patch(principal.id, vacancy_id, data))

    @delete("/{vacancy_id:uuid}", summary="Delete one of your vacancies")
    async def remove(
        self, vacancies: Vacancies, principal: Caller, vacancy_id: FromPath[UUID]
    ) -> None:
        """204; another user's vacancy answers 404."""
        await vacancies.delete(principal.id, vacancy_id)


class SourcesController(Controller):
    """Finding, importing and reading vacancies from elsewhere."""

    path = "/"
    tags = ["Sources"]

    @get("/search/hh", summary="Search hh.ru's vacancies")
    async def search_hh(
        self,
        vacancies: Vacancies,
        principal: Caller,
        text: Annotated[
            str, QueryParameter(min_length=1, max_length=500, description="What to look for")
        ],
        area: Annotated[
            str | None,
            QueryParameter(
                max_length=100,
                description="hh.ru area: its id (1 is Moscow) or its name (Москва, Алматы)",
            ),
        ] = None,
        salary: Annotated[
            int | None,
            QueryParameter(ge=0, le=1_000_000_000, description="Only vacancies paying this"),
        ] = None,
        search_page: Annotated[
            int, QueryParameter(name="page", ge=0, le=99, description="Page, 0 first")
        ] = 0,
        per_page: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
    ) -> schemas.HHSearchResults:
        """hh.ru's official vacancy search. Each item is a summary ready to save with
        `POST /import {"url": item.source.url}`; `saved_id` marks the ones you keep.
        422 when hh.ru refuses (captcha) or the area is unknown; 503 when it is down."""
        return await vacancies.search_hh(
            principal.id,
            text=text,
            area=area,
            salary=salary,
            page=search_page,
            per_page=per_page,
        )

    @post(
        "/import",
        summary="Import a vacancy from a URL",
        status_code=201,
        responses={
            **_merged(),
            **_problem(
                400,
                "The URL is not one we fetch (not http or https, or it leads to "
                "a private, loopback or cloud metadata address)",
            ),
            **_problem(409, "You keep as many vacancies as there can be"),
            **_problem(
                422,
                "Nothing usable at the URL, the page could not be fetched, or "
                "hh.ru refused: paste the page to POST /parse instead",
            ),
        },
    )
    async def import_vacancy(
        self, vacancies: Vacancies, principal: Caller, data: JSONBody[schemas.ImportIn]
    ) -> Response[schemas.Vacancy]:
        """hh.ru vacancies through the official API, LinkedIn jobs, any page with a
        schema.org JobPosting, or the main text of a plain page. 201 with the saved vacancy;
        200 when you already kept it (merged: the content is refreshed, your status and
        notes stay)."""
        return _saved(await vacancies.import_url(principal.id, data.url))

    @post(
        "/parse",
        summary="Read a vacancy you already have, without saving it",
        status_code=200,
        request_max_body_size=PARSE_BODY_LIMIT,
        responses=_problem(413, "The content is larger than parse_max_bytes"),
    )
    async def parse(
        self, vacancies: Vacancies, principal: Caller, data: JSONBody[schemas.ParseIn]
    ) -> ParsedVacancy:
        """An hh.ru API vacancy JSON, a saved page (JSON-LD, LinkedIn, any page) or pasted
        text, normalised; nothing is fetched or saved. Save it with `POST /`."""
        return vacancies.parse(data)
