"""The kit's hot reads (``context.reads``): the row a session would give, on the service's
own pool, and a lost connection answered as an unavailable database, not a wrong row."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
import pytest
from litestar import Litestar
from sqlalchemy import bindparam, select
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.util import greenlet_spawn

from qh.kit import db
from qh.kit.context import ServiceContext
from qh.kit.testing import admin_url


def notes_of(demo: Any) -> Any:
    note = demo.Note
    return (
        select(note.id, note.owner_id, note.text, note.created_at)
        .where(note.owner_id == bindparam("owner"))
        .order_by(note.text)
        .limit(1)
    )


async def add_notes(context: ServiceContext[Any], demo: Any, owner: uuid.UUID) -> None:
    async with context.transaction() as session:
        session.add_all([demo.Note(owner_id=owner, text=text) for text in ("b", "a")])


async def test_a_row_as_the_session_reads_it(app: Litestar, client: Any, demo: Any) -> None:
    context: ServiceContext[Any] = app.state.qh
    owner = uuid.uuid4()
    await add_notes(context, demo, owner)
    statement = notes_of(demo)

    row = await context.reads.first(statement, {"owner": owner})

    async with context.session() as session:
        expected = (await session.execute(statement, {"owner": owner})).first()
    assert expected is not None
    assert row == tuple(expected)
    note_id, owner_id, text, created_at = row
    assert isinstance(note_id, uuid.UUID)
    assert (owner_id, text) == (owner, "a")
    assert created_at.tzinfo is not None  # the column type's own conversion was applied
    assert await context.reads.first(statement, {"owner": uuid.uuid4()}) is None
    assert context.db.get_engine().sync_engine.pool.checkedout() == 0  # given back


@pytest.mark.postgres
class TestOnPostgres:
    """On PostgreSQL the read runs on the asyncpg connection itself."""

    @pytest.fixture
    def db_backend(self, qh_postgres_url: str) -> str:
        return "postgres"

    async def test_a_lost_connection_is_an_unavailable_database_then_replaced(
        self,
        app: Litestar,
        client: Any,
        demo: Any,
        database_url: str,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        context: ServiceContext[Any] = app.state.qh
        if not context.reads.direct:
            pytest.fail("PostgreSQL reads should run on the driver connection")
        monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 3600.0)  # no ping saves the read
        owner = uuid.uuid4()
        await add_notes(context, demo, owner)
        statement = notes_of(demo)
        assert await context.reads.first(statement, {"owner": owner}) is not None

        name = database_url.rsplit("/", 1)[1].split("?")[0]
        server = await asyncpg.connect(admin_url(database_url).rsplit("/", 1)[0] + "/postgres")
        try:
            ended = await server.fetchval(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = $1 AND pid <> pg_backend_pid()",
                name,
            )
        finally:
            await server.close()
        assert ended >= 1

        with pytest.raises(DisconnectionError):  # the pooled connection is dead
            await context.reads.first(statement, {"owner": owner})
        assert context.db.get_engine().sync_engine.pool.checkedout() == 0
        for _ in range(context.settings.database_pool_size + 1):  # the others, then fresh ones
            try:
                row = await context.reads.first(statement, {"owner": owner})
            except DisconnectionError:
                continue
            assert row is not None
            assert row[2] == "a"
        assert await context.reads.first(statement, {"owner": owner}) is not None

    async def test_the_read_runs_outside_a_transaction(
        self, app: Litestar, client: Any, demo: Any
    ) -> None:
        """A read never leaves the pooled connection in a transaction (the next user of the
        connection, a request's session, would inherit it)."""
        context: ServiceContext[Any] = app.state.qh
        owner = uuid.uuid4()
        await add_notes(context, demo, owner)
        statement = notes_of(demo)
        for _ in range(3):
            assert await context.reads.first(statement, {"owner": owner}) is not None
        proxied = await context.db.get_engine().raw_connection()
        try:
            driver: asyncpg.Connection = proxied.driver_connection  # type: ignore[assignment]
            assert not driver.is_in_transaction()
        finally:
            await greenlet_spawn(proxied.close)
