"""The service pattern: routes under the prefix, providers shared by requests,
subscribers and commands, one list shape, problems declared in the OpenAPI document."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from litestar import Litestar

from qh.kit.pagination import MAX_LIMIT
from qh.kit.testing import TokenFactory


async def test_routes_are_mounted_under_the_prefix(
    client: httpx.AsyncClient, tokens: TokenFactory
) -> None:
    headers = tokens.headers()
    assert (
        await client.post("/api/v1/demo/notes", json={"text": "a"}, headers=headers)
    ).status_code == 201
    assert (await client.get("/notes", headers=headers)).status_code == 404


async def test_a_provider_gives_the_same_service_outside_a_request(
    app: Litestar, demo: Any
) -> None:
    context = app.state.qh
    owner = uuid.uuid4()
    async with app.lifespan():
        async with context.transaction() as session:
            notes = await context.provide("notes", session)
            assert isinstance(notes, demo.NoteService)
            await notes.create(owner, "from a command")
        async with context.session() as session:
            listed, total = await (await context.provide("notes", session)).list(owner)
    assert [note.text for note in listed] == ["from a command"]
    assert total == 1


async def test_every_operation_declares_its_problem_responses(app: Litestar) -> None:
    document = app.openapi_schema.to_schema()
    create = document["paths"]["/api/v1/demo/notes"]["post"]["responses"]
    assert {"400", "401", "403", "413", "415", "422", "500"} <= set(create)
    body = create["422"]["content"]["application/problem+json"]["schema"]
    assert body == {"$ref": "#/components/schemas/ProblemBody"}
    assert "errors" in document["components"]["schemas"]["ProblemBody"]["properties"]
    public = document["paths"]["/api/v1/demo/echo"]["post"]["responses"]
    assert "401" not in public


async def test_lists_share_one_page_shape_and_bounds(
    client: httpx.AsyncClient, tokens: TokenFactory, inbound: Any
) -> None:
    inbound.always_fail = True  # the demo subscriber would add copies of the notes
    headers = tokens.headers()
    for text in ("one", "two", "three"):
        created = await client.post("/api/v1/demo/notes", json={"text": text}, headers=headers)
        assert created.status_code == 201, created.text
    page = (await client.get("/api/v1/demo/notes?limit=2&offset=1", headers=headers)).json()
    assert (page["total"], page["limit"], page["offset"]) == (3, 2, 1)
    assert [item["text"] for item in page["items"]] == ["two", "three"]
    for bad in (f"limit={MAX_LIMIT + 1}", "limit=0", "offset=-1", "limit=x"):
        response = await client.get(f"/api/v1/demo/notes?{bad}", headers=headers)
        assert response.status_code in (400, 422), bad
        assert response.headers["content-type"].startswith("application/problem+json")
