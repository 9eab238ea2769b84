"""Database plumbing: a declarative base per service, the advanced-alchemy config and
Alembic migrations that every service runs the same way.

Each service owns its database, so each has its own metadata (``declarative_base()``)
and its own ``migrations`` folder; ``env.py`` there is two lines that call
:func:`run_migrations_env`.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec
import structlog
from advanced_alchemy.base import CommonTableAttributes, create_registry
from advanced_alchemy.extensions.litestar import (
    AsyncSessionConfig,
    EngineConfig,
    SQLAlchemyAsyncConfig,
)
from advanced_alchemy.extensions.litestar._utils import (
    _SCOPE_NAMESPACE as _AA_SCOPE_STATE,  # where advanced-alchemy keeps a request's session
)
from advanced_alchemy.extensions.litestar._utils import (
    delete_aa_scope_state,
    get_aa_scope_state,
    set_aa_scope_state,
)
from advanced_alchemy.extensions.litestar.plugins.init.config.common import (
    SESSION_TERMINUS_ASGI_EVENTS,
)
from alembic import command
from alembic.config import Config
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncAttrs, AsyncEngine, AsyncSession, create_async_engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.pool import NullPool

from qh.kit.auth import Principal
from qh.kit.revocation import REVOKED_DETAIL, refused_at_commit
from qh.kit.settings import ServiceSettings
from qh.kit.tables import add_messaging_tables

if TYPE_CHECKING:
    from litestar.datastructures import State
    from litestar.types import Message, Scope

_log = structlog.get_logger("qh.db")


def declarative_base() -> type[Any]:
    """A fresh declarative base with its own metadata (UUID, datetime and JSON types mapped
    the advanced-alchemy way). Combine with ``UUIDv7PrimaryKey`` and ``AuditColumns``."""
    registry = create_registry()

    class Base(CommonTableAttributes, AsyncAttrs, DeclarativeBase):
        __abstract__ = True

    Base.registry = registry
    Base.metadata = registry.metadata
    return Base


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def enable_sqlite_pragmas(engine: Engine) -> None:
    if not event.contains(engine, "connect", _sqlite_pragmas):
        event.listen(engine, "connect", _sqlite_pragmas)


# --- SQLite transactions ------------------------------------------------------------------
#
# The sqlite3 driver begins a transaction only before a write, so a read-then-write run
# by two sessions at once could lose one of the updates. The kit turns the driver's own
# transaction handling off and begins each transaction itself, at its first statement:
# ``BEGIN IMMEDIATE`` (the write lock, waited for up to ``busy_timeout``) when that
# statement writes or locks rows (``select(...).with_for_update()``, which takes a row
# lock on PostgreSQL), a plain ``BEGIN`` for reads, which never wait for writers. So the
# one rule for both databases: read what you are about to change with
# ``with_for_update()``; reads alone lock nothing, and one process can hold any number of
# reading sessions next to one writing session.

_BEGUN = "qh_sqlite_begun"
_LOCK_NEXT = "qh_sqlite_lock"
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER", "SAVEPOINT")


def _driver_begins_nothing(dbapi_connection: Any, record: Any) -> None:
    dbapi_connection.isolation_level = None
    _record_returned(dbapi_connection, record)


def _note_locking_read(
    connection: Any, clauseelement: Any, _multiparams: Any, _params: Any, _options: Any
) -> None:
    if getattr(clauseelement, "_for_update_arg", None) is not None:
        connection.info[_LOCK_NEXT] = True


def _begin_at_first_statement(
    connection: Any, cursor: Any, statement: str, _params: Any, _context: Any, _many: bool
) -> None:
    info = connection.info
    lock = info.pop(_LOCK_NEXT, False)
    if info.get(_BEGUN) or not connection.in_transaction():
        return
    head = statement.lstrip()[:9].upper()
    if head.startswith(("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA")):
        return
    writes = lock or head.startswith(_WRITES)
    if not writes and connection.get_execution_options().get(READS_OUTSIDE_TRANSACTION):
        return  # a read of a GET: the driver runs it on its own (autocommit)
    cursor.execute("BEGIN IMMEDIATE" if writes else "BEGIN")
    info[_BEGUN] = True


def _transaction_ended(connection: Any) -> None:
    try:
        info = connection.info
    except Exception:  # an invalidated connection: its record is cleared on reconnect
        return
    info.pop(_BEGUN, None)
    info.pop(_LOCK_NEXT, None)


def _record_returned(_dbapi_connection: Any, record: Any) -> None:
    # The flags live on the pool's record, which outlives a transaction that never ended
    # cleanly (an invalidated or reset connection): a fresh or returned one starts clean.
    record.info.pop(_BEGUN, None)
    record.info.pop(_LOCK_NEXT, None)


def serialise_sqlite_writes(engine: AsyncEngine) -> None:
    """Apply the kit's SQLite transaction rule (above) to ``engine``; no-op elsewhere."""
    sync_engine = engine.sync_engine
    if sync_engine.dialect.name != "sqlite":
        return
    if not event.contains(sync_engine, "connect", _driver_begins_nothing):
        event.listen(sync_engine, "connect", _driver_begins_nothing)
        event.listen(sync_engine, "before_execute", _note_locking_read)
        event.listen(sync_engine, "before_cursor_execute", _begin_at_first_statement)
        event.listen(sync_engine, "commit", _transaction_ended)
        event.listen(sync_engine, "rollback", _transaction_ended)
        event.listen(sync_engine.pool, "checkin", _record_returned)


