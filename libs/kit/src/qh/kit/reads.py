"""Hot reads: one statement on a pooled connection, without a session.

A request's session is the way to read and write (see "cheap reads" in :mod:`qh.kit.db`).
For the few reads a service answers on almost every request (an export served from a
stored row, a lookup by key), the session's machinery is most of the cost: the session
and its transaction object, SQLAlchemy's execution context, the driver adapter's
bookkeeping, and closing all of it again, about three times the statement itself.
:class:`Reads` runs one ``SELECT`` built once at import time straight on the driver
connection, checked out from the service's own pool (the same pool, its idle ping and
its limits; no second pool), outside any transaction, with SQLAlchemy's own bind and
result conversions applied, so a row comes back as the session would give it.

On PostgreSQL (asyncpg) that is the driver's ``fetchrow`` on a prepared statement; on any
other database (SQLite in ``qh dev``) it is a plain connection of the reading engine.
A lost connection is discarded and raised as :class:`~sqlalchemy.exc.DisconnectionError`,
which the kit answers with 503 and Retry-After, as for the session.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql import Select
from sqlalchemy.util import greenlet_spawn


class _Prepared:
    """A statement compiled once for the driver: its SQL, the order of its parameters
    and their conversions, and the conversion of each result column."""

    __slots__ = ("binds", "defaults", "names", "results", "sql")

    def __init__(self, statement: Select[Any], engine: AsyncEngine) -> None:
        dialect = engine.dialect
        compiled = statement.compile(dialect=dialect)
        self.sql: str = compiled.string
        self.names: tuple[str, ...] = tuple(compiled.positiontup or ())
        if any(bind.expanding for bind in compiled.binds.values()):
            raise ValueError("an IN list of values is read through a session, not Reads")
        # The statement's own values (``limit(1)``, ``where(col == 3)``), unless given.
        self.defaults: dict[str, Any] = {
            name: bind.effective_value for name, bind in compiled.binds.items() if not bind.required
        }
        processors: Mapping[str, Any] = compiled._bind_processors
        self.binds: tuple[Callable[[Any], Any] | None, ...] = tuple(
            processors.get(name) for name in self.names
        )
        self.results: tuple[Callable[[Any], Any] | None, ...] = tuple(
            column[3]._cached_result_processor(dialect, None) for column in compiled._result_columns
        )

    def arguments(self, params: Mapping[str, Any]) -> list[Any]:
        values = []
        for name, process in zip(self.names, self.binds, strict=True):
            value = params[name] if name in params else self.defaults[name]
            values.append(value if process is None or value is None else process(value))
        return values

    def row(self, record: Any) -> tuple[Any, ...]:
        return tuple(
            value if process is None or value is None else process(value)
            for value, process in zip(record, self.results, strict=True)
        )


class Reads:
    """One-statement reads on the service's pool (see the module's text)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        sync = engine.sync_engine
        self.direct = sync.dialect.name == "postgresql" and sync.dialect.driver == "asyncpg"
        self._prepared: dict[Select[Any], _Prepared] = {}

    async def first(
        self, statement: Select[Any], params: Mapping[str, Any] | None = None
    ) -> tuple[Any, ...] | None:
        """The first row of ``statement`` (a ``SELECT`` with named ``bindparam`` values
        given in ``params``) as a tuple, or None. Build ``statement`` once (a module
        constant): it is compiled the first time and kept."""
        params = params or {}
        if not self.direct:
            async with self.engine.connect() as connection:
                row = (await connection.execute(statement, params)).first()
            return None if row is None else tuple(row)
        prepared = self._prepared.get(statement)
        if prepared is None:
            prepared = self._prepared[statement] = _Prepared(statement, self.engine)
        proxied = await self.engine.raw_connection()
        try:
            driver = proxied.driver_connection
            assert driver is not None
            try:
                record = await driver.fetchrow(prepared.sql, *prepared.arguments(params))
            except Exception as exc:
                if isinstance(exc, OSError) or driver.is_closed():
                    proxied.invalidate(exc)
                    raise DisconnectionError(f"the connection was lost: {exc}") from exc
                raise
        finally:
            await greenlet_spawn(proxied.close)
        return None if record is None else prepared.row(record)


__all__ = ["Reads"]
