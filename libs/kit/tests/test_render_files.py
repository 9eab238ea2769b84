"""A rendered file's media type is sent as one Content-Type with one charset."""

from __future__ import annotations

import httpx
import pytest
from litestar import Litestar, Response, get
from litestar.params import FromPath

from qh.kit.render.files import MEDIA_TYPES


@get("/files/{kind:str}", sync_to_thread=False)
def download(kind: FromPath[str]) -> Response[bytes]:
    return Response("Привет".encode(), media_type=MEDIA_TYPES[kind])


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("md", "text/markdown; charset=utf-8"),
        ("txt", "text/plain; charset=utf-8"),
        ("html", "text/html; charset=utf-8"),
        ("pdf", "application/pdf"),
    ],
)
async def test_the_content_type_names_the_charset_once(kind: str, expected: str) -> None:
    app = Litestar([download], openapi_config=None, logging_config=None)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.get(f"/files/{kind}")
    assert response.headers["content-type"] == expected