# --- cheap reads ---------------------------------------------------------------------------
#
# A GET or HEAD request's session reads outside any transaction: no BEGIN and no COMMIT
# around its queries (each statement sees the data committed when it starts, as every
# statement of a READ COMMITTED transaction does). Its first write, ``SAVEPOINT`` or
# ``with_for_update()`` read begins the transaction (``BEGIN IMMEDIATE`` on SQLite), so
# what a GET writes is still committed or rolled back as one. A GET that needs one
# snapshot for several reads, or a transaction-scoped lock, opens
# ``context.transaction()``. Other requests, subscribers and commands are unchanged.
#
# The pool pings a connection only when it has been idle for longer than
# ``PING_AFTER_IDLE_SECONDS`` (a busy connection was known good moments ago); a failed
# ping discards it and the pool takes another one. After a PostgreSQL restart every
# pooled connection is either idle that long, or was used while the server was down,
# which made SQLAlchemy invalidate the whole pool: no request after the restart gets a
# stale connection. Pinging on every checkout cost three round trips per request.

READS_OUTSIDE_TRANSACTION = "qh_reads_outside_transaction"
PING_AFTER_IDLE_SECONDS = 2.0
READ_METHODS = frozenset({"GET", "HEAD"})
_IDLE_SINCE = "qh_idle_since"
_LOCKING = (" FOR UPDATE", " FOR NO KEY UPDATE", " FOR SHARE", " FOR KEY SHARE")


def _is_plain_read(statement: str) -> bool:
    if statement.lstrip()[:6].upper() != "SELECT":
        return False
    upper = statement.upper()
    return not any(lock in upper for lock in _LOCKING) and "PG_ADVISORY" not in upper


def _postgres_begin_at_first_write(
    connection: Any, _cursor: Any, statement: str, _params: Any, _context: Any, _many: bool
) -> None:
    """asyncpg (through SQLAlchemy's adapter) begins a transaction before a statement when
    none is open, unless the connection is in autocommit. Set that per statement while no
    transaction is open: autocommit for a plain read of a reading session, the
    connection's own setting otherwise (so nothing carries over to the next checkout)."""
    lock = connection.info.pop(_LOCK_NEXT, False)
    adapter = connection.connection.dbapi_connection
    if getattr(adapter, "_transaction", True) is not None:
        return
    setting = adapter._isolation_setting
    reading = connection.get_execution_options().get(READS_OUTSIDE_TRANSACTION)
    if reading and setting is None and not lock and _is_plain_read(statement):
        adapter.isolation_level = "autocommit"
    else:
        adapter.isolation_level = setting


def _checked_in(_dbapi_connection: Any, record: Any) -> None:
    record.info[_IDLE_SINCE] = time.monotonic()


def _ping_if_idle(engine: Engine) -> Callable[[Any, Any, Any], None]:
    def checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get(_IDLE_SINCE)
        if since is None or time.monotonic() - since <= PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            raise DisconnectionError(f"an idle connection no longer answers: {exc}") from exc

    return checkout


def cheap_reads(engine: AsyncEngine) -> None:
    """Apply the rules above to ``engine`` (PostgreSQL's part; SQLite's is in
    :func:`serialise_sqlite_writes`)."""
    sync_engine = engine.sync_engine
    if sync_engine.dialect.name != "postgresql" or sync_engine.dialect.driver != "asyncpg":
        return
    if event.contains(sync_engine, "before_cursor_execute", _postgres_begin_at_first_write):
        return
    event.listen(sync_engine, "before_execute", _note_locking_read)
    event.listen(sync_engine, "before_cursor_execute", _postgres_begin_at_first_write)
    event.listen(sync_engine.pool, "checkin", _checked_in)
    event.listen(sync_engine.pool, "checkout", _ping_if_idle(sync_engine))


