"""Registration: a new account with a password, and its verification e-mail."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from qh.auth.context import AuthContext
from qh.auth.db.models import User
from qh.auth.domain.accounts.email_tokens import EmailVerification
from qh.auth.domain.accounts.schemas import RegisterIn, UserOut
from qh.auth.domain.accounts.users import (
    AccountService,
    normalize_email,
    preferred_locale,
    user_out,
)
from qh.auth.throttle import registration_key
from qh.kit.problems import Conflict

TAKEN = "An account with this e-mail already exists"


class Registration:
    def __init__(
        self, context: AuthContext, accounts: AccountService, verification: EmailVerification
    ) -> None:
        self.context = context
        self.accounts = accounts
        self.verification = verification

    async def register(
        self, data: RegisterIn, address: str, accept_language: str | None = None
    ) -> UserOut:
        """The account (on the request's session) and its verification e-mail; 409 when
        the e-mail is taken, 422 for a refused password, 429 when ``address`` registered
        too often (every attempt counts, so 409s cannot be used to probe addresses). Its
        messages' language is ``data.locale``, else the best of ``accept_language``."""
        await self.context.throttle.reserve(
            registration_key(address), message="Too many registrations from this address"
        )
        email = normalize_email(data.email)
        await self.context.passwords.check(data.password, email, data.full_name)
        # A short read of its own before hashing: the slow hash must not hold the
        # request's transaction open.
        async with self.context.transaction() as session:
            if await session.scalar(select(User.id).where(User.email == email)) is not None:
                raise Conflict(TAKEN)
        password_hash = await self.context.hasher.hash(data.password)
        try:
            user = await self.accounts.create_user(
                email,
                password_hash=password_hash,
                full_name=data.full_name,
                locale=data.locale or preferred_locale(accept_language),
            )
        except IntegrityError:  # registered at the same moment
            raise Conflict(TAKEN) from None
        await self.verification.send(user)
        return user_out(user)


__all__ = ["Registration"]
