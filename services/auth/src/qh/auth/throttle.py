"""Attempt throttling per account, per client address, per second factor and per
registering address.

Each key counts attempts in a window; the attempt that reaches the limit locks the key for
a time that doubles with every further attempt (capped). An attempt is reserved atomically
*before* the password is checked, in a short transaction of its own, so parallel guesses
never exceed the limit and a refused login (which rolls its request back) still counts.
"""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from litestar import Request
from sqlalchemy import case, delete, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from qh.auth.db.models import Throttle
from qh.auth.opaque import digest
from qh.auth.settings import AuthSettings
from qh.kit.clock import as_utc
from qh.kit.problems import TooManyRequests

Transaction = Callable[[], AbstractAsyncContextManager[AsyncSession]]


def forwarded_for(request: Request[Any, Any, Any]) -> list[str]:
    """Every entry of ``X-Forwarded-For``, its header lines joined in order (RFC 9110
    §5.3: several lines are one comma-separated list)."""
    lines = request.headers.getall("x-forwarded-for", [])
    return [item.strip() for line in lines for item in line.split(",") if item.strip()]


def client_address(request: Request[Any, Any, Any], settings: AuthSettings) -> str:
    """The caller's address. ``X-Forwarded-For`` counts only when the direct peer is a
    configured trusted proxy, and then the rightmost address that is not one of ours."""
    peer = (request.scope.get("client") or ("unknown", 0))[0]
    trusted = settings.trusted_proxy_networks()
    if not trusted or not _in(peer, trusted):
        return str(peer)
    for candidate in reversed(forwarded_for(request)):
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


def registration_key(address: str) -> str:
    return "reg:" + address[:64]


def mfa_key(user_id: object) -> str:
    return f"mfa:{user_id}"


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Limit:
    """``attempts`` per ``window_seconds``; the attempt that reaches the limit locks the key
    for ``lockout_base_seconds``, doubling with every further attempt, up to ``lockout_max``."""

    attempts: int
    window_seconds: int
    lockout_base_seconds: int
    lockout_max_seconds: int

    def lockout(self, attempts: int) -> timedelta:
        over = min(max(attempts - self.attempts, 0), 20)
        return timedelta(seconds=min(self.lockout_base_seconds * 2**over, self.lockout_max_seconds))


class LoginThrottle:
    """Attempt budgets per account, client address, second factor and registration address.

    An attempt is *reserved* before the password (or code) is checked: one transaction of
    its own locks each key's row (``INSERT ... ON CONFLICT DO UPDATE ... RETURNING``, a row
    lock on PostgreSQL, the write lock on SQLite), refuses while any key is locked, and
    otherwise counts the attempt, locking the key when the count reaches the limit. So
    parallel guesses are counted one after the other: at most ``limit`` of them are ever
    checked, and the rest (the right password too) get 429 until the lock ends. A success
    gives its reservation back (:meth:`release`); a failure keeps it."""

    def __init__(self, settings: AuthSettings, transaction: Transaction) -> None:
        self.settings = settings
        self.transaction = transaction

    def limit(self, key: str) -> Limit:
        s = self.settings
        if key.startswith("reg:"):
            hour = s.register_ip_window_seconds
            return Limit(s.register_ip_max_attempts, hour, hour, hour)
        attempts = (
            s.login_ip_max_failures if key.startswith("ip:") else s.login_account_max_failures
        )
        return Limit(
            attempts,
            s.login_failure_window_seconds,
            s.login_lockout_base_seconds,
            s.login_lockout_max_seconds,
        )

    async def reserve(self, *keys: str, message: str = "Too many failed logins") -> None:
        """Take one attempt from every key, or none: 429 with ``Retry-After`` while any of
        them is locked. Committed at once, whatever the request does next; call it before
        the request's session writes (on SQLite it would wait for that session)."""
        now = _now()
        async with self.transaction() as session:
            rows: list[tuple[str, int, datetime, datetime | None]] = []
            for key in sorted(set(keys)):  # one order everywhere: no deadlock
                rows.append((key, *await self._lock_row(session, key, now)))
            waits = [
                (locked_until - now).total_seconds()
                for _, _, _, locked_until in rows
                if locked_until is not None and locked_until > now
            ]
            if waits:
                raise TooManyRequests(
                    f"{message}; try again later", retry_after=max(1, math.ceil(max(waits)))
                )
            for key, attempts, window_started_at, _ in rows:
                limit = self.limit(key)
                if window_started_at + timedelta(seconds=limit.window_seconds) < now:
                    attempts, window_started_at = 0, now  # a new window
                attempts += 1
                locked_until = now + limit.lockout(attempts) if attempts >= limit.attempts else None
                await session.execute(
                    update(Throttle)
                    .where(Throttle.key == key)
                    .values(
                        failures=attempts,
                        window_started_at=window_started_at,
                        locked_until=locked_until,
                    )
                )

    @staticmethod
    async def _lock_row(
        session: AsyncSession, key: str, now: datetime
    ) -> tuple[int, datetime, datetime | None]:
        """The key's row, created if missing and locked until the transaction ends."""
        dialect = session.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        values = insert(Throttle).values(
            key=key, failures=0, window_started_at=now, locked_until=None
        )
        # The no-op update locks an existing row and returns its current values.
        statement = values.on_conflict_do_update(
            index_elements=[Throttle.key], set_={"key": values.excluded.key}
        ).returning(Throttle.failures, Throttle.window_started_at, Throttle.locked_until)
        attempts, started, locked_until = (await session.execute(statement)).one()
        return attempts, as_utc(started), as_utc(locked_until) if locked_until else None

    async def release(self, session: AsyncSession, *keys: str) -> None:
        """Give a successful attempt back, in the caller's transaction (it stands with the
        login): an account's or second factor's count is cleared; an address keeps its
        other attempts, less this one."""
        for key in keys:
            if key.startswith("ip:"):
                limit = self.limit(key).attempts
                await session.execute(
                    update(Throttle)
                    .where(Throttle.key == key, Throttle.failures > 0)
                    .values(
                        failures=Throttle.failures - 1,
                        locked_until=case(
                            (Throttle.failures - 1 < limit, None), else_=Throttle.locked_until
                        ),
                    )
                )
            else:
                await session.execute(delete(Throttle).where(Throttle.key == key))

    @staticmethod
    async def succeeded(session: AsyncSession, key: str) -> None:
        """Clear ``key``'s count, in the caller's transaction (a password reset)."""
        await session.execute(delete(Throttle).where(Throttle.key == key))


async def purge_throttle(session: AsyncSession, settings: AuthSettings) -> None:
    """Drop rows whose window and lock are both over."""
    now = _now()
    longest = max(settings.login_failure_window_seconds, settings.register_ip_window_seconds)
    cutoff = now - timedelta(seconds=longest)
    await session.execute(
        delete(Throttle).where(
            Throttle.window_started_at < cutoff,
            (Throttle.locked_until.is_(None)) | (Throttle.locked_until < now),
        )
    )


__all__ = [
    "Limit",
    "LoginThrottle",
    "account_key",
    "address_key",
    "client_address",
    "forwarded_for",
    "mfa_key",
    "purge_throttle",
    "registration_key",
]