@dataclass
class KitAlchemyConfig(SQLAlchemyAsyncConfig):
    """advanced-alchemy's Litestar config, with a GET or HEAD request's session bound to
    the same engine (and pool) marked to read outside a transaction."""

    def _ensure_unique(
        self, registry_name: str, key: str, new_key: str | None = None, _iter: int = 0
    ) -> str:
        # advanced-alchemy numbers a key taken by an earlier config in the process
        # (``db_session_1``, ``db_session_2``...) by recursing once per earlier config: a
        # process that builds many apps (tests, a long-lived host) ran out of stack. The
        # same numbering, in a loop.
        taken: set[str] = getattr(type(self), registry_name, set())
        candidate = key if new_key is None else new_key
        while candidate in taken:
            _iter += 1
            candidate = f"{key}_{_iter}"
        return candidate

    def __post_init__(self) -> None:
        super().__post_init__()
        # The scope key is made unique per config above (several services in one process):
        # the hook must read the session under this config's own key.
        self.before_send_handler = commit_before_send(self.session_scope_key)

    def provide_session(self, state: State, scope: Scope) -> AsyncSession:
        if (
            scope.get("method") in READ_METHODS
            and get_aa_scope_state(scope, self.session_scope_key) is None
        ):
            session_maker = state[self.session_maker_app_state_key]
            session = session_maker(bind=self.reading_engine)
            set_aa_scope_state(scope, self.session_scope_key, session)
        return super().provide_session(state, scope)

    @property
    def reading_engine(self) -> AsyncEngine:
        engine = self.__dict__.get("_reading_engine")
        if engine is None:
            engine = self.get_engine().execution_options(**{READS_OUTSIDE_TRANSACTION: True})
            self.__dict__["_reading_engine"] = engine
        return engine


# --- commit before the answer --------------------------------------------------------------
#
# A request's session is committed as its response starts (2xx), rolled back otherwise. A
# commit that fails must not leave the client with a success for a change that was never
# saved: the response becomes a 503 problem (the body and its headers are replaced before
# anything reaches the client), and the session is rolled back.

_COMMIT_FAILED = "qh_commit_failed"
_COMMIT_FAILED_BODY = msgspec.json.encode(
    {
        "type": "https://qh.dev/problems/unavailable",
        "title": "Service Unavailable",
        "status": 503,
        "detail": "The change could not be saved, so nothing was changed. Try again.",
    }
)


def _nothing_to_commit(session: AsyncSession) -> bool:
    """True when committing ``session`` would send nothing: no pending ORM change and no
    database transaction begun on its connections (what a GET that only read leaves,
    see "cheap reads" above). Closing it then ends it the same way, for less work."""
    sync = session.sync_session
    if not sync._is_clean():
        return False
    transaction = sync.get_transaction()
    if transaction is None:
        return True
    for connection, *_ in transaction._connections.values():
        if connection.dialect.name == "sqlite":
            if connection.info.get(_BEGUN):  # the kit began one at a statement
                return False
        elif getattr(connection.connection.dbapi_connection, "_transaction", True) is not None:
            return False  # asyncpg's adapter began one (any other driver: assume so)
    return True


# --- the erasure fence ----------------------------------------------------------------------
#
# A request of a user that passed the token check just before the user's account was
# deleted could commit its write after the service's erasure ran, leaving data nothing
# erases. So before a user's write transaction commits, the hook asks
# :func:`qh.kit.revocation.refused_at_commit` (one round trip; the revocation takes the
# subject's lock first, see that module): a subject revoked meanwhile turns the answer into
# the revoked token's 401, and the transaction is rolled back. Only a transaction that
# wrote pays for it: each connection notes its first INSERT, UPDATE or DELETE until its
# transaction ends. A service caller (role ``service``) is not fenced; a service writing on
# behalf of a user forwards the user's token, and is.

_WROTE = "qh_wrote"
_WRITE_HEADS = ("INSERT", "UPDATE", "DELETE", "MERGE")


