"""Content types, security headers and offline docs, for every service built with the kit."""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator
from typing import Annotated, Any

import httpx
import pytest
from litestar import Litestar, MediaType, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, JSONBody, RawBody, URLEncodedBody

from qh.kit.http import (
    HTML_CSP,
    JSON_BODY,
    BodyMediaTypeMiddleware,
    SecurityHeadersMiddleware,
    body_rule,
)
from qh.kit.problems import exception_handlers
from qh.kit.testing import TokenFactory

PROBLEM = "application/problem+json"


def assert_415(response: httpx.Response) -> str:
    assert response.status_code == 415, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    return str(response.json()["detail"])


# --- 415 on the demo service (JSON routes) --------------------------------------------------


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/xml",
        "multipart/form-data; boundary=x",
        "application/x-www-form-urlencoded",
        "application/json; charset=latin-1",
        None,
    ],
)
async def test_json_route_refuses_other_content_types_and_changes_nothing(
    client: httpx.AsyncClient, tokens: TokenFactory, content_type: str | None
) -> None:
    headers = tokens.headers()
    if content_type:
        headers["content-type"] = content_type
    response = await client.post("/api/v1/demo/notes", content=b'{"text": "hi"}', headers=headers)
    assert "JSON" in assert_415(response)
    listed = (await client.get("/api/v1/demo/notes", headers=tokens.headers())).json()
    assert (listed["items"] if isinstance(listed, dict) else listed) == []


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "application/json; charset=utf-8", "application/merge-patch+json"],
)
async def test_json_route_takes_json(
    client: httpx.AsyncClient, tokens: TokenFactory, content_type: str
) -> None:
    response = await client.post(
        "/api/v1/demo/notes",
        content=b'{"text": "hi"}',
        headers={**tokens.headers(), "content-type": content_type},
    )
    assert response.status_code == 201, response.text


async def test_a_request_without_body_reaches_the_handler(
    client: httpx.AsyncClient, tokens: TokenFactory
) -> None:
    response = await client.post("/api/v1/demo/notes", headers=tokens.headers())
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "body", "message": "a JSON body is required"}]


async def test_a_raw_body_route_takes_any_content_type(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/demo/upload", content=b"abc", headers={"content-type": "image/png"}
    )
    assert response.status_code == 201


async def test_token_is_checked_before_the_content_type(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/demo/notes", content=b"x", headers={"content-type": "text/plain"}
    )
    assert response.status_code == 401


# --- form and multipart routes keep their type ----------------------------------------------


@post("/token", status_code=200)
async def token(data: URLEncodedBody[dict[str, str]]) -> dict[str, str]:
    return data


@post("/upload", status_code=200)
async def upload(
    data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)],
) -> dict[str, int]:
    return {"fields": len(data)}


@post("/json", status_code=200)
async def json_route(data: JSONBody[dict[str, Any]]) -> dict[str, Any]:
    return data


@post("/raw-json", status_code=200, opt={JSON_BODY: True})
async def raw_json_route(body: RawBody) -> dict[str, int]:
    return {"bytes": len(body)}


@get("/page", media_type=MediaType.HTML, sync_to_thread=False)
def page() -> str:
    return "<p>hi</p>"


@pytest.fixture
async def bare() -> AsyncIterator[httpx.AsyncClient]:
    app = Litestar(
        [token, upload, json_route, raw_json_route, page],
        middleware=[BodyMediaTypeMiddleware],
        exception_handlers=exception_handlers,
        openapi_config=None,
        logging_config=None,
    )
    transport = httpx.ASGITransport(app=SecurityHeadersMiddleware(app))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


async def test_form_route_takes_a_form(bare: httpx.AsyncClient) -> None:
    response = await bare.post("/token", data={"grant_type": "password"})
    assert response.status_code == 200
    assert response.json() == {"grant_type": "password"}


async def test_json_sent_to_a_form_route_is_told_to_use_form_encoding(
    bare: httpx.AsyncClient,
) -> None:
    detail = assert_415(await bare.post("/token", json={"grant_type": "password"}))
    assert "form-encoded" in detail
    assert "application/x-www-form-urlencoded" in detail


async def test_multipart_route_keeps_multipart(bare: httpx.AsyncClient) -> None:
    response = await bare.post("/upload", files={"cv": ("cv.txt", b"hello", "text/plain")})
    assert response.status_code == 200, response.text
    assert "multipart" in assert_415(await bare.post("/upload", json={"a": 1}))


async def test_a_route_reading_its_own_json_body_still_takes_json_only(
    bare: httpx.AsyncClient,
) -> None:
    assert (await bare.post("/raw-json", json={"a": 1})).status_code == 200
    detail = assert_415(
        await bare.post("/raw-json", content=b'{"a": 1}', headers={"content-type": "text/plain"})
    )
    assert "JSON" in detail


def test_rule_is_read_from_the_declared_body() -> None:
    assert body_rule(token).kind == "form"  # type: ignore[union-attr]
    assert body_rule(upload).kind == "multipart"  # type: ignore[union-attr]
    assert body_rule(json_route).kind == "json"  # type: ignore[union-attr]
    assert body_rule(page) is None


