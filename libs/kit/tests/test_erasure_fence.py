"""The erasure fence: a user's write that passed the token check just before the account
was deleted either commits before the service's erasure (and is erased by it) or is
refused with 401 — it never leaves data behind. Reads pay nothing for it, a write one
round trip, a service's write nothing."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from contextvars import ContextVar
from pathlib import Path
from typing import Annotated, Any

import httpx
import msgspec
import pytest
from advanced_alchemy.base import UUIDv7PrimaryKey
from advanced_alchemy.mixins import AuditColumns
from litestar import Litestar, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody
from sqlalchemy import String, delete, event, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from qh.contracts import USER_DELETED, UserDeleted
from qh.kit.app import ServiceDefinition
from qh.kit.auth import Principal
from qh.kit.clock import utc_now
from qh.kit.cloudevents import CLOUDEVENTS_JSON, Event, make_cloudevent
from qh.kit.db import declarative_base
from qh.kit.runtime import LocalRuntime
from qh.kit.settings import ServiceSettings
from qh.kit.subscriptions import subscribe
from qh.kit.testing import TokenFactory, jwks_app, running, settings_for_tests

PREFIX = "/api/v1/fence"
WAIT = 10.0  # seconds any step may take before the test fails

Base = declarative_base()


class Note(UUIDv7PrimaryKey, AuditColumns, Base):
    """The demo service's table (its migrations build it), owned by a user."""

    __tablename__ = "demo_note"
    owner_id: Mapped[uuid.UUID] = mapped_column(index=True)
    text: Mapped[str] = mapped_column(String(200))


class NoteIn(msgspec.Struct):
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class Gates:
    """Where the test holds a request or the erasure, inside its transaction."""

    def __init__(self) -> None:
        self.entered, self.wrote, self.erased = asyncio.Event(), asyncio.Event(), asyncio.Event()
        self.write, self.commit, self.finish = asyncio.Event(), asyncio.Event(), asyncio.Event()
        for gate in (self.write, self.commit, self.finish):
            gate.set()


GATES = Gates()


async def _through(gate: asyncio.Event) -> None:
    await asyncio.wait_for(gate.wait(), WAIT)


