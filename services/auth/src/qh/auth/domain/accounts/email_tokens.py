"""E-mailed single-use tokens: e-mail verification and password reset.

A token is stored as its SHA-256 only, expires, and is spent by a conditional UPDATE, so
it works exactly once even when presented twice at the same moment. The link reaches the
notifier as an event through the outbox."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from qh.auth.context import AuthContext
from qh.auth.db.models import ActionToken, User
from qh.auth.domain.accounts.users import lookup_email, message_locale
from qh.auth.domain.tokens.services import TokenService
from qh.auth.opaque import digest, new_secret
from qh.auth.settings import AuthSettings
from qh.auth.throttle import account_key
from qh.contracts import (
    AUTH_EMAIL_VERIFICATION_REQUESTED,
    AUTH_PASSWORD_RESET_REQUESTED,
    EmailVerificationRequested,
    PasswordResetRequested,
)
from qh.kit.problems import BadRequest, NotFound

log = structlog.get_logger("qh.auth.accounts")

INVALID_LINK = "The link is invalid, used or expired"
VERIFY_EMAIL, RESET_PASSWORD = "verify_email", "reset_password"


def _now() -> datetime:
    return datetime.now(UTC)


def issue(session: AsyncSession, user: User, purpose: str, seconds: int) -> tuple[str, datetime]:
    """A new token for ``user``: the raw value (for the link) and when it expires."""
    raw = new_secret()
    expires_at = _now() + timedelta(seconds=seconds)
    session.add(
        ActionToken(user_id=user.id, purpose=purpose, token_hash=digest(raw), expires_at=expires_at)
    )
    return raw, expires_at


async def mailed_enough(
    session: AsyncSession, user: User, purpose: str, settings: AuthSettings
) -> bool:
    """Whether ``user`` got as many e-mails of this kind in the last hour as allowed,
    so nobody can use the service to flood a mailbox."""
    since = _now() - timedelta(hours=1)
    count = await session.scalar(
        select(func.count())
        .select_from(ActionToken)
        .where(
            ActionToken.user_id == user.id,
            ActionToken.purpose == purpose,
            ActionToken.created_at > since,
        )
    )
    return (count or 0) >= settings.emails_per_hour


async def spend(session: AsyncSession, raw: str, purpose: str) -> User | None:
    """Mark the token used, once, and return its account; ``None`` for an unknown, used
    or expired token. The UPDATE comes first, so on SQLite it takes the write lock."""
    hashed, now = digest(raw), _now()
    result = await session.execute(
        update(ActionToken)
        .where(
            ActionToken.token_hash == hashed,
            ActionToken.purpose == purpose,
            ActionToken.used_at.is_(None),
            ActionToken.expires_at > now,
        )
        .values(used_at=now)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return None
    token = await session.scalar(select(ActionToken).where(ActionToken.token_hash == hashed))
    return await session.get(User, token.user_id) if token else None


class EmailVerification:
    """Sends the verification link and confirms the address, on the session given."""

    def __init__(self, session: AsyncSession, context: AuthContext) -> None:
        self.session = session
        self.settings = context.settings
        self.outbox = context.outbox

    async def send(self, user: User) -> None:
        raw, expires_at = issue(
            self.session, user, VERIFY_EMAIL, self.settings.verification_token_seconds
        )
        url = self.settings.link("verify-email", raw)
        await self.outbox.add(
            self.session,
            AUTH_EMAIL_VERIFICATION_REQUESTED,
            EmailVerificationRequested(
                user_id=user.id,
                email=user.email,
                full_name=user.full_name,
                locale=message_locale(user),
                verify_url=url,
                expires_at=expires_at,
            ),
            subject=str(user.id),
        )
        if self.settings.env == "dev":
            log.info("dev_email_verification_link", email=user.email, url=url)

    async def resend(self, user_id: uuid.UUID) -> None:
        user = await self.session.get(User, user_id, with_for_update=True)
        if user is None:
            raise NotFound("No such account")
        if not user.email_verified and not await mailed_enough(
            self.session, user, VERIFY_EMAIL, self.settings
        ):
            await self.send(user)

    async def confirm(self, raw: str) -> None:
        user = await spend(self.session, raw, VERIFY_EMAIL)
        if user is None:
            raise BadRequest(INVALID_LINK)
        user.email_verified = True


class PasswordReset:
    """Mails a reset link and sets the new password with it."""

    def __init__(self, session: AsyncSession, context: AuthContext, tokens: TokenService) -> None:
        self.session = session
        self.context = context
        self.settings = context.settings
        self.tokens = tokens

    async def request(self, email_raw: str) -> None:
        """Send a reset link to an active account; nothing for an unknown address. Runs
        after the 202 has been sent, so failures are logged, not answered."""
        try:
            email = lookup_email(email_raw)
            if email is not None:
                await self._request(email)
        except Exception:
            log.exception("password_reset_request_failed")

    async def _request(self, email: str) -> None:
        url: str | None = None
        # A transaction of its own: this runs after the response, when the request's
        # session has already been committed and closed.
        async with self.context.transaction() as session:
            user = await session.scalar(select(User).where(User.email == email).with_for_update())
            if user is None or not user.is_active:
                return
            if await mailed_enough(session, user, RESET_PASSWORD, self.settings):
                log.warning("password_reset_rate_limited", user_id=str(user.id))
                return
            await session.execute(
                update(ActionToken)
                .where(
                    ActionToken.user_id == user.id,
                    ActionToken.purpose == RESET_PASSWORD,
                    ActionToken.used_at.is_(None),
                )
                .values(used_at=_now())
            )
            raw, expires_at = issue(
                session, user, RESET_PASSWORD, self.settings.reset_token_seconds
            )
            url = self.settings.link("reset-password", raw)
            await self.context.outbox.add(
                session,
                AUTH_PASSWORD_RESET_REQUESTED,
                PasswordResetRequested(
                    user_id=user.id,
                    email=user.email,
                    full_name=user.full_name,
                    locale=message_locale(user),
                    reset_url=url,
                    expires_at=expires_at,
                ),
                subject=str(user.id),
            )
        if self.settings.env == "dev":
            log.info("dev_password_reset_link", email=email, url=url)

    async def reset(self, raw: str, password: str) -> None:
        """The new password, every session of the account revoked, its login count cleared."""
        # A short read of its own before hashing: the slow hash must not hold the
        # request's transaction open.
        async with self.context.transaction() as session:
            owner = (
                await session.execute(
                    select(User.email, User.full_name)
                    .join(ActionToken, ActionToken.user_id == User.id)
                    .where(
                        ActionToken.token_hash == digest(raw),
                        ActionToken.purpose == RESET_PASSWORD,
                        ActionToken.used_at.is_(None),
                        ActionToken.expires_at > _now(),
                    )
                )
            ).first()
        if owner is None:
            raise BadRequest(INVALID_LINK)
        await self.context.passwords.check(password, owner.email, owner.full_name)
        password_hash = await self.context.hasher.hash(password)
        user = await spend(self.session, raw, RESET_PASSWORD)
        if user is None:
            raise BadRequest(INVALID_LINK)
        user.password_hash = password_hash
        user.email_verified = True  # the reset link reached the mailbox
        await self.tokens.revoke_all(user.id, "password_reset")
        await self.context.throttle.succeeded(self.session, account_key(user.email))


__all__ = ["INVALID_LINK", "EmailVerification", "PasswordReset"]
