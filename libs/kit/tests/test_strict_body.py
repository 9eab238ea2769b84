"""A JSON body of the wrong JSON type is refused with the field named, and nothing is
stored; parameters, forms and uploads still arrive as text and are still converted."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

import httpx
import msgspec
import pytest
from litestar import get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import (
    Body,
    FromPath,
    HeaderParameter,
    JSONBody,
    QueryParameter,
    URLEncodedBody,
)

from qh.kit.auth import Principal
from qh.kit.runtime import LocalRuntime
from qh.kit.settings import ServiceSettings
from qh.kit.testing import TokenFactory, running

PROBLEM = "application/problem+json"


class Colour(StrEnum):
    RED = "red"
    GREEN = "green"


class Line(msgspec.Struct, forbid_unknown_fields=True):
    count: int


class Card(msgspec.Struct, forbid_unknown_fields=True):
    title: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    pinned: bool = False
    due: datetime | None = None
    day: date | None = None
    count: Annotated[int, msgspec.Meta(ge=0, le=100)] = 0
    weight: float = 1.0
    tags: list[str] = []
    colour: Colour = Colour.RED
    lines: list[Line] = []


class Counted(msgspec.Struct):
    count: int
    pinned: bool = False


@post("/cards")
async def add_card(
    data: JSONBody[Card], principal: NamedDependency[Principal], notes: NamedDependency[Any]
) -> dict[str, Any]:
    await notes.create(principal.id, data.title)
    return msgspec.to_builtins(data)  # type: ignore[no-any-return]


@post("/anything", status_code=200)
async def anything(data: JSONBody[dict[str, Any]]) -> dict[str, Any]:
    return data


@get("/cards/{number:int}")
async def read_card(
    number: FromPath[int],
    size: Annotated[int, QueryParameter(name="size")] = 1,
    pinned: Annotated[bool, QueryParameter(name="pinned")] = False,
    version: Annotated[int, HeaderParameter(name="x-version")] = 0,
) -> dict[str, Any]:
    return {"number": number, "size": size, "pinned": pinned, "version": version}


@post("/form", status_code=200)
async def form(data: URLEncodedBody[Counted]) -> dict[str, Any]:
    return msgspec.to_builtins(data)  # type: ignore[no-any-return]


@post("/upload", status_code=200)
async def upload(
    data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)],
) -> dict[str, Any]:
    file = data["file"]
    assert isinstance(file, UploadFile)
    return {"count": data["count"], "bytes": len(await file.read())}


@pytest.fixture
async def cards(
    demo: Any, settings: ServiceSettings, runtime: LocalRuntime
) -> AsyncIterator[httpx.AsyncClient]:
    definition = dataclasses.replace(
        demo.DEMO,
        route_handlers=[add_card, anything, read_card, form, upload, demo.list_notes],
    )
    async with running(definition.create_app(settings, runtime=runtime), runtime) as client:
        yield client


@pytest.fixture
def auth(tokens: TokenFactory) -> dict[str, str]:
    """One caller's headers for the whole test."""
    return tokens.headers(uuid.uuid4())


async def stored(client: httpx.AsyncClient, auth: dict[str, str]) -> int:
    listed = await client.get("/api/v1/demo/notes", headers=auth)
    assert listed.status_code == 200, listed.text
    return int(listed.json()["total"])


GOOD = {
    "title": "Weekly",
    "pinned": True,
    "due": "2026-03-01T10:00:00Z",
    "day": "2026-03-02",
    "count": 12,
    "weight": 2,  # JSON has one number type: an integer is a good float
    "tags": ["a", "b"],
    "colour": "green",
    "lines": [{"count": 3}],
}


