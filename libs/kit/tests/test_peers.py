"""The shared readers and the doc-storage writer: 404 stays 404, a failure is 503, an
export is stored as the caller with its kind and origin."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from litestar import Litestar, Request, get, put
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery, RawBody

from qh.kit.peers import fetch_profile, fetch_vacancy, store_origin_export
from qh.kit.problems import NotFound, ServiceUnavailable
from qh.kit.runtime import LocalRuntime


async def test_readers_and_the_export_writer() -> None:
    stored: list[dict[str, Any]] = []

    @get("/api/v1/profile/me/export", sync_to_thread=False)
    def profile(request: Request[Any, Any, Any], format: FromQuery[str]) -> dict[str, Any]:
        return {"auth": request.headers["authorization"], "format": format}

    @get("/api/v1/vacancies/{vacancy_id:str}", sync_to_thread=False)
    def vacancy(vacancy_id: FromPath[str]) -> dict[str, Any]:
        raise NotFoundException()

    @put("/api/v1/documents/internal/origin/{kind:str}/{origin:str}/content", status_code=201,
         sync_to_thread=False)  # fmt: skip
    def store(
        kind: FromPath[str],
        origin: FromPath[str],
        body: RawBody,
        user_id: FromQuery[str],
        title: FromQuery[str],
    ) -> dict[str, Any]:
        stored.append({"kind": kind, "origin": origin, "body": body, "title": title})
        return {"id": str(uuid.uuid4()), "version": len(stored)}

    runtime = LocalRuntime()
    runtime.attach("user-data", Litestar([profile], openapi_config=None))
    runtime.attach("job-data", Litestar([vacancy], openapi_config=None))
    runtime.attach("doc-storage", Litestar([store], openapi_config=None))

    assert await fetch_profile(runtime.invoker, "t0k") == {"auth": "Bearer t0k", "format": "qh"}
    with pytest.raises(NotFound):
        await fetch_vacancy(runtime.invoker, "t0k", uuid.uuid4())
    origin = uuid.uuid4()
    first = await store_origin_export(
        runtime.invoker, "t0k", kind="cover_letter", origin_id=origin, user_id=uuid.uuid4(),
        title="Письмо.txt", content="Здравствуйте".encode(), content_type="text/plain",
    )  # fmt: skip
    assert first.version == 1
    assert stored == [{"kind": "cover_letter", "origin": str(origin),
                       "body": "Здравствуйте".encode(), "title": "Письмо.txt"}]  # fmt: skip
    with pytest.raises(ServiceUnavailable):
        await fetch_json_missing(runtime)


async def fetch_json_missing(runtime: LocalRuntime) -> None:
    from qh.kit.peers import fetch_json

    await fetch_json(runtime.invoker, "nobody", "/x", "t0k", "thing")
