"""Token pairs: signed access tokens and rotating refresh tokens grouped in families.

A refresh token is spent by a conditional UPDATE, so two concurrent uses of one token
cannot both succeed: the loser is treated as reuse and revokes the family, including the
newest token that the winner just received (RFC 9700 §4.14.2).
"""

from __future__ import annotations

import hmac
import uuid
from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from qh.auth.core import AuthCore
from qh.auth.db.models import RefreshFamily, RefreshToken, User
from qh.auth.domain.tokens.schemas import TokenOut
from qh.auth.opaque import digest, new_secret
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
    def __init__(self, core: AuthCore) -> None:
        self.core = core
        self.settings = core.settings

    async def access_token(self, user: User) -> str:
        claims = self.core.keys.access_claims(
            user.id, list(user.roles), self.settings.access_token_seconds
        )
        return await self.core.keys.sign(claims)

    async def start_family(self, session: AsyncSession, user: User) -> str:
        """A new login session for ``user`` inside the caller's transaction; returns its
        first refresh token. Sign the access token with :meth:`pair` after the commit."""
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
        async with self.core.session_maker() as session, session.begin():
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
        async with self.core.session_maker() as session, session.begin():
            family_id = await session.scalar(
                select(RefreshToken.family_id).where(RefreshToken.token_hash == digest(raw))
            )
            if family_id is not None:
                await session.execute(
                    update(RefreshFamily)
                    .where(RefreshFamily.id == family_id, RefreshFamily.revoked_at.is_(None))
                    .values(revoked_at=_now(), revoked_reason="logout")
                )

    @staticmethod
    async def revoke_all(session: AsyncSession, user_id: uuid.UUID, reason: str) -> None:
        await session.execute(
            update(RefreshFamily)
            .where(RefreshFamily.user_id == user_id, RefreshFamily.revoked_at.is_(None))
            .values(revoked_at=_now(), revoked_reason=reason)
        )

    async def client_credentials(
        self, client_id: str | None, client_secret: str | None
    ) -> TokenOut:
        settings = self.settings
        expected = settings.platform_client_secret or await self.core.runtime.secrets.get(
            settings.platform_client_secret_name
        )
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
        claims = self.core.keys.access_claims(
            service_subject(client_id),
            ["service"],
            settings.service_token_seconds,
            client_id=client_id,
        )
        return TokenOut(
            access_token=await self.core.keys.sign(claims),
            token_type="Bearer",
            expires_in=settings.service_token_seconds,
        )