async def test_a_body_of_the_right_types_is_taken(
    cards: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    response = await cards.post("/api/v1/demo/cards", json=GOOD, headers=auth)
    assert response.status_code == 201, response.text
    assert response.json() == {**GOOD, "weight": 2.0, "due": "2026-03-01T10:00:00Z"}
    assert await stored(cards, auth) == 1


@pytest.mark.parametrize(
    ("field", "value", "named", "message"),
    [
        ("pinned", 0, "pinned", "must be true or false, not a whole number"),
        ("pinned", "true", "pinned", "must be true or false, not a string"),
        (
            "due",
            1767225600,
            "due",
            "must be a date and time (RFC 3339) or null, not a whole number",
        ),
        ("day", 20260302, "day", "must be a date (YYYY-MM-DD) or null, not a whole number"),
        ("count", "12", "count", "must be a whole number, not a string"),
        ("count", 1.0, "count", "must be a whole number, not a number"),
        ("count", True, "count", "must be a whole number, not true or false"),
        ("weight", "1.5", "weight", "must be a number, not a string"),
        ("title", 5, "title", "must be a string, not a whole number"),
        ("tags", "a", "tags", "must be a list, not a string"),
        ("colour", "purple", "colour", "'purple' is not one of the accepted values"),
        ("lines", [{"count": "3"}], "lines[0].count", "must be a whole number, not a string"),
    ],
)
async def test_a_value_of_the_wrong_json_type_is_refused_and_nothing_is_stored(
    cards: httpx.AsyncClient,
    auth: dict[str, str],
    field: str,
    value: Any,
    named: str,
    message: str,
) -> None:
    response = await cards.post("/api/v1/demo/cards", json={**GOOD, field: value}, headers=auth)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["errors"] == [{"field": named, "message": message}]
    assert await stored(cards, auth) == 0


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({**GOOD, "count": 101}, [{"field": "count", "message": "must be at most 100"}]),
        ({**GOOD, "title": ""}, [{"field": "title", "message": "must not be empty"}]),
        ({"count": 1}, [{"field": "title", "message": "is required"}]),
        ({**GOOD, "colour2": "red"}, [{"field": "colour2", "message": "is not a known field"}]),
        ({**GOOD, "lines": [{}]}, [{"field": "lines[0].count", "message": "is required"}]),
        ([GOOD], [{"field": "body", "message": "must be an object, not a list"}]),
        (None, [{"field": "body", "message": "must be an object, not null"}]),
    ],
)
async def test_constraints_and_the_body_itself_are_reported_in_words(
    cards: httpx.AsyncClient, auth: dict[str, str], body: Any, errors: list[dict[str, str]]
) -> None:
    response = await cards.post(
        "/api/v1/demo/cards",
        content=msgspec.json.encode(body),
        headers={**auth, "content-type": "application/json"},
    )
    assert response.status_code == 422, response.text
    assert response.json()["errors"] == errors
    assert "regex" not in response.text
    assert await stored(cards, auth) == 0


@pytest.mark.parametrize(
    "content",
    [
        b'{"count": "12", "title": ',  # the first value is of the wrong type, then it breaks off
        b'{"title": "a"} and more',
        b'{"title": "a",}',
    ],
)
async def test_a_body_that_is_not_json_stays_a_400(
    cards: httpx.AsyncClient, auth: dict[str, str], content: bytes
) -> None:
    response = await cards.post(
        "/api/v1/demo/cards",
        content=content,
        headers={**auth, "content-type": "application/json"},
    )
    assert response.status_code == 400, response.text
    assert response.json()["detail"].startswith("Malformed request body")
    assert await stored(cards, auth) == 0


async def test_a_body_of_any_object_takes_any_values(
    cards: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    body = {"a": 0, "b": "12", "c": [1.5, None, {"d": True}]}
    response = await cards.post("/api/v1/demo/anything", json=body, headers=auth)
    assert response.status_code == 200, response.text
    assert response.json() == body


async def test_path_query_and_header_parameters_are_still_read_from_text(
    cards: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    response = await cards.get(
        "/api/v1/demo/cards/7?size=12&pinned=true",
        headers={**auth, "x-version": "3"},
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"number": 7, "size": 12, "pinned": True, "version": 3}
    bad = await cards.get("/api/v1/demo/cards/7?size=big", headers=auth)
    assert bad.status_code == 422
    assert bad.json()["errors"] == [
        {"field": "size", "message": "must be a whole number, not a string"}
    ]


async def test_form_fields_are_still_read_from_text(
    cards: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    response = await cards.post(
        "/api/v1/demo/form", data={"count": "5", "pinned": "true"}, headers=auth
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"count": 5, "pinned": True}


async def test_multipart_uploads_are_still_taken(
    cards: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    response = await cards.post(
        "/api/v1/demo/upload",
        data={"count": "5"},
        files={"file": ("cv.txt", b"hello", "text/plain")},
        headers=auth,
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"count": "5", "bytes": 5}
