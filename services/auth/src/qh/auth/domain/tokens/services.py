"""Token pairs: signed access tokens and rotating refresh tokens grouped in families.

A refresh token is spent by a conditional UPDATE, so two concurrent uses of one token
cannot both succeed: the loser is treated as reuse and revokes the family, including the
newest token that the winner just received (RFC 9700 §4.14.2).
"""

from __future__ import annotations

import hmac
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import structlog
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from qh.auth.context import AuthContext
from qh.auth.db.models import RefreshFamily, RefreshToken, User
from qh.auth.domain.tokens.schemas import TokenOut
from qh.auth.opaque import digest, new_secret
from qh.kit.dev_secret import dev_secret
from qh.kit.problems import Unauthorized

log = structlog.get_logger("qh.auth.tokens")

INVALID_GRANT = "The refresh token is invalid, expired or revoked"
INVALID_CLIENT = "Unknown client or wrong client secret"
PLATFORM_CLIENT_NAMESPACE = uuid.UUID("6f1c1f7e-6a43-4c1e-9d2a-5b0f3f6b8a11")


def _now() -> datetime:
    return datetime.now(UTC)


def service_subject(client_id: str) -> uuid.UUID:
    """A stable id for a platform client (the ``sub`` of its tokens)."""
    return uuid.uuid5(PLATFORM_CLIENT_NAMESPACE, client_id)


class TokenService:
    """Signs access tokens and keeps the refresh token families, on the session given
    (the request's, a command's)."""

    def __init__(self, session: AsyncSession, context: AuthContext) -> None:
        self.session = session
        self.context = context
        self.settings = context.settings
        self.keys = context.keys

    async def access_token(self, user: User) -> str:
        claims = self.keys.access_claims(
            user.id, list(user.roles), self.settings.access_token_seconds
        )
        return await self.keys.sign(claims, self.session)

    async def start_family(self, user: User) -> str:
        """A new login session for ``user`` on this session; returns its first refresh
        token (sign the access token with :meth:`pair`)."""
        session = self.session
        now = _now()
        family = RefreshFamily(
            user_id=user.id,
            expires_at=now + timedelta(seconds=self.settings.refresh_absolute_seconds),
            last_used_at=now,
        )
        session.add(family)
        await session.flush()
        raw = new_secret()
        session.add(RefreshToken(family_id=family.id, token_hash=digest(raw)))
        return raw

    async def pair(self, user: User, refresh_token: str) -> TokenOut:
        return TokenOut(
            access_token=await self.access_token(user),
            token_type="Bearer",
            expires_in=self.settings.access_token_seconds,
            refresh_token=refresh_token,
        )

    async def refresh(self, raw: str) -> TokenOut:
        hashed = digest(raw)
        now = _now()
        refused: str | None = None
        # A transaction of its own: a refused token's revocation must stand although the
        # request answers 401 (and so rolls its own session back).
        async with self.context.transaction() as session:
            spent = await session.execute(
                update(RefreshToken)
                .where(RefreshToken.token_hash == hashed, RefreshToken.spent_at.is_(None))
                .values(spent_at=now)
            )
            found = (
                await session.execute(
                    select(RefreshFamily, User)
                    .join(RefreshToken, RefreshToken.family_id == RefreshFamily.id)
                    .join(User, User.id == RefreshFamily.user_id)
                    .where(RefreshToken.token_hash == hashed)
                )
            ).first()
            if found is None:
                raise Unauthorized(INVALID_GRANT)
            family, user = found
            idle_limit = family.last_used_at + timedelta(seconds=self.settings.refresh_idle_seconds)
            if spent.rowcount == 0:  # type: ignore[attr-defined]
                refused = "reuse"
            elif family.revoked_at is not None:
                refused = family.revoked_reason or "revoked"
            elif family.expires_at <= now:
                refused = "expired"
            elif idle_limit <= now:
                refused = "idle"
            elif not user.is_active:
                refused = "deactivated"
            if refused is not None:
                if family.revoked_at is None:
                    family.revoked_at, family.revoked_reason = now, refused
                if refused == "reuse":
                    log.warning(
                        "refresh_token_reuse", family_id=str(family.id), user_id=str(user.id)
                    )
            else:
                family.last_used_at = now
                new_raw = new_secret()
                session.add(RefreshToken(family_id=family.id, token_hash=digest(new_raw)))
        if refused is not None:  # raised after the commit, so the revocation sticks
            raise Unauthorized(INVALID_GRANT)
        return await self.pair(user, new_raw)

    async def logout(self, raw: str) -> None:
        """Revoke the family of ``raw``; quietly nothing for an unknown token."""
        family = select(RefreshToken.family_id).where(RefreshToken.token_hash == digest(raw))
        await self.session.execute(
            update(RefreshFamily)
            .where(
                RefreshFamily.id.in_(family.scalar_subquery()), RefreshFamily.revoked_at.is_(None)
            )
            .values(revoked_at=_now(), revoked_reason="logout")
        )

    async def revoke_all(self, user_id: uuid.UUID, reason: str) -> None:
        """End every login session of ``user_id`` (password reset, deactivation)."""
        await self.session.execute(
            update(RefreshFamily)
            .where(RefreshFamily.user_id == user_id, RefreshFamily.revoked_at.is_(None))
            .values(revoked_at=_now(), revoked_reason=reason)
        )

    async def client_credentials(
        self, client_id: str | None, client_secret: str | None
    ) -> TokenOut:
        settings = self.settings
        expected = settings.platform_client_secret or await self.context.runtime.secrets.get(
            settings.platform_client_secret_name
        )
        if not expected and settings.env == "dev":
            expected = dev_secret(Path(settings.data_dir))
        valid = (
            bool(expected)
            and client_id is not None
            and client_secret is not None
            and hmac.compare_digest(client_id.encode(), settings.platform_client_id.encode())
            and hmac.compare_digest(client_secret.encode(), (expected or "").encode())
        )
        if not valid:
            raise Unauthorized(INVALID_CLIENT, headers={"WWW-Authenticate": 'Basic realm="qh"'})
        assert client_id is not None
        claims = self.keys.access_claims(
            service_subject(client_id),
            ["service"],
            settings.service_token_seconds,
            client_id=client_id,
        )
        return TokenOut(
            access_token=await self.keys.sign(claims, self.session),
            token_type="Bearer",
            expires_in=settings.service_token_seconds,
        )