@post("/notes", status_code=201)
async def write_note(
    data: JSONBody[NoteIn],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> dict[str, str]:
    GATES.entered.set()
    await _through(GATES.write)
    note = Note(owner_id=principal.id, text=data.text)
    db_session.add(note)
    await db_session.flush()
    GATES.wrote.set()
    await _through(GATES.commit)
    return {"id": str(note.id)}


@get("/notes")
async def read_notes(
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> list[str]:
    texts = await db_session.scalars(select(Note.text).where(Note.owner_id == principal.id))
    return list(texts)


@subscribe(USER_DELETED)
async def erase_notes(event: Event[UserDeleted], session: AsyncSession) -> None:
    await session.execute(delete(Note).where(Note.owner_id == event.data.user_id))
    GATES.erased.set()
    await _through(GATES.finish)


FENCE: ServiceDefinition[ServiceSettings] = ServiceDefinition(
    slug="fence",
    prefix=PREFIX,
    title="Fence",
    description="Writes and an erasure, for the erasure fence's tests.",
    settings_class=ServiceSettings,
    metadata=lambda: Base.metadata,
    migrations=Path(__file__).parent / "demo_migrations",
    route_handlers=[write_note, read_notes],
    subscribers=[erase_notes],
)


@pytest.fixture
def service_definition() -> ServiceDefinition[ServiceSettings]:
    return FENCE


@pytest.fixture
def app(database_url: str, tokens: TokenFactory) -> Litestar:
    global GATES
    GATES = Gates()
    runtime = LocalRuntime(max_attempts=2, backoff_seconds=0.01, backoff_max_seconds=0.02)
    runtime.attach("auth", jwks_app(tokens))
    return FENCE.create_app(settings_for_tests(FENCE, database_url), runtime=runtime)


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    async with running(app) as client:
        yield client


def _user(tokens: TokenFactory, user: uuid.UUID) -> dict[str, str]:
    """A token issued before the deletion that comes."""
    return tokens.headers(user, iat=int(time.time()) - 5)


async def _delete_account(client: httpx.AsyncClient, user: uuid.UUID) -> httpx.Response:
    cloud_event = make_cloudevent(USER_DELETED, UserDeleted(user_id=user), source="qh/auth")
    return await client.post(
        f"/events/{USER_DELETED.name}",
        content=msgspec.json.encode(cloud_event),
        headers={"content-type": CLOUDEVENTS_JSON},
    )


async def _notes_of(app: Litestar, user: uuid.UUID) -> int:
    async with app.state.qh.session() as session:
        count = await session.scalar(select(func.count()).where(Note.owner_id == user))
    return int(count or 0)


def _postgres(app: Litestar) -> bool:
    return bool(app.state.qh.db.get_engine().dialect.name == "postgresql")


async def test_a_write_held_open_across_the_erasure_leaves_nothing(
    app: Litestar, client: httpx.AsyncClient, tokens: TokenFactory
) -> None:
    """The request wrote, then the account is deleted while its transaction is open."""
    user = uuid.uuid4()
    GATES.commit.clear()
    writing = asyncio.create_task(
        client.post(f"{PREFIX}/notes", json={"text": "late"}, headers=_user(tokens, user))
    )
    await _through(GATES.wrote)
    erasing = asyncio.create_task(_delete_account(client, user))
    if _postgres(app):
        # The erasure does not see the uncommitted note and commits first; the write's
        # commit then finds the account revoked.
        assert (await asyncio.wait_for(erasing, WAIT)).status_code == 200
        GATES.commit.set()
        answer = await asyncio.wait_for(writing, WAIT)
        assert answer.status_code == 401, answer.text
        assert "deleted or deactivated" in answer.json()["detail"]
        assert answer.headers["www-authenticate"].startswith("Bearer")
    else:
        # The write holds SQLite's write lock: the erasure waits for its commit, then
        # erases what it wrote.
        GATES.commit.set()
        answer = await asyncio.wait_for(writing, WAIT)
        assert (await asyncio.wait_for(erasing, WAIT)).status_code == 200
        assert answer.status_code in (201, 401), answer.text
    assert await _notes_of(app, user) == 0


async def test_a_write_that_reaches_its_commit_during_the_erasure_is_refused(
    app: Litestar, client: httpx.AsyncClient, tokens: TokenFactory
) -> None:
    """The request passed the token check; the erasure is under way (the revocation
    recorded and the service's handler done, its transaction not yet committed) when the
    request writes and commits: the write must not slip in after the erasure looked."""
    user = uuid.uuid4()
    GATES.write.clear()
    GATES.finish.clear()
    writing = asyncio.create_task(
        client.post(f"{PREFIX}/notes", json={"text": "racing"}, headers=_user(tokens, user))
    )
    await _through(GATES.entered)  # past the token check
    erasing = asyncio.create_task(_delete_account(client, user))
    await _through(GATES.erased)  # the subject's lock taken, the revocation recorded
    GATES.write.set()
    if _postgres(app):
        # Refused at once: waiting for the erasure could deadlock on rows it deletes.
        answer = await asyncio.wait_for(writing, WAIT)
        GATES.finish.set()
    else:
        # The write waits for SQLite's write lock, which the erasure holds.
        GATES.finish.set()
        answer = await asyncio.wait_for(writing, WAIT)
    assert answer.status_code == 401, answer.text
    assert (await asyncio.wait_for(erasing, WAIT)).status_code == 200
    assert await _notes_of(app, user) == 0


async def test_a_write_that_committed_first_is_erased(
    app: Litestar, client: httpx.AsyncClient, tokens: TokenFactory
) -> None:
    user = uuid.uuid4()
    headers = _user(tokens, user)
    assert (await client.post(f"{PREFIX}/notes", json={"text": "a"}, headers=headers)).is_success
    assert (await _delete_account(client, user)).status_code == 200
    assert await _notes_of(app, user) == 0


async def test_a_replica_that_has_not_heard_yet_refuses_the_write_but_not_a_services(
    app: Litestar, client: httpx.AsyncClient, tokens: TokenFactory
) -> None:
    """Another replica recorded the revocation; this one reloads its list only every few
    seconds, so its token check still lets the user in: the commit refuses the write.
    A service (role ``service``) writing at the same moment is not fenced."""
    context = app.state.qh
    await context.revocations.stop()  # no reload during the test
    user, service = uuid.uuid4(), uuid.uuid4()
    async with context.transaction() as session:
        table = context.revocations.table
        for subject in (user, service):
            await session.execute(insert(table).values(subject=str(subject), revoked_at=utc_now()))
    headers = _user(tokens, user)

    assert (await client.get(f"{PREFIX}/notes", headers=headers)).status_code == 200
    refused = await client.post(f"{PREFIX}/notes", json={"text": "x"}, headers=headers)
    assert refused.status_code == 401, refused.text
    assert await _notes_of(app, user) == 0

    as_service = tokens.headers(service, roles=["service"], iat=int(time.time()) - 5)
    stored = await client.post(f"{PREFIX}/notes", json={"text": "y"}, headers=as_service)
    assert stored.status_code == 201, stored.text
    assert await _notes_of(app, service) == 1


# --- what it costs ----------------------------------------------------------------------------

RECORDING: ContextVar[bool] = ContextVar("recording", default=False)


class _Recorder:
    """The SQL an awaited request sends: every statement SQLAlchemy executes, and every
    simple-protocol query asyncpg sends past SQLAlchemy (the PostgreSQL fence is one)."""

    def __init__(self) -> None:
        self.sql: list[str] = []

    async def attach(self, app: Litestar) -> None:
        engine = app.state.qh.db.get_engine()
        sql = self.sql

        class Protocol:
            def __init__(self, protocol: Any) -> None:
                self._protocol = protocol

            def __getattr__(self, name: str) -> Any:
                attribute = getattr(self._protocol, name)
                if name != "query":
                    return attribute

                def query(*args: Any, **kwargs: Any) -> Any:
                    if RECORDING.get() and args and isinstance(args[0], str):
                        sql.append(args[0])
                    return attribute(*args, **kwargs)

                return query

        def connect(dbapi_connection: Any, _record: Any) -> None:
            raw = getattr(dbapi_connection, "_connection", None)
            if raw is not None and hasattr(raw, "_protocol"):  # asyncpg
                raw._protocol = Protocol(raw._protocol)

        def statement(_conn: Any, _cursor: Any, text: str, *_args: Any) -> None:
            if RECORDING.get():
                sql.append(text)

        event.listen(engine.sync_engine.pool, "connect", connect)
        event.listen(engine.sync_engine, "before_cursor_execute", statement)
        await engine.dispose()  # every connection from now on is recorded

    async def during(self, request: Any) -> list[str]:
        self.sql.clear()
        token = RECORDING.set(True)
        try:
            answer = await request
        finally:
            RECORDING.reset(token)
        assert answer.is_success, answer.text
        return [sql for sql in self.sql if "qh_revoked_subject" in sql or "advisory" in sql]


async def test_only_a_users_write_pays_for_the_fence_one_round_trip(
    app: Litestar, client: httpx.AsyncClient, tokens: TokenFactory
) -> None:
    recorder = _Recorder()
    await recorder.attach(app)
    user = _user(tokens, uuid.uuid4())
    service = tokens.headers(roles=["service"])

    read = await recorder.during(client.get(f"{PREFIX}/notes", headers=user))
    assert read == []
    write = await recorder.during(client.post(f"{PREFIX}/notes", json={"text": "a"}, headers=user))
    assert len(write) == 1, write
    if _postgres(app):
        assert "pg_try_advisory_xact_lock_shared" in write[0]
    read = await recorder.during(client.get(f"{PREFIX}/notes", headers=user))
    assert read == []
    by_service = await recorder.during(
        client.post(f"{PREFIX}/notes", json={"text": "b"}, headers=service)
    )
    assert by_service == []
