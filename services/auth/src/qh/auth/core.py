"""What every part of the auth service shares, built once per app (or per CLI command):
settings, the session maker, the outbox, the Secrets port, the hasher, the key ring and
the throttle. Services are made from it by the provider functions below, whether in a
request, a CLI command or a test."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import httpx
import structlog
from sqlalchemy import delete, event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from qh.auth.keys import KeyRing
from qh.auth.passwords import PasswordHasher
from qh.auth.settings import AuthSettings
from qh.auth.throttle import LoginThrottle
from qh.kit.messaging import Outbox
from qh.kit.runtime import Runtime

log = structlog.get_logger("qh.auth")

if TYPE_CHECKING:
    from qh.auth.domain.accounts.services import AccountService
    from qh.auth.domain.oauth.services import SocialLogin
    from qh.auth.domain.tokens.services import TokenService


@dataclass
class AuthCore:
    settings: AuthSettings
    session_maker: async_sessionmaker[AsyncSession]
    outbox: Outbox
    runtime: Runtime
    oauth_transport: httpx.AsyncBaseTransport | None = None
    hasher: PasswordHasher = field(init=False)
    keys: KeyRing = field(init=False)
    throttle: LoginThrottle = field(init=False)

    def __post_init__(self) -> None:
        self.hasher = PasswordHasher(self.settings)
        self.keys = KeyRing(self.settings, self.session_maker)
        self.throttle = LoginThrottle(self.settings, self.session_maker)

    async def start(self) -> None:
        await self.keys.start(self.runtime.secrets)
        await self.hasher.warm_up()

    async def housekeeping(self) -> None:
        """Delete what can no longer be used: ended login sessions (their tokens go with
        them), old e-mailed tokens, abandoned social logins, finished throttle windows."""
        from qh.auth.db.models import ActionToken, OAuthState, RefreshFamily

        now = datetime.now(UTC)
        grace = timedelta(days=1)
        idle = timedelta(seconds=self.settings.refresh_idle_seconds)
        async with self.session_maker() as session, session.begin():
            await session.execute(
                delete(RefreshFamily).where(
                    (RefreshFamily.expires_at < now)
                    | (RefreshFamily.last_used_at < now - idle)
                    | (RefreshFamily.revoked_at < now - grace)
                )
            )
            await session.execute(delete(ActionToken).where(ActionToken.expires_at < now - grace))
            await session.execute(delete(OAuthState).where(OAuthState.expires_at < now))
        await self.throttle.purge()

    async def run_housekeeping(self) -> None:
        while True:
            await asyncio.sleep(self.settings.housekeeping_seconds)
            try:
                await self.housekeeping()
            except Exception:
                log.exception("housekeeping_failed")


def serialize_sqlite_writes(engine: AsyncEngine) -> None:
    """SQLite only: start every transaction with ``BEGIN IMMEDIATE``. A deferred
    transaction that reads and then writes fails at once ("database is locked") when
    another connection wrote meanwhile; an immediate one waits its turn instead."""
    sync_engine = engine.sync_engine
    if sync_engine.dialect.name != "sqlite":
        return

    @event.listens_for(sync_engine, "connect")
    def _no_driver_transactions(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None

    @event.listens_for(sync_engine, "begin")
    def _begin_immediate(connection):  # type: ignore[no-untyped-def]
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def accounts(core: AuthCore) -> AccountService:
    from qh.auth.domain.accounts.services import AccountService

    return AccountService(core)


def tokens(core: AuthCore) -> TokenService:
    from qh.auth.domain.tokens.services import TokenService

    return TokenService(core)


def social(core: AuthCore) -> SocialLogin:
    from qh.auth.domain.oauth.services import SocialLogin

    return SocialLogin(core)
