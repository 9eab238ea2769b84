"""Administration: listing accounts, changing roles, deactivating, and making admins."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from qh.auth.context import AuthContext
from qh.auth.db.models import User
from qh.auth.domain.accounts.schemas import UserOut, UserPage, UserPatch
from qh.auth.domain.accounts.users import (
    AccountService,
    normalize_email,
    user_out,
)
from qh.auth.domain.mfa.services import TwoFactor
from qh.auth.domain.tokens.services import TokenService
from qh.contracts import USER_DEACTIVATED, UserDeactivated
from qh.kit.problems import Conflict, Forbidden, InvalidValue, NotFound


class AdminService:
    """What an admin does to accounts. Each call checks the acting admin in the database:
    the token says admin, but the role may have been removed or the account deactivated
    since it was signed."""

    def __init__(
        self,
        session: AsyncSession,
        context: AuthContext,
        accounts: AccountService,
        tokens: TokenService,
    ) -> None:
        self.session = session
        self.context = context
        self.accounts = accounts
        self.tokens = tokens

    async def require_admin(self, user_id: uuid.UUID) -> None:
        """403 unless ``user_id`` is an active admin."""
        user = await self.session.get(User, user_id)
        if user is None or not user.is_active or "admin" not in user.roles:
            raise Forbidden("This needs the role admin")
        if self.context.settings.mfa_required_for_admins and not await TwoFactor.enabled(
            self.session, user_id
        ):
            raise Forbidden(
                "Admins must turn on two-factor sign-in first: POST /api/v1/auth/mfa/totp, "
                "then confirm it with a code at /api/v1/auth/mfa/totp/confirm"
            )

    async def list(self, acting: uuid.UUID, limit: int, offset: int) -> UserPage:
        await self.require_admin(acting)
        total = await self.session.scalar(select(func.count()).select_from(User)) or 0
        users = (
            await self.session.scalars(
                select(User).order_by(User.created_at, User.id).limit(limit).offset(offset)
            )
        ).all()
        return UserPage(items=[user_out(u) for u in users], total=total, limit=limit, offset=offset)

    async def get(self, acting: uuid.UUID, user_id: uuid.UUID) -> UserOut:
        await self.require_admin(acting)
        return await self.accounts.get(user_id)

    async def patch(self, acting: uuid.UUID, user_id: uuid.UUID, data: UserPatch) -> UserOut:
        # The row to change is locked first (one lock per call, so no deadlock), then the
        # acting admin is checked.
        user = await self.session.get(User, user_id, with_for_update=True)
        await self.require_admin(acting)
        if user is None:
            raise NotFound("No such account")
        if user_id == acting:
            drops_admin = isinstance(data.roles, list) and "admin" not in data.roles
            if drops_admin or data.is_active is False:
                raise Conflict("Admins cannot remove their own admin role or deactivate themselves")
        if isinstance(data.roles, list):
            user.roles = sorted(set(data.roles) | {"user"})
        if isinstance(data.is_active, bool):
            was_active, user.is_active = user.is_active, data.is_active
            if not data.is_active:
                await self.tokens.revoke_all(user.id, "deactivated")
                if was_active:
                    # Every service refuses the account's unexpired access tokens.
                    await self.context.outbox.add(
                        self.session,
                        USER_DEACTIVATED,
                        UserDeactivated(user_id=user.id),
                        subject=str(user.id),
                    )
        return user_out(user)

    async def grant_admin(self, email_raw: str, password: str | None) -> tuple[UserOut, bool]:
        """``qh auth create-admin``: make the account an admin, creating it (verified)
        when it does not exist. Returns the account and whether it was created."""
        email = normalize_email(email_raw)
        password_hash: str | None = None
        # A short read of its own before hashing: the slow hash must not hold this
        # session's transaction open.
        async with self.context.transaction() as session:
            existing = await session.scalar(select(User.id).where(User.email == email))
        if existing is None:
            if password is None:
                raise InvalidValue.field("password", "a new account needs a password")
            await self.context.passwords.check(password, email)
            password_hash = await self.context.hasher.hash(password)
        user = await self.accounts.by_email(email, lock=True)
        created = user is None
        if user is None:
            if password_hash is None:  # deleted since the read: nothing was hashed
                raise InvalidValue.field("password", "a new account needs a password")
            user = await self.accounts.create_user(
                email, password_hash=password_hash, roles=["admin", "user"], email_verified=True
            )
        else:
            user.roles = sorted(set(user.roles) | {"admin", "user"})
            user.is_active = True
        return user_out(user), created


__all__ = ["AdminService"]
