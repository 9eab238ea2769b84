"""Housekeeping: delete what can no longer be used, every ``housekeeping_seconds``."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from qh.auth.db.models import ActionToken, OAuthState, RefreshFamily
from qh.auth.settings import AuthSettings
from qh.auth.throttle import Transaction, purge_throttle

log = structlog.get_logger("qh.auth.housekeeping")


async def sweep(session: AsyncSession, settings: AuthSettings) -> None:
    """Ended login sessions (their refresh tokens go with them), old e-mailed tokens,
    abandoned social logins and finished throttle windows."""
    now = datetime.now(UTC)
    grace = timedelta(days=1)
    idle = timedelta(seconds=settings.refresh_idle_seconds)
    await session.execute(
        delete(RefreshFamily).where(
            (RefreshFamily.expires_at < now)
            | (RefreshFamily.last_used_at < now - idle)
            | (RefreshFamily.revoked_at < now - grace)
        )
    )
    await session.execute(delete(ActionToken).where(ActionToken.expires_at < now - grace))
    await session.execute(delete(OAuthState).where(OAuthState.expires_at < now))
    await purge_throttle(session, settings)


class Housekeeping:
    """Runs :func:`sweep` in a transaction of its own, in the background of a running app."""

    def __init__(self, settings: AuthSettings, transaction: Transaction) -> None:
        self.settings = settings
        self.transaction = transaction
        self._task: asyncio.Task[None] | None = None

    async def run_once(self) -> None:
        async with self.transaction() as session:
            await sweep(session, self.settings)

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.settings.housekeeping_seconds)
            try:
                await self.run_once()
            except Exception:
                log.exception("housekeeping_failed")

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name="auth-housekeeping")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


__all__ = ["Housekeeping", "sweep"]