def _note_write(
    connection: Any, _cursor: Any, statement: str, _params: Any, context: Any, _many: bool
) -> None:
    info = connection.info
    if _WROTE in info:
        return
    if (
        context is not None and (context.isinsert or context.isupdate or context.isdelete)
    ) or statement.lstrip()[:6].upper().startswith(_WRITE_HEADS):
        info[_WROTE] = True


def _writes_ended(connection: Any) -> None:
    with contextlib.suppress(Exception):  # an invalidated connection: cleared on checkin
        connection.info.pop(_WROTE, None)


def _writes_returned(_dbapi_connection: Any, record: Any) -> None:
    record.info.pop(_WROTE, None)


def note_writes(engine: AsyncEngine) -> None:
    """Let the commit hook tell a transaction that wrote from one that only read."""
    sync_engine = engine.sync_engine
    if event.contains(sync_engine, "before_cursor_execute", _note_write):
        return
    event.listen(sync_engine, "before_cursor_execute", _note_write)
    event.listen(sync_engine, "commit", _writes_ended)
    event.listen(sync_engine, "rollback", _writes_ended)
    event.listen(sync_engine.pool, "checkin", _writes_returned)


def _written(session: AsyncSession) -> Any:
    """The connection of ``session`` whose transaction wrote, if any."""
    transaction = session.sync_session.get_transaction()
    if transaction is None:
        return None
    for connection, *_ in transaction._connections.values():
        if connection.info.get(_WROTE):
            return connection
    return None


def _refusal(scope: Scope) -> tuple[list[tuple[bytes, bytes]], bytes]:
    """The revoked token's 401 problem, as the answer's headers and body."""
    problem: dict[str, Any] = {
        "type": "https://qh.dev/problems/unauthorized",
        "title": "Unauthorized",
        "status": 401,
        "detail": REVOKED_DETAIL,
        "instance": scope.get("path"),
    }
    body = msgspec.json.encode(problem)
    headers = [
        (b"content-type", b"application/problem+json"),
        (b"content-length", str(len(body)).encode()),
        (b"www-authenticate", b'Bearer error="invalid_token"'),
    ]
    return headers, body


async def _refused(session: AsyncSession, scope: Scope) -> bool:
    """Whether the erasure fence refuses this request's transaction (flushed here first,
    so what the ORM still holds counts as written)."""
    principal = scope.get("user")
    if not isinstance(principal, Principal) or principal.is_service:
        return False
    if not session.sync_session._is_clean():
        await session.flush()
    connection = _written(session)
    return connection is not None and await refused_at_commit(session, connection, principal)


def _untouched(session: AsyncSession) -> bool:
    """True for a session the request never used (no transaction, connection or object):
    closing it would release nothing (a route that read through ``context.reads``)."""
    sync = session.sync_session
    return sync._transaction is None and not sync.identity_map and not sync._new


class CommitHook:
    """advanced-alchemy's before-send hook for sessions kept under ``session_scope_key``:
    commit on 2xx, roll back otherwise, close the session at the end of the exchange; a
    failed commit turns the answer into a 503, a write of a user revoked meanwhile into a
    401 (the erasure fence, above). A service app runs it from its one send
    wrapper (:class:`~qh.kit.observability.ObservabilityMiddleware`) and only for a request
    that opened a session (:meth:`applies`); as a Litestar ``before_send`` hook it sees
    every message."""

    __slots__ = ("session_scope_key",)

    def __init__(self, session_scope_key: str) -> None:
        self.session_scope_key = session_scope_key

    def applies(self, scope: Scope) -> bool:
        sessions: dict[str, Any] | None = scope.get(_AA_SCOPE_STATE)  # type: ignore[assignment]
        return sessions is not None and self.session_scope_key in sessions

    async def __call__(self, message: Message, scope: Scope) -> None:
        answer: dict[str, Any] = message  # type: ignore[assignment]
        state: dict[str, Any] = scope.setdefault("state", {})  # type: ignore[typeddict-item,assignment]
        kind = answer["type"]
        if kind == "http.response.body":
            failed = state.get(_COMMIT_FAILED)
            if failed is not None:
                # The problem replaces the first chunk; later chunks of a stream go empty.
                answer["body"] = failed
                state[_COMMIT_FAILED] = b""
            return
        session_scope_key = self.session_scope_key
        session: AsyncSession | None = get_aa_scope_state(scope, session_scope_key)
        if session is None:
            return
        try:
            if kind == "http.response.start" and session.in_transaction():
                if 200 <= answer["status"] < 300:
                    if _nothing_to_commit(session):
                        return  # closed below: a read ends without a COMMIT
                    try:
                        if await _refused(session, scope):
                            await session.rollback()
                            answer["status"] = 401
                            answer["headers"], state[_COMMIT_FAILED] = _refusal(scope)
                            return  # closed below
                        await session.commit()
                    except Exception:
                        _log.exception("commit_failed", path=scope.get("path"))
                        with contextlib.suppress(Exception):
                            await session.rollback()
                        answer["status"] = 503
                        answer["headers"] = [
                            (b"content-type", b"application/problem+json"),
                            (b"content-length", str(len(_COMMIT_FAILED_BODY)).encode()),
                            (b"retry-after", b"1"),
                        ]
                        state[_COMMIT_FAILED] = _COMMIT_FAILED_BODY
                else:
                    await session.rollback()
        finally:
            if kind in SESSION_TERMINUS_ASGI_EVENTS:
                if not _untouched(session):
                    with contextlib.suppress(Exception):
                        await session.close()
                delete_aa_scope_state(scope, session_scope_key)


