"""Browser sessions kept on the server: the cookie carries a random id, the row (keyed by
its SHA-256) carries the user's tokens, encrypted. The access token is renewed with the
refresh token shortly before it expires, one request at a time per session (the row is
read ``with_for_update``), since auth revokes the whole family when a spent refresh token
is presented twice."""

from __future__ import annotations

import hashlib
import secrets
import urllib.parse
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID

from sqlalchemy import delete, select

from qh.kit.clock import as_utc, utc_now
from qh.web.db.models import WebSession

if TYPE_CHECKING:
    from qh.web.context import WebContext

SESSION_COOKIE = "qh_session"
TOKEN_PATH = "/api/v1/auth/token"
_FORM = {"Content-Type": "application/x-www-form-urlencoded"}


class SessionEnded(Exception):
    """The session is gone (signed out elsewhere, expired, or its tokens were revoked)."""


@dataclass
class SignedIn:
    key: str  # the row's id (hash of the cookie)
    user_id: UUID
    email: str
    access_token: str
    access_expires_at: datetime


@dataclass
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int


def session_key(cookie: str) -> str:
    return hashlib.sha256(cookie.encode()).hexdigest()


def form(**values: str) -> bytes:
    return urllib.parse.urlencode(values).encode()


class SessionStore:
    """Every step is its own short transaction: a page waits on other services, and a
    database transaction held across those calls would hold SQLite's write lock."""

    def __init__(self, context: WebContext) -> None:
        self.context = context

    async def create(self, pair: TokenPair, user_id: UUID, email: str) -> str:
        """A new session for a sign-in; returns the cookie's value."""
        cookie = secrets.token_urlsafe(32)
        now = utc_now()
        crypto, settings = self.context.crypto, self.context.settings
        async with self.context.transaction() as session:
            session.add(
                WebSession(
                    id=session_key(cookie),
                    user_id=user_id,
                    email=email,
                    refresh_token=crypto.encrypt(pair.refresh_token),
                    access_token=crypto.encrypt(pair.access_token),
                    access_expires_at=now + timedelta(seconds=pair.expires_in),
                    created_at=now,
                    last_seen_at=now,
                    expires_at=now + timedelta(seconds=settings.session_absolute_seconds),
                )
            )
        return cookie

    async def load(self, cookie: str | None) -> SignedIn | None:
        if not cookie or len(cookie) > 100:
            return None
        key = session_key(cookie)
        now = utc_now()
        idle = timedelta(seconds=self.context.settings.session_idle_seconds)
        async with self.context.session() as session:
            row = await session.get(WebSession, key)
            if row is None:
                return None
            expired = as_utc(row.expires_at) <= now or as_utc(row.last_seen_at) + idle <= now
            signed = None if expired else self._signed_in(row)
            stale = now - as_utc(row.last_seen_at) > timedelta(minutes=5)
        if signed is None:
            await self.end(cookie)
            return None
        if stale:  # remembered at most every five minutes, not on every page
            async with self.context.transaction() as session:
                locked = await session.get(WebSession, key, with_for_update=True)
                if locked is not None:
                    locked.last_seen_at = now
        return signed

    def _signed_in(self, row: WebSession) -> SignedIn | None:
        access = self.context.crypto.decrypt(row.access_token)
        if access is None:  # the key changed: the session cannot be used
            return None
        return SignedIn(row.id, row.user_id, row.email, access, as_utc(row.access_expires_at))

    async def access(self, signed: SignedIn, *, stale: str | None = None) -> str:
        """A usable access token: the current one, or a fresh one from the refresh token
        when it expires within the margin (or ``stale`` was refused by a service)."""
        margin = timedelta(seconds=self.context.settings.refresh_margin_seconds)
        if stale is None and signed.access_expires_at - margin > utc_now():
            return signed.access_token
        crypto = self.context.crypto
        async with self.context.transaction() as session:
            row = await session.get(WebSession, signed.key, with_for_update=True)
            if row is None:
                raise SessionEnded
            current = crypto.decrypt(row.access_token)
            fresh_enough = as_utc(row.access_expires_at) - margin > utc_now()
            if current is not None and fresh_enough and current != stale:
                # Another request renewed it while this one waited for the lock.
                signed.access_token, signed.access_expires_at = (
                    current,
                    as_utc(row.access_expires_at),
                )
                return current
            refresh = crypto.decrypt(row.refresh_token)
            response = None
            if refresh is not None:
                response = await self.context.runtime.invoker.invoke(
                    "auth",
                    "POST",
                    TOKEN_PATH,
                    content=form(grant_type="refresh_token", refresh_token=refresh),
                    headers=_FORM,
                    timeout=self.context.settings.api_timeout_seconds,
                )
            if response is None or response.status_code in (400, 401):
                await session.delete(row)
                raise SessionEnded
            if response.status_code != 200:
                from qh.web.api import ApiError

                raise ApiError.from_response(response)
            body: dict[str, Any] = response.json()
            now = utc_now()
            row.access_token = crypto.encrypt(body["access_token"])
            row.refresh_token = crypto.encrypt(body["refresh_token"])
            row.access_expires_at = now + timedelta(seconds=int(body["expires_in"]))
            row.last_seen_at = now
            signed.access_token = body["access_token"]
            signed.access_expires_at = as_utc(row.access_expires_at)
            return signed.access_token

    async def end(self, cookie: str) -> str | None:
        """Remove the session; returns its refresh token (for auth's logout) if readable."""
        async with self.context.transaction() as session:
            row = await session.get(WebSession, session_key(cookie), with_for_update=True)
            if row is None:
                return None
            refresh = self.context.crypto.decrypt(row.refresh_token)
            await session.delete(row)
            return refresh

    async def end_all(self, user_id: UUID) -> None:
        async with self.context.transaction() as session:
            await session.execute(delete(WebSession).where(WebSession.user_id == user_id))

    async def purge_expired(self) -> int:
        now = utc_now()
        async with self.context.transaction() as session:
            expired = await session.scalars(
                select(WebSession.id).where(WebSession.expires_at <= now)
            )
            keys = list(expired)
            if keys:
                await session.execute(delete(WebSession).where(WebSession.id.in_(keys)))
        return len(keys)


__all__ = ["SESSION_COOKIE", "SessionEnded", "SessionStore", "SignedIn", "TokenPair", "form"]
