"""Password login: the throttle, the password check and a new login session."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from qh.auth.context import AuthContext
from qh.auth.db.models import User
from qh.auth.domain.accounts.email_tokens import issue
from qh.auth.domain.accounts.sign_ins import record_sign_in
from qh.auth.domain.accounts.users import lookup_email
from qh.auth.domain.mfa.services import MFA_LOGIN, MfaRequired, TwoFactor
from qh.auth.domain.tokens.schemas import TokenOut
from qh.auth.domain.tokens.services import TokenService
from qh.auth.throttle import account_key, address_key
from qh.kit.problems import Unauthorized

INVALID_CREDENTIALS = "Wrong e-mail or password"


def _refused() -> Unauthorized:
    return Unauthorized(INVALID_CREDENTIALS, headers={"WWW-Authenticate": "Bearer"})


class PasswordLogin:
    def __init__(self, session: AsyncSession, context: AuthContext, tokens: TokenService) -> None:
        self.session = session
        self.context = context
        self.tokens = tokens

    async def login(
        self, username: str, password: str, address: str, user_agent: str | None = None
    ) -> TokenOut:
        """The same 401 for an unknown e-mail, a wrong password and a deactivated
        account; an unknown e-mail still costs one argon2id verification. A success
        publishes ``auth.signed_in`` (sign-in alerts) in the request's transaction."""
        context = self.context
        email = lookup_email(username)
        keys = (account_key(email or username.strip().lower()), address_key(address))
        # The attempt is counted before the password is checked: parallel guesses queue
        # on the counters' rows and at most the limit of them is ever checked.
        await context.throttle.reserve(*keys)
        user = None
        if email is not None:
            # A short read of its own before hashing: the slow verification must not
            # hold the request's transaction open.
            async with context.transaction() as session:
                user = await session.scalar(select(User).where(User.email == email))
        ok, rehash = await context.hasher.check(user.password_hash if user else None, password)
        if user is None or not ok or not user.is_active:
            raise _refused()  # the reserved attempt stays counted
        assert user.password_hash is not None
        async with context.transaction() as session:  # a short read of its own
            second_factor = await TwoFactor.enabled(session, user.id)
        if second_factor:
            # The password was right: its attempt is given back, and the second step
            # (POST /token grant_type=urn:qh:mfa) takes from the account's code budget.
            seconds = context.settings.mfa_token_seconds
            async with context.transaction() as session:
                await context.throttle.release(session, *keys)
                raw, _ = issue(session, user, MFA_LOGIN, seconds)
            raise MfaRequired(raw, seconds)
        rehashed = None
        if rehash:  # other argon2 parameters, or a hash of the password as typed (not NFKC)
            rehashed = await context.hasher.hash(password)
        current = await self.session.get(User, user.id, with_for_update=True)
        if current is None or not current.is_active:
            raise _refused()
        if rehashed:
            current.password_hash = rehashed
        current.last_login_at = datetime.now(UTC)
        await context.throttle.release(self.session, *keys)
        await record_sign_in(self.session, context, current, address, user_agent)
        refresh_token = await self.tokens.start_family(current)
        return await self.tokens.pair(current, refresh_token)


__all__ = ["INVALID_CREDENTIALS", "PasswordLogin"]