def commit_before_send(session_scope_key: str) -> CommitHook:
    """The :class:`CommitHook` for sessions kept under ``session_scope_key``."""
    return CommitHook(session_scope_key)


def alchemy_config(settings: ServiceSettings) -> KitAlchemyConfig:
    """The advanced-alchemy config for a service: autocommit after a 2xx response, the
    session available to handlers as ``db_session``, reads of GET and HEAD outside a
    transaction, a ping only for a connection idle a while (see above)."""
    url = settings.resolved_database_url
    if is_sqlite(url):
        Path(url.split("///", 1)[1]).parent.mkdir(parents=True, exist_ok=True)
        engine_config = EngineConfig(echo=settings.database_echo)
    else:
        engine_config = EngineConfig(
            echo=settings.database_echo, pool_size=settings.database_pool_size, max_overflow=0
        )
    config = KitAlchemyConfig(
        connection_string=url,
        engine_config=engine_config,
        session_config=AsyncSessionConfig(expire_on_commit=False),
        before_send_handler=None,
        session_dependency_key="db_session",
        create_all=False,
        engine_app_state_key=f"db_engine_{settings.package_name}",
        session_maker_app_state_key=f"session_maker_{settings.package_name}",
    )
    if is_sqlite(url):
        enable_sqlite_pragmas(config.get_engine().sync_engine)
    cheap_reads(config.get_engine())
    note_writes(config.get_engine())
    return config


# --- migrations --------------------------------------------------------------------------


def alembic_config(migrations: Path, url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations))
    config.set_main_option("version_locations", str(migrations / "versions"))
    config.set_main_option("path_separator", "os")
    config.attributes["qh_url"] = url
    return config


def upgrade(migrations: Path, url: str, revision: str = "head") -> None:
    """Run the migrations up to ``revision``. Synchronous: call it from a thread when an
    event loop is running (``await asyncio.to_thread(upgrade, ...)``)."""
    command.upgrade(alembic_config(migrations, url), revision)


def downgrade(migrations: Path, url: str, revision: str = "-1") -> None:
    command.downgrade(alembic_config(migrations, url), revision)


def revision(migrations: Path, url: str, message: str, *, autogenerate: bool = True) -> None:
    command.revision(alembic_config(migrations, url), message=message, autogenerate=autogenerate)


def run_migrations_env(metadata: MetaData | None) -> None:
    """The body of every service's ``migrations/env.py``: the service's metadata with the
    kit's tables added."""
    from alembic import context

    if metadata is not None:
        add_messaging_tables(metadata)

    url = context.config.attributes.get("qh_url") or context.config.get_main_option(
        "sqlalchemy.url"
    )
    if not url:
        raise RuntimeError("no database URL given to the migrations")
    sqlite = is_sqlite(url)
    options: dict[str, Any] = {
        "target_metadata": metadata,
        "render_as_batch": sqlite,
        "compare_type": True,
    }

    if context.is_offline_mode():
        context.configure(url=url, literal_binds=True, **options)
        with context.begin_transaction():
            context.run_migrations()
        return

    def run(connection: Any) -> None:
        context.configure(connection=connection, **options)
        with context.begin_transaction():
            context.run_migrations()

    async def main() -> None:
        engine = create_async_engine(url, poolclass=NullPool)
        if sqlite:
            enable_sqlite_pragmas(engine.sync_engine)
        async with engine.connect() as connection:
            await connection.run_sync(run)
            await connection.commit()
        await engine.dispose()

    asyncio.run(main())
