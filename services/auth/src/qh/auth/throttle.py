"""Failed-login throttling per account and per client address.

Each key counts failures in a window; past the limit the key is locked for a time that
doubles with every further failure (capped). Failures are written in their own short
transactions, so a refused login (which rolls its request back) still counts.
"""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime, timedelta
from typing import Any

from litestar import Request
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from qh.auth.db.models import Throttle
from qh.auth.opaque import digest
from qh.auth.settings import AuthSettings
from qh.kit.problems import TooManyRequests

Transaction = Callable[[], AbstractAsyncContextManager[AsyncSession]]


def client_address(request: Request[Any, Any, Any], settings: AuthSettings) -> str:
    """The caller's address. ``X-Forwarded-For`` counts only when the direct peer is a
    configured trusted proxy, and then the rightmost address that is not one of ours."""
    peer = (request.scope.get("client") or ("unknown", 0))[0]
    trusted = settings.trusted_proxy_networks()
    if not trusted or not _in(peer, trusted):
        return str(peer)
    forwarded = [item.strip() for item in request.headers.get("x-forwarded-for", "").split(",")]
    for candidate in reversed([f for f in forwarded if f]):
        try:
            ipaddress.ip_address(candidate)
        except ValueError:
            break
        if not _in(candidate, trusted):
            return candidate
    return str(peer)


def _in(address: str, networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def account_key(email: str) -> str:
    return "acct:" + digest(email)[:64]


def address_key(address: str) -> str:
    return "ip:" + address[:64]


def _now() -> datetime:
    return datetime.now(UTC)


class LoginThrottle:
    """Counts failures and refuses locked keys. ``transaction`` opens a transaction of its
    own (``ServiceContext.transaction``): a refused login rolls its request back, and its
    failure must count all the same."""

    def __init__(self, settings: AuthSettings, transaction: Transaction) -> None:
        self.settings = settings
        self.transaction = transaction

    def _limit(self, key: str) -> int:
        s = self.settings
        return s.login_account_max_failures if key.startswith("acct:") else s.login_ip_max_failures

    async def check(self, *keys: str) -> None:
        """429 with ``Retry-After`` while any of ``keys`` is locked."""
        now = _now()
        # A short read of its own: it locks nothing and leaves the request's session unbegun.
        async with self.transaction() as session:
            rows = (await session.scalars(select(Throttle).where(Throttle.key.in_(keys)))).all()
        waits = [
            (r.locked_until - now).total_seconds()
            for r in rows
            if r.locked_until and r.locked_until > now
        ]
        if waits:
            raise TooManyRequests(
                "Too many failed logins; try again later", retry_after=math.ceil(max(waits))
            )

    async def failed(self, *keys: str) -> None:
        """Count a failure for each key, committed whatever the request does next. Call it
        before the request's session writes (on SQLite it would wait for that session)."""
        for key in keys:
            for _ in range(3):
                try:
                    await self._record(key)
                    break
                except IntegrityError:
                    continue  # created concurrently: count again on the existing row

    async def _record(self, key: str) -> None:
        s = self.settings
        now = _now()
        window = timedelta(seconds=s.login_failure_window_seconds)
        async with self.transaction() as session:
            row = await session.get(Throttle, key, with_for_update=True)
            if row is None:
                row = Throttle(key=key, failures=0, window_started_at=now)
                session.add(row)
            elif row.window_started_at + window < now and not (
                row.locked_until and row.locked_until > now
            ):
                row.failures, row.window_started_at, row.locked_until = 0, now, None
            row.failures += 1
            over = row.failures - self._limit(key)
            if over >= 0:
                seconds = min(
                    s.login_lockout_base_seconds * 2 ** min(over, 20), s.login_lockout_max_seconds
                )
                row.locked_until = now + timedelta(seconds=seconds)

    @staticmethod
    async def succeeded(session: AsyncSession, key: str) -> None:
        """Clear ``key``'s count, in the caller's transaction (it stands with the login)."""
        await session.execute(delete(Throttle).where(Throttle.key == key))


async def purge_throttle(session: AsyncSession, settings: AuthSettings) -> None:
    """Drop rows whose window and lock are both over."""
    now = _now()
    cutoff = now - timedelta(seconds=settings.login_failure_window_seconds)
    await session.execute(
        delete(Throttle).where(
            Throttle.window_started_at < cutoff,
            (Throttle.locked_until.is_(None)) | (Throttle.locked_until < now),
        )
    )


__all__ = [
    "LoginThrottle",
    "account_key",
    "address_key",
    "client_address",
    "purge_throttle",
]
