"""A missing or unknown field is reported under its own name, not the object's."""

from __future__ import annotations

import httpx

from qh.kit.testing import TokenFactory


async def test_missing_field_is_named(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    response = await client.post(
        "/api/v1/demo/notes", json={"priority": 3}, headers=tokens.headers()
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "text", "message": "is required"}]


async def test_unknown_field_is_named(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    response = await client.post(
        "/api/v1/demo/notes", json={"text": "hi", "colour": "red"}, headers=tokens.headers()
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "colour", "message": "is not a known field"}]
