"""The kit's transaction rule: read what you change with ``with_for_update()`` and no
update is lost, on SQLite and PostgreSQL; reads never wait for a writer."""

from __future__ import annotations

import asyncio
from typing import Any

from litestar import Litestar
from sqlalchemy import Column, Integer, MetaData, String, Table, select, update

COUNTERS = MetaData()
counter = Table(
    "test_counter",
    COUNTERS,
    Column("name", String(20), primary_key=True),
    Column("value", Integer, nullable=False),
)


async def _prepare(app: Litestar) -> None:
    engine = app.state.qh.db.get_engine()
    async with engine.begin() as connection:
        await connection.run_sync(COUNTERS.create_all)
        await connection.execute(counter.insert().values(name="hits", value=0))


async def _value(app: Litestar) -> int:
    async with app.state.qh.session() as session:
        return int(await session.scalar(select(counter.c.value)) or 0)


async def test_concurrent_read_modify_writes_lose_nothing(app: Litestar) -> None:
    await _prepare(app)
    context = app.state.qh

    async def increment() -> None:
        async with context.transaction() as session:
            current = await session.scalar(
                select(counter.c.value).where(counter.c.name == "hits").with_for_update()
            )
            await asyncio.sleep(0.005)  # let the others run between the read and the write
            await session.execute(
                update(counter).where(counter.c.name == "hits").values(value=current + 1)
            )

    await asyncio.gather(*(increment() for _ in range(25)))
    assert await _value(app) == 25
    await context.aclose()


async def test_a_reader_does_not_wait_for_an_open_writer(app: Litestar) -> None:
    await _prepare(app)
    context = app.state.qh
    async with context.transaction() as writer:
        await writer.execute(update(counter).values(value=7))
        # A second session in the same process reads the last committed value at once.
        read = await asyncio.wait_for(_value(app), timeout=2)
        assert read == 0
    assert await _value(app) == 7
    await context.aclose()


async def test_a_commit_that_fails_is_never_answered_as_a_success(
    client: Any, tokens: Any, monkeypatch: Any
) -> None:
    from sqlalchemy.ext.asyncio import AsyncSession

    headers = tokens.headers()
    real_commit = AsyncSession.commit

    async def failing_commit(self: AsyncSession) -> None:
        raise ConnectionError("the database went away during COMMIT")

    monkeypatch.setattr(AsyncSession, "commit", failing_commit)
    answer = await client.post("/api/v1/demo/notes", json={"text": "lost?"}, headers=headers)
    monkeypatch.setattr(AsyncSession, "commit", real_commit)

    assert answer.status_code == 503
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.headers["retry-after"] == "1"
    assert "nothing was changed" in answer.json()["detail"]
    # Still a response of the service: its request id and security headers are kept.
    assert answer.headers["x-request-id"]
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["cache-control"] == "no-store"
    listed = (await client.get("/api/v1/demo/notes", headers=headers)).json()
    assert listed["total"] == 0