def test_the_check_costs_next_to_nothing() -> None:
    rule = body_rule(json_route)
    assert rule is not None
    scope: Any = {
        "headers": [
            (b"host", b"example.com"),
            (b"content-type", b"application/json"),
            (b"content-length", b"15"),
            (b"authorization", b"Bearer x"),
        ]
    }
    rounds = 20_000
    started = time.perf_counter()
    for _ in range(rounds):
        BodyMediaTypeMiddleware.check(rule, scope)
    per_request = (time.perf_counter() - started) / rounds
    assert per_request < 20e-6, f"{per_request * 1e6:.2f} µs per request"


# --- headers ----------------------------------------------------------------------------


async def test_every_response_says_nosniff(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    for response in (
        await client.get("/health/live"),
        await client.get("/api/v1/demo/notes", headers=tokens.headers()),
        await client.get("/api/v1/demo/notes"),
        await client.get("/api/v1/demo/nothing-here"),
        await client.delete("/api/v1/demo/echo"),
        await client.get("/api/v1/demo/docs"),
    ):
        assert response.headers["x-content-type-options"] == "nosniff", response.url


async def test_html_pages_get_a_csp_and_no_framing(client: httpx.AsyncClient) -> None:
    docs = await client.get("/api/v1/demo/docs")
    assert docs.status_code == 200
    assert docs.headers["content-type"].startswith("text/html")
    assert docs.headers["content-security-policy"] == HTML_CSP
    assert docs.headers["x-frame-options"] == "DENY"
    assert "script-src 'self'" in HTML_CSP
    assert "unsafe-inline" not in HTML_CSP.split("script-src")[1].split(";")[0]
    api = await client.get("/health/live")
    assert "content-security-policy" not in api.headers


async def test_docs_page_has_no_inline_script(client: httpx.AsyncClient) -> None:
    html = (await client.get("/api/v1/demo/docs")).text
    for script in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S):
        assert "src=" in script[0]
        assert not script[1].strip(), script


async def test_authenticated_responses_are_not_stored(
    client: httpx.AsyncClient, tokens: TokenFactory
) -> None:
    listed = await client.get("/api/v1/demo/notes", headers=tokens.headers())
    assert listed.headers["cache-control"] == "no-store"
    created = await client.post("/api/v1/demo/notes", json={"text": "a"}, headers=tokens.headers())
    assert created.headers["cache-control"] == "no-store"
    refused = await client.get("/api/v1/demo/notes")
    assert refused.headers["cache-control"] == "no-store"
    public_write = await client.post("/api/v1/demo/echo", json={"token": "secret"})
    assert public_write.headers["cache-control"] == "no-store"


async def test_public_reads_may_be_cached(client: httpx.AsyncClient) -> None:
    for path in ("/api/v1/demo/openapi.json", "/api/v1/demo/docs", "/health/live"):
        response = await client.get(path)
        assert response.status_code == 200
        assert "no-store" not in response.headers.get("cache-control", ""), path


async def test_headers_without_the_observability_middleware(bare: httpx.AsyncClient) -> None:
    response = await bare.get("/page")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-security-policy"] == HTML_CSP
    assert response.headers["x-frame-options"] == "DENY"


# --- offline docs -----------------------------------------------------------------------


async def test_docs_reference_no_other_host(client: httpx.AsyncClient) -> None:
    html = (await client.get("/api/v1/demo/docs")).text
    assert "SwaggerUIBundle" not in html or "<script src" in html
    assert not re.search(r"https?://", html), html
    assert not re.search(r"(src|href)=[\"']//", html)


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("swagger-ui-bundle.js", "text/javascript"),
        ("swagger-ui-standalone-preset.js", "text/javascript"),
        ("swagger-ui.css", "text/css"),
        ("qh-swagger-init.js", "text/javascript"),
        ("oauth2-redirect.js", "text/javascript"),
        ("LICENSE", "text/plain"),
    ],
)
async def test_docs_assets_are_served_from_the_package(
    client: httpx.AsyncClient, name: str, content_type: str
) -> None:
    response = await client.get(f"/api/v1/demo/docs/assets/{name}")
    assert response.status_code == 200
    assert response.headers["content-type"] == f"{content_type}; charset=utf-8"
    assert "max-age=31536000" in response.headers["cache-control"]
    assert len(response.content) > 100


async def test_every_asset_the_docs_page_links_is_served(client: httpx.AsyncClient) -> None:
    html = (await client.get("/api/v1/demo/docs")).text
    urls = re.findall(r"(?:src|href)=\"([^\"]+)\"", html)
    assert len(urls) == 4
    for url in urls:
        assert url.startswith("/api/v1/demo/docs/assets/")
        assert (await client.get(url.replace("&amp;", "&"))).status_code == 200


async def test_unknown_asset_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/demo/docs/assets/..%2F..%2Fapp.py")
    assert response.status_code == 404
    assert (await client.get("/api/v1/demo/docs/assets/nothing.js")).status_code == 404


async def test_oauth2_redirect_page_runs_no_inline_script(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/demo/oauth2-redirect.html")
    assert response.status_code == 200
    assert "/api/v1/demo/docs/assets/oauth2-redirect.js" in response.text
    assert not re.search(r"<script>\s*\S", response.text)
    assert response.headers["content-security-policy"] == HTML_CSP
