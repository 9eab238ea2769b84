"""Every error a client can cause is an RFC 9457 problem with the right status."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Literal

import httpx
import msgspec
import pytest
from litestar import Litestar, get, post
from litestar.params import JSONBody, QueryParameter, URLEncodedBody

from qh.kit.observability import ObservabilityMiddleware
from qh.kit.problems import exception_handlers
from qh.kit.testing import TokenFactory

EMAIL = "^[a-z.]+@[a-z]+(?:[.][a-z]+)+$"


class Contact(msgspec.Struct, forbid_unknown_fields=True):
    email: Annotated[str, msgspec.Meta(pattern=EMAIL, max_length=320)]


@post("/api/v1/plain/contacts")
async def add_contact(data: JSONBody[Contact]) -> Contact:
    return data


@post("/api/v1/plain/token", status_code=200)
async def token_form(data: URLEncodedBody[dict[str, str]]) -> dict[str, str]:
    return data


@get("/api/v1/plain/export")
async def export(
    export_format: Annotated[Literal["qh", "jsonresume"], QueryParameter(name="format")] = "qh",
) -> dict[str, str]:
    return {"format": export_format}


@pytest.fixture
async def plain() -> AsyncIterator[httpx.AsyncClient]:
    """The kit's error handling on a bare Litestar app (no database, no auth)."""
    app = Litestar(
        [add_contact, token_form, export],
        exception_handlers=exception_handlers,
        openapi_config=None,
        logging_config=None,
    )
    asgi = ObservabilityMiddleware(app, "plain")
    transport = httpx.ASGITransport(app=asgi)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


PROBLEM = "application/problem+json"


