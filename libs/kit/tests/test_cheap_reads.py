"""What a request costs the database: a GET reads outside a transaction and without a
ping (one round trip for one query on PostgreSQL), a write still runs in one transaction,
and a connection that went stale while idle (a database restart) breaks no request."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

import asyncpg
import httpx
import pytest
from litestar import Litestar
from sqlalchemy import event, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from qh.kit import db
from qh.kit.testing import TokenFactory

pytestmark = pytest.mark.postgres

# asyncpg protocol calls that each cost one round trip to the server.
# Only calls made by the awaited request are noted (not the outbox relay's, say).
RECORDING: ContextVar[bool] = ContextVar("recording", default=False)
ROUND_TRIPS = frozenset(
    {"query", "prepare", "bind_execute", "bind_execute_many", "bind", "execute"}
)


class CountingProtocol:
    """Stands in for an asyncpg connection's protocol and notes every call that goes to
    the server (``query`` carries the SQL: BEGIN, COMMIT, ROLLBACK, the ping's ``;``)."""

    def __init__(self, protocol: Any, calls: list[str]) -> None:
        self._protocol, self._calls = protocol, calls

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._protocol, name)
        if name not in ROUND_TRIPS or not RECORDING.get():
            return attribute

        def call(*args: Any, **kwargs: Any) -> Any:
            query = args[0] if name == "query" and args else None
            self._calls.append(f"query {query.strip()}" if isinstance(query, str) else name)
            return attribute(*args, **kwargs)

        return call


async def counted(app: Litestar) -> list[str]:
    """Round trips of every connection the app's pool opens from now on."""
    calls: list[str] = []
    engine = app.state.qh.db.get_engine()

    def wrap(dbapi_connection: Any, _record: Any) -> None:
        raw = dbapi_connection._connection  # the asyncpg connection
        raw._protocol = CountingProtocol(raw._protocol, calls)

    def statement(*_args: Any) -> None:
        if RECORDING.get():
            calls.append("statement")

    event.listen(engine.sync_engine.pool, "connect", wrap)
    event.listen(engine.sync_engine, "before_cursor_execute", statement)
    await engine.dispose()
    return calls


async def during(calls: list[str], request: Callable[[], Any]) -> list[str]:
    calls.clear()
    recording = RECORDING.set(True)
    try:
        response = await request()
    finally:
        RECORDING.reset(recording)
    assert response.status_code < 300, response.text
    return list(calls)


@pytest.fixture
def db_backend(qh_postgres_url: str) -> str:
    return "postgres"


async def test_a_get_costs_one_round_trip(
    app: Litestar, client: httpx.AsyncClient, tokens: TokenFactory
) -> None:
    headers = tokens.headers("5f0c8a6e-8a57-4a43-9d1e-3c1f2b7a9e01")
    calls = await counted(app)
    assert (await client.post("/api/v1/demo/notes", json={"text": "a"}, headers=headers)).is_success
    await client.get("/api/v1/demo/notes", headers=headers)  # prepares the statement

    read = await during(calls, lambda: client.get("/api/v1/demo/notes", headers=headers))
    # One round trip per statement, nothing else. Before: the pre-ping (BEGIN, ";",
    # ROLLBACK), BEGIN, the statements, COMMIT: five plus one per statement.
    statements = read.count("statement")
    assert 1 <= statements <= 2  # the page and its count
    # A statement is prepared once per connection; the pool may hand out one that has
    # not run it yet, so a prepare may come first.
    trips = [call for call in read if call not in ("statement", "prepare")]
    assert trips == ["bind_execute"] * statements, read
    assert read.count("prepare") <= statements

    write = await during(
        calls, lambda: client.post("/api/v1/demo/notes", json={"text": "b"}, headers=headers)
    )
    trips = [call for call in write if call != "statement"]
    assert trips[0].startswith("query BEGIN"), trips
    assert trips[-1] == "query COMMIT;", trips
    assert "query ;" not in trips  # no ping either


async def test_a_get_that_writes_gets_a_transaction(
    app: Litestar, client: httpx.AsyncClient, tokens: TokenFactory, demo: Any
) -> None:
    """Its reads run outside a transaction; its first write begins one, committed after
    the response (or rolled back on an error)."""
    context = app.state.qh
    owner = uuid.UUID("7d1c8a6e-8a57-4a43-9d1e-3c1f2b7a9e02")
    engine = context.db.reading_engine
    calls = await counted(app)
    RECORDING.set(True)
    async with AsyncSession(engine) as session:
        await session.scalar(select(demo.Note.id).limit(1))
        await session.execute(insert(demo.Note).values(owner_id=owner, text="from a GET"))
        await session.execute(insert(demo.Note).values(owner_id=owner, text="and another"))
        await session.rollback()
    queries = [call for call in calls if call.startswith("query")]
    assert queries[0].startswith("query BEGIN"), calls
    assert queries[-1] == "query ROLLBACK;", calls
    assert calls.index(queries[0]) > 0  # the first read ran before BEGIN
    async with context.session() as session:
        assert (
            await session.scalar(select(demo.Note.id).where(demo.Note.text == "from a GET")) is None
        )


async def test_a_restarted_database_breaks_no_request(
    app: Litestar,
    client: httpx.AsyncClient,
    tokens: TokenFactory,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.2)
    headers = tokens.headers("9a1c8a6e-8a57-4a43-9d1e-3c1f2b7a9e03")
    for _ in range(3):
        assert (await client.get("/api/v1/demo/notes", headers=headers)).status_code == 200

    # Every server connection of this database goes away, as in a restart.
    admin = await asyncpg.connect(database_url.replace("+asyncpg", "", 1))
    try:
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    finally:
        await admin.close()
    await asyncio.sleep(0.3)

    responses = await asyncio.gather(
        *(client.get("/api/v1/demo/notes", headers=headers) for _ in range(4))
    )
    assert [r.status_code for r in responses] == [200] * 4
