"""OpenAPI links declared by a handler point at the operation they name, under the prefix."""

from __future__ import annotations

from uuid import UUID

from litestar import Litestar, Response, get, post
from litestar.openapi import OpenAPIConfig
from litestar.params import FromPath

from qh.kit.links import LINKS, MEDIA_TYPES, Follow, declare_links

PREFIX = "/api/v1/notes"


@post(f"{PREFIX}/", opt={LINKS: {201: [Follow("GET", "/{note_id}", note_id="id")]}})
async def create_note() -> dict[str, str]:
    return {"id": "0"}


@get(f"{PREFIX}/{{note_id:uuid}}")
async def read_note(note_id: FromPath[UUID]) -> dict[str, str]:
    return {"id": str(note_id)}


def test_a_created_item_links_to_where_it_is_read() -> None:
    app = Litestar([create_note, read_note], openapi_config=OpenAPIConfig(title="t", version="1"))
    declare_links(app, PREFIX)
    document = app.openapi_schema.to_schema()
    links = document["paths"][PREFIX]["post"]["responses"]["201"]["links"]
    assert links == {
        "get_note_id": {
            "operationRef": "#/paths/~1api~1v1~1notes~1{note_id}/get",
            "parameters": {"path.note_id": "$response.body#/id"},
        }
    }
    # The reference resolves to the operation it names.
    target = links["get_note_id"]["operationRef"].removeprefix("#/paths/").split("/")
    path = target[0].replace("~1", "/").replace("~0", "~")
    assert target[1] in document["paths"][path]
    assert "links" not in document["paths"][f"{PREFIX}/{{note_id}}"]["get"]["responses"]["200"]


def test_a_download_documents_each_media_type_it_is_sent_in() -> None:
    kinds = ["application/pdf", "text/markdown"]

    @get(f"{PREFIX}/export", media_type="application/octet-stream", opt={MEDIA_TYPES: {200: kinds}})
    async def export() -> Response[bytes]:
        return Response(b"%PDF", media_type="application/pdf")

    app = Litestar([export], openapi_config=OpenAPIConfig(title="t", version="1"))
    declare_links(app, PREFIX)
    content = app.openapi_schema.to_schema()["paths"][f"{PREFIX}/export"]["get"]["responses"][
        "200"
    ]["content"]
    assert list(content) == kinds
    assert content["application/pdf"] == content["text/markdown"]