def assert_problem(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status
    assert body["type"].startswith("https://")
    assert body["title"]
    assert body["request_id"] == response.headers["x-request-id"]
    return body


async def test_malformed_json_is_400(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    response = await client.post(
        "/api/v1/demo/notes",
        content=b'{"text": "unterminated',
        headers={**tokens.headers(), "content-type": "application/json"},
    )
    body = assert_problem(response, 400)
    assert "Malformed" in body["detail"]


async def test_invalid_fields_are_422_listing_each_field(
    client: httpx.AsyncClient, tokens: TokenFactory
) -> None:
    response = await client.post(
        "/api/v1/demo/notes", json={"text": "", "priority": 9}, headers=tokens.headers()
    )
    body = assert_problem(response, 422)
    fields = {error["field"] for error in body["errors"]}
    assert "text" in fields or "priority" in fields
    for error in body["errors"]:
        assert error["message"]


async def test_wrong_type_names_the_field(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    response = await client.post(
        "/api/v1/demo/notes", json={"text": "hi", "priority": "high"}, headers=tokens.headers()
    )
    body = assert_problem(response, 422)
    assert body["errors"][0]["field"] == "priority"
    assert body["errors"][0]["message"] == "must be a whole number, not a string"


@pytest.mark.parametrize("depth", [1_000, 100_000])
@pytest.mark.parametrize("path", ["/api/v1/demo/notes", "/api/v1/demo/echo"])
async def test_deeply_nested_json_is_400(
    client: httpx.AsyncClient, tokens: TokenFactory, path: str, depth: int
) -> None:
    body = b"[" * depth + b"]" * depth
    response = await client.post(
        path, content=body, headers={**tokens.headers(), "content-type": "application/json"}
    )
    problem = assert_problem(response, 400)
    assert "nested too deeply" in problem["detail"]


@pytest.mark.parametrize("depth", [500, 900, 950, 990])
async def test_json_nested_near_the_limit_is_never_a_500(
    client: httpx.AsyncClient, tokens: TokenFactory, depth: int
) -> None:
    body = b'{"text": ' + b"[" * depth + b"]" * depth + b"}"
    response = await client.post(
        "/api/v1/demo/notes",
        content=body,
        headers={**tokens.headers(), "content-type": "application/json"},
    )
    assert response.status_code in (400, 422), response.text


@pytest.mark.parametrize("path", ["/api/v1/demo/notes", "/api/v1/demo/echo"])
async def test_json_that_is_not_utf8_is_400(
    client: httpx.AsyncClient, tokens: TokenFactory, path: str
) -> None:
    response = await client.post(
        path,
        content=b'{"text":"\xff"}',
        headers={**tokens.headers(), "content-type": "application/json"},
    )
    problem = assert_problem(response, 400)
    assert "UTF-8" in problem["detail"]


def test_recursion_outside_body_decoding_stays_a_500() -> None:
    from qh.kit.problems import _raised_while_decoding

    def recurse(n: int) -> int:
        return recurse(n + 1)

    with pytest.raises(RecursionError) as caught:
        recurse(0)
    assert not _raised_while_decoding(caught.tb)


@pytest.mark.parametrize(
    ("field", "raw", "human"),
    [
        (
            "email",
            "Expected `str` matching regex '^\\s*[a-z]+@[a-z.]+$'",
            "must be a valid e-mail address",
        ),
        ("phone", "Expected `str` matching regex '^[0-9]+$'", "has the wrong format"),
        ("password", "Expected `str` of length >= 1", "must not be empty"),
        ("name", "Expected `str` of length <= 200", "must have at most 200 characters"),
        ("tags", "Expected `array` of length <= 50", "must have at most 50 items"),
        ("years", "Expected `int` >= 0", "must be at least 0"),
        ("years", "Expected `int` <= 70", "must be at most 70"),
        (
            "level",
            "Expected `str | null`, got `int`",
            "must be a string or null, not a whole number",
        ),
    ],
)
def test_msgspec_messages_are_rewritten_in_words(field: str, raw: str, human: str) -> None:
    from qh.kit.problems import human_message

    assert human_message(field, raw) == human
    assert "regex" not in human_message(field, raw)


async def test_invalid_email_names_no_regex(plain: httpx.AsyncClient) -> None:
    response = await plain.post("/api/v1/plain/contacts", json={"email": "not-an-address"})
    body = assert_problem(response, 422)
    assert body["errors"] == [{"field": "email", "message": "must be a valid e-mail address"}]
    assert "regex" not in response.text


async def test_missing_body_says_a_json_body_is_required(
    client: httpx.AsyncClient, tokens: TokenFactory
) -> None:
    response = await client.post("/api/v1/demo/notes", headers=tokens.headers())
    body = assert_problem(response, 422)
    assert body["errors"] == [{"field": "body", "message": "a JSON body is required"}]
    assert "'data'" not in response.text


async def test_query_parameter_is_named_as_sent(plain: httpx.AsyncClient) -> None:
    response = await plain.get("/api/v1/plain/export?format=pdf")
    body = assert_problem(response, 422)
    assert body["errors"] == [
        {"field": "format", "message": "must be one of qh, jsonresume (got 'pdf')"}
    ]
    assert "export_format" not in response.text


async def test_unknown_route_is_404(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/api/v1/demo/nothing-here"), 404)


async def test_wrong_method_is_405(client: httpx.AsyncClient) -> None:
    response = await client.delete("/api/v1/demo/echo")
    assert_problem(response, 405)


async def test_body_over_default_limit_is_413(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/demo/echo",
        content=b"x" * (1024 * 1024 + 1),
        headers={"content-type": "application/json"},
    )
    body = assert_problem(response, 413)
    assert body["detail"]


async def test_a_route_can_raise_the_limit(client: httpx.AsyncClient) -> None:
    two_mib = b"x" * (2 * 1024 * 1024)
    response = await client.post("/api/v1/demo/upload", content=two_mib)
    assert response.status_code == 201
    assert response.json() == {"size": len(two_mib)}
    assert_problem(await client.post("/api/v1/demo/upload", content=two_mib * 3), 413)


async def test_unexpected_error_is_500_without_internals(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/demo/boom", headers={"x-request-id": "req-123"})
    body = assert_problem(response, 500)
    assert body["request_id"] == "req-123"
    assert "hunter2" not in response.text
    assert "RuntimeError" not in response.text
    assert "Traceback" not in response.text


async def test_missing_token_is_401_with_challenge(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/demo/notes")
    assert_problem(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_missing_role_is_403(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    assert_problem(await client.get("/api/v1/demo/admin", headers=tokens.headers()), 403)
    ok = await client.get("/api/v1/demo/admin", headers=tokens.headers(roles=["admin"]))
    assert ok.status_code == 200


async def test_request_id_is_generated_when_absent(client: httpx.AsyncClient) -> None:
    response = await client.get("/health/live")
    assert response.status_code == 200
    assert len(response.headers["x-request-id"]) >= 8


def test_a_route_declares_the_problems_it_adds_to_the_kits() -> None:
    """``problem_responses`` documents statuses the kit cannot guess from a route's shape
    (a 404 without a path parameter, a 409 without a body, a 429) as problem bodies."""
    from litestar.openapi import OpenAPIConfig

    from qh.kit.problems import problem_responses

    @post("/api/v1/plain/confirm", status_code=200, responses=problem_responses(404, 409, 429))
    async def confirm() -> dict[str, str]:
        return {}

    app = Litestar([confirm], openapi_config=OpenAPIConfig(title="t", version="1"))
    responses = app.openapi_schema.to_schema()["paths"]["/api/v1/plain/confirm"]["post"][
        "responses"
    ]
    assert {"200", "404", "409", "429"} <= set(responses)
    for status in ("404", "409", "429"):
        content = responses[status]["content"]
        assert content[PROBLEM]["schema"] == {"$ref": "#/components/schemas/ProblemBody"}
    assert responses["429"]["description"].startswith("Too many requests")
