"""A database that cannot be reached is a 503 with Retry-After, never a 500; a query that
is wrong stays a 500. (``tests/faults/test_database_restart.py`` restarts a real
PostgreSQL under load; these are the cases one by one.)"""

from __future__ import annotations

import socket
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from advanced_alchemy.exceptions import RepositoryError
from litestar import Litestar, get
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from qh.kit.problems import ServiceUnavailable, exception_handlers


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    refused = create_async_engine(
        f"postgresql+asyncpg://postgres@127.0.0.1:{closed_port()}/qh", poolclass=NullPool
    )
    locked_file = tmp_path / "locked.db"
    holder = sqlite3.connect(locked_file, isolation_level=None)
    holder.execute("CREATE TABLE t (x INTEGER)")
    holder.execute("BEGIN IMMEDIATE")  # the write lock, held for the whole test
    locked = create_async_engine(
        f"sqlite+aiosqlite:///{locked_file}", poolclass=NullPool, connect_args={"timeout": 0}
    )

    @get("/refused")
    async def on_refused() -> None:
        async with refused.connect() as connection:
            await connection.execute(text("SELECT 1"))

    @get("/locked")
    async def on_locked() -> None:
        async with locked.begin() as connection:
            await connection.execute(text("INSERT INTO t VALUES (1)"))

    @get("/wrapped")
    async def on_wrapped() -> None:
        try:
            async with refused.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception as exc:
            raise RepositoryError("An exception occurred") from exc

    @get("/invalidated")
    async def on_invalidated() -> None:
        raise DBAPIError("SELECT 1", None, Exception("gone"), connection_invalidated=True)

    @get("/wrong-query")
    async def on_wrong_query() -> None:
        async with locked.connect() as connection:
            await connection.execute(text("SELECT no_such_column FROM t"))

    @get("/peer-down")
    async def on_peer_down() -> None:
        raise ServiceUnavailable("user-data could not be reached")

    app = Litestar(
        [on_refused, on_locked, on_wrapped, on_invalidated, on_wrong_query, on_peer_down],
        exception_handlers=exception_handlers,
        openapi_config=None,
        logging_config=None,
    )
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            yield http
    finally:
        holder.close()
        await refused.dispose()
        await locked.dispose()


@pytest.mark.parametrize("path", ["/refused", "/locked", "/wrapped", "/invalidated"])
async def test_an_unreachable_database_is_a_503_with_retry_after(
    client: httpx.AsyncClient, path: str
) -> None:
    response = await client.get(path)
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["retry-after"] == "1"
    body = response.json()
    assert body["type"].endswith("/unavailable")
    assert "database" in body["detail"]


async def test_a_wrong_query_stays_a_500(client: httpx.AsyncClient) -> None:
    response = await client.get("/wrong-query")
    assert response.status_code == 500
    assert "no_such_column" not in response.text


async def test_service_unavailable_says_when_to_retry(client: httpx.AsyncClient) -> None:
    response = await client.get("/peer-down")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "1"
