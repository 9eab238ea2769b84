"""A read-only way into the database for the one hot read: a profile's stored export.

Through the request session that read costs a pool pre-ping (BEGIN; ; ROLLBACK on
asyncpg), then BEGIN, the query and COMMIT: six round trips and the ORM's bookkeeping. The
export row needs no transaction (one statement sees one snapshot), so on PostgreSQL it is
read with one statement on a small asyncpg pool of its own; elsewhere (SQLite) with an
autocommit SQLAlchemy engine. Any connection problem makes the caller fall back to the
ordinary session path, which has the pre-ping.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

import structlog
from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from qh.kit.db import enable_sqlite_pragmas, is_sqlite
from qh.kit.settings import ServiceSettings
from qh.user_data.db.models import Profile, ProfileExport

log = structlog.get_logger("qh.user_data.reader")

FRESH_EXPORT_SQL = (
    "SELECT e.document FROM profile_export e JOIN profile p ON p.id = e.profile_id "
    "WHERE p.user_id = $1 AND e.revision = p.revision"
)
FRESH_EXPORT = (
    select(ProfileExport.document)
    .join(Profile, Profile.id == ProfileExport.profile_id)
    .where(Profile.user_id == bindparam("user_id"), ProfileExport.revision == Profile.revision)
)


class ExportReader:
    """Reads the stored QH export of a profile if it is up to date."""

    def __init__(self, settings: ServiceSettings, *, pool_size: int = 10) -> None:
        self.url = settings.resolved_database_url
        self.pool_size = pool_size
        self._pool: Any = None
        self._engine: AsyncEngine | None = None
        self._lock = asyncio.Lock()

    @property
    def postgres(self) -> bool:
        return self.url.startswith(("postgresql+asyncpg://", "postgres+asyncpg://"))

    async def _asyncpg_pool(self) -> Any:
        if self._pool is None:
            async with self._lock:
                if self._pool is None:
                    import asyncpg

                    dsn = self.url.replace("+asyncpg", "", 1)
                    self._pool = await asyncpg.create_pool(dsn, min_size=1, max_size=self.pool_size)
        return self._pool

    def _sqlalchemy_engine(self) -> AsyncEngine:
        if self._engine is None:
            self._engine = create_async_engine(self.url, isolation_level="AUTOCOMMIT")
            if is_sqlite(self.url):
                enable_sqlite_pragmas(self._engine.sync_engine)
        return self._engine

    async def fresh_export(self, user_id: UUID) -> str | None:
        """The stored export, or None when there is none, it is stale, or the read failed."""
        try:
            if self.postgres:
                pool = await self._asyncpg_pool()
                return await pool.fetchval(FRESH_EXPORT_SQL, user_id)  # type: ignore[no-any-return]
            async with self._sqlalchemy_engine().connect() as connection:
                result = await connection.execute(FRESH_EXPORT, {"user_id": user_id})
                return result.scalar()  # type: ignore[no-any-return]
        except (TimeoutError, OSError) as exc:
            log.warning("export_read_failed", error=str(exc))
            return None
        except Exception as exc:  # asyncpg's connection errors have no common base
            if type(exc).__module__.startswith(("asyncpg", "sqlalchemy")):
                log.warning("export_read_failed", error=str(exc))
                return None
            raise

    @contextlib.asynccontextmanager
    async def lifespan(self, _app: Any) -> AsyncIterator[None]:
        try:
            yield
        finally:
            if self._pool is not None:
                await self._pool.close()
                self._pool = None
            if self._engine is not None:
                await self._engine.dispose()
                self._engine = None
