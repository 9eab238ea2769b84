"""SQLite transactions that cannot lose a concurrent update (the embedded mode).

The sqlite3 driver begins a transaction only before a write, so a read-then-write (the
profile's revision, the order of items) run by two requests at once could lose one of
them. Here every transaction is begun explicitly with ``BEGIN IMMEDIATE``: it takes the
write lock up front, and a concurrent one waits its turn (``busy_timeout``) instead.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine


def _driver_begins_nothing(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None


def _begin_immediate(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def serialise_writes(engine: AsyncEngine) -> None:
    sync_engine = engine.sync_engine
    if not event.contains(sync_engine, "connect", _driver_begins_nothing):
        event.listen(sync_engine, "connect", _driver_begins_nothing)
        event.listen(sync_engine, "begin", _begin_immediate)
