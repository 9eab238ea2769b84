"""Accounts: registration, login, e-mail verification, password reset, deletion and the
admin's changes. Every method owns its transaction; the slow password hashing happens
outside any transaction."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from qh.auth.core import AuthCore, tokens
from qh.auth.db.models import ActionToken, User
from qh.auth.domain.accounts.schemas import RegisterIn, UserOut, UserPage, UserPatch
from qh.auth.domain.tokens.schemas import TokenOut
from qh.auth.opaque import digest, new_secret
from qh.auth.passwords import password_problem
from qh.auth.throttle import account_key, address_key
from qh.contracts import (
    AUTH_EMAIL_VERIFICATION_REQUESTED,
    AUTH_PASSWORD_RESET_REQUESTED,
    USER_DELETED,
    USER_REGISTERED,
    EmailVerificationRequested,
    PasswordResetRequested,
    UserDeleted,
    UserRegistered,
)
from qh.kit.problems import BadRequest, Conflict, Forbidden, InvalidValue, NotFound, Unauthorized

log = structlog.get_logger("qh.auth.accounts")

INVALID_CREDENTIALS = "Wrong e-mail or password"
INVALID_LINK = "The link is invalid, used or expired"
VERIFY_EMAIL, RESET_PASSWORD = "verify_email", "reset_password"


def normalize_email(email: str) -> str:
    return email.strip().lower()


def plausible_email(email: str) -> bool:
    """Worth a lookup: no control characters (PostgreSQL refuses NUL) and not too long."""
    return 0 < len(email) <= 320 and not any(ord(c) < 32 or ord(c) == 127 for c in email)


def _now() -> datetime:
    return datetime.now(UTC)


def user_out(user: User) -> UserOut:
    return UserOut(
        id=user.id,
        email=user.email,
        roles=sorted(user.roles),
        email_verified=user.email_verified,
        is_active=user.is_active,
        full_name=user.full_name,
        created_at=user.created_at,
    )


class AccountService:
    def __init__(self, core: AuthCore) -> None:
        self.core = core
        self.settings = core.settings

    # --- registration and login ------------------------------------------------------------

    def check_password(self, password: str, email: str | None = None) -> None:
        problem = password_problem(password, self.settings, email)
        if problem:
            raise InvalidValue.field("password", problem)

    async def register(self, data: RegisterIn) -> UserOut:
        email = normalize_email(data.email)
        self.check_password(data.password, email)
        async with self.core.session_maker() as session:
            if await session.scalar(select(User.id).where(User.email == email)) is not None:
                raise Conflict("An account with this e-mail already exists")
        password_hash = await self.core.hasher.hash(data.password)
        try:
            async with self.core.session_maker() as session, session.begin():
                user = await self.create_user(
                    session, email, password_hash=password_hash, full_name=data.full_name
                )
                await self.send_verification(session, user)
        except IntegrityError:
            raise Conflict("An account with this e-mail already exists") from None
        return user_out(user)

    async def create_user(
        self,
        session: AsyncSession,
        email: str,
        *,
        password_hash: str | None,
        full_name: str | None = None,
        roles: list[str] | None = None,
        email_verified: bool = False,
    ) -> User:
        user = User(
            email=email,
            password_hash=password_hash,
            full_name=full_name,
            roles=roles or ["user"],
            is_active=True,
            email_verified=email_verified,
        )
        session.add(user)
        await session.flush()
        await self.core.outbox.add(
            session,
            USER_REGISTERED,
            UserRegistered(
                user_id=user.id, email=email, full_name=full_name, email_verified=email_verified
            ),
            subject=str(user.id),
        )
        return user

    async def login(self, username: str, password: str, address: str) -> TokenOut:
        """The same 401 for an unknown e-mail, a wrong password and a deactivated
        account; an unknown e-mail still costs one argon2id verification."""
        email = normalize_email(username)
        keys = (account_key(email), address_key(address))
        await self.core.throttle.check(*keys)
        user = None
        if plausible_email(email):
            async with self.core.session_maker() as session:
                user = await session.scalar(select(User).where(User.email == email))
        ok = await self.core.hasher.verify(user.password_hash if user else None, password)
        if user is None or not ok or not user.is_active:
            await self.core.throttle.failed(*keys)
            raise Unauthorized(INVALID_CREDENTIALS, headers={"WWW-Authenticate": "Bearer"})
        assert user.password_hash is not None
        rehashed = None
        if self.core.hasher.needs_rehash(user.password_hash):
            rehashed = await self.core.hasher.hash(password)
        await self.core.throttle.succeeded(keys[0])
        async with self.core.session_maker() as session, session.begin():
            current = await session.get(User, user.id)
            if current is None or not current.is_active:
                raise Unauthorized(INVALID_CREDENTIALS, headers={"WWW-Authenticate": "Bearer"})
            if rehashed:
                current.password_hash = rehashed
            current.last_login_at = _now()
            refresh_token = await tokens(self.core).start_family(session, current)
        return await tokens(self.core).pair(current, refresh_token)

    # --- e-mailed tokens ---------------------------------------------------------------------

    async def _action_token(
        self, session: AsyncSession, user: User, purpose: str, seconds: int
    ) -> tuple[str, datetime]:
        raw = new_secret()
        expires_at = _now() + timedelta(seconds=seconds)
        session.add(
            ActionToken(
                user_id=user.id, purpose=purpose, token_hash=digest(raw), expires_at=expires_at
            )
        )
        return raw, expires_at

    async def _mailed_recently(self, session: AsyncSession, user: User, purpose: str) -> bool:
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
        return (count or 0) >= self.settings.emails_per_hour

    async def send_verification(self, session: AsyncSession, user: User) -> None:
        raw, expires_at = await self._action_token(
            session, user, VERIFY_EMAIL, self.settings.verification_token_seconds
        )
        url = self.settings.link(self.settings.verify_email_url, raw)
        await self.core.outbox.add(
            session,
            AUTH_EMAIL_VERIFICATION_REQUESTED,
            EmailVerificationRequested(
                user_id=user.id,
                email=user.email,
                full_name=user.full_name,
                verify_url=url,
                expires_at=expires_at,
            ),
            subject=str(user.id),
        )
        if self.settings.env == "dev":
            log.info("dev_email_verification_link", email=user.email, url=url)

    async def request_verification(self, user_id: uuid.UUID) -> None:
        async with self.core.session_maker() as session, session.begin():
            user = await session.get(User, user_id)
            if user is None:
                raise NotFound("No such account")
            if not user.email_verified and not await self._mailed_recently(
                session, user, VERIFY_EMAIL
            ):
                await self.send_verification(session, user)

    async def _spend(self, session: AsyncSession, raw: str, purpose: str) -> ActionToken | None:
        """Mark the token used, once: a conditional UPDATE, so a token works exactly once
        even when presented twice at the same moment."""
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
        return await session.scalar(select(ActionToken).where(ActionToken.token_hash == hashed))

    async def verify_email(self, raw: str) -> None:
        async with self.core.session_maker() as session, session.begin():
            token = await self._spend(session, raw, VERIFY_EMAIL)
            user = await session.get(User, token.user_id) if token else None
            if user is not None:
                user.email_verified = True
        if user is None:
            raise BadRequest(INVALID_LINK)

    async def forgot_password(self, email_raw: str) -> None:
        """Send a reset link to an active account; nothing for an unknown address. Runs
        after the 202 has been sent, so failures are logged, not answered."""
        try:
            await self._forgot_password(email_raw)
        except Exception:
            log.exception("password_reset_request_failed")

    async def _forgot_password(self, email_raw: str) -> None:
        email = normalize_email(email_raw)
        async with self.core.session_maker() as session, session.begin():
            user = await session.scalar(select(User).where(User.email == email))
            if user is None or not user.is_active:
                return
            if await self._mailed_recently(session, user, RESET_PASSWORD):
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
            raw, expires_at = await self._action_token(
                session, user, RESET_PASSWORD, self.settings.reset_token_seconds
            )
            url = self.settings.link(self.settings.reset_password_url, raw)
            await self.core.outbox.add(
                session,
                AUTH_PASSWORD_RESET_REQUESTED,
                PasswordResetRequested(
                    user_id=user.id,
                    email=user.email,
                    full_name=user.full_name,
                    reset_url=url,
                    expires_at=expires_at,
                ),
                subject=str(user.id),
            )
        if self.settings.env == "dev":
            log.info("dev_password_reset_link", email=email, url=url)

    async def reset_password(self, raw: str, password: str) -> None:
        self.check_password(password)
        async with self.core.session_maker() as session:
            exists = await session.scalar(
                select(ActionToken.id).where(
                    ActionToken.token_hash == digest(raw),
                    ActionToken.purpose == RESET_PASSWORD,
                    ActionToken.used_at.is_(None),
                    ActionToken.expires_at > _now(),
                )
            )
        if exists is None:
            raise BadRequest(INVALID_LINK)
        password_hash = await self.core.hasher.hash(password)
        async with self.core.session_maker() as session, session.begin():
            token = await self._spend(session, raw, RESET_PASSWORD)
            user = await session.get(User, token.user_id) if token else None
            if user is not None:
                user.password_hash = password_hash
                user.email_verified = True  # the reset link reached the mailbox
                await tokens(self.core).revoke_all(session, user.id, "password_reset")
        if user is None:
            raise BadRequest(INVALID_LINK)
        await self.core.throttle.succeeded(account_key(user.email))

    # --- the account itself ----------------------------------------------------------------

    async def get(self, user_id: uuid.UUID) -> UserOut:
        async with self.core.session_maker() as session:
            user = await session.get(User, user_id)
        if user is None:
            raise NotFound("No such account")
        return user_out(user)

    async def me(self, user_id: uuid.UUID) -> UserOut:
        async with self.core.session_maker() as session:
            user = await session.get(User, user_id)
        if user is None or not user.is_active:
            raise Unauthorized("The account no longer exists or is deactivated")
        return user_out(user)

    async def delete(self, user_id: uuid.UUID) -> None:
        async with self.core.session_maker() as session, session.begin():
            user = await session.get(User, user_id)
            if user is None:
                raise NotFound("No such account")
            await session.delete(user)
            await self.core.outbox.add(
                session, USER_DELETED, UserDeleted(user_id=user_id), subject=str(user_id)
            )

    # --- administration --------------------------------------------------------------------

    async def require_admin(self, user_id: uuid.UUID) -> None:
        """The token says admin; so must the database (the role may have been removed or
        the account deactivated since the token was signed)."""
        async with self.core.session_maker() as session:
            user = await session.get(User, user_id)
        if user is None or not user.is_active or "admin" not in user.roles:
            raise Forbidden("This needs the role admin")

    async def list(self, limit: int, offset: int) -> UserPage:
        async with self.core.session_maker() as session:
            total = await session.scalar(select(func.count()).select_from(User)) or 0
            users = (
                await session.scalars(
                    select(User).order_by(User.created_at, User.id).limit(limit).offset(offset)
                )
            ).all()
        return UserPage(items=[user_out(u) for u in users], total=total, limit=limit, offset=offset)

    async def patch(self, user_id: uuid.UUID, data: UserPatch, acting_admin: uuid.UUID) -> UserOut:
        async with self.core.session_maker() as session, session.begin():
            user = await session.get(User, user_id)
            if user is None:
                raise NotFound("No such account")
            if user_id == acting_admin:
                drops_admin = isinstance(data.roles, list) and "admin" not in data.roles
                if drops_admin or data.is_active is False:
                    raise Conflict(
                        "Admins cannot remove their own admin role or deactivate themselves"
                    )
            if isinstance(data.roles, list):
                user.roles = sorted(set(data.roles) | {"user"})
            if isinstance(data.is_active, bool):
                user.is_active = data.is_active
                if not data.is_active:
                    await tokens(self.core).revoke_all(session, user.id, "deactivated")
        return user_out(user)

    async def grant_admin(self, email_raw: str, password: str | None) -> tuple[UserOut, bool]:
        """``qh auth create-admin``: make the account an admin, creating it (verified)
        when it does not exist. Returns the account and whether it was created."""
        email = normalize_email(email_raw)
        async with self.core.session_maker() as session:
            existing = await session.scalar(select(User).where(User.email == email))
        if existing is None:
            if password is None:
                raise InvalidValue.field("password", "a new account needs a password")
            self.check_password(password, email)
            password_hash = await self.core.hasher.hash(password)
        async with self.core.session_maker() as session, session.begin():
            user = await session.scalar(select(User).where(User.email == email))
            created = user is None
            if user is None:
                user = await self.create_user(
                    session,
                    email,
                    password_hash=password_hash,
                    roles=["admin", "user"],
                    email_verified=True,
                )
            else:
                user.roles = sorted(set(user.roles) | {"admin", "user"})
                user.is_active = True
        return user_out(user), created
