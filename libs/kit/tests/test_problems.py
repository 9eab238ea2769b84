"""Every error a client can cause is an RFC 9457 problem with the right status."""

from __future__ import annotations

import httpx

from qh.kit.testing import TokenFactory

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
    assert "int" in body["errors"][0]["message"]


async def test_unknown_route_is_404(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/api/v1/demo/nothing-here"), 404)


async def test_wrong_method_is_405(client: httpx.AsyncClient) -> None:
    response = await client.delete("/api/v1/demo/echo")
    assert_problem(response, 405)


async def test_body_over_default_limit_is_413(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/demo/echo", content=b"x" * (1024 * 1024 + 1))
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
